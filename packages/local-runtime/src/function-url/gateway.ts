import { signedRequestOf } from '../gateway/auth/iam-authorizer.ts';
import { type LocalCredentials, verifySigV4 } from '../gateway/auth/sigv4.ts';
import type { GatewayAnswer, GatewayRequest } from '../gateway/exchange.ts';
import { GatewayError } from '../gateway/gateway-error.ts';
import { invokeForGateway, type LambdaInvoker } from '../gateway/integrations/lambda-invoke.ts';
import type { IntegrationResult } from '../gateway/integrations/result.ts';
import { isPreflight, preflightResult, withCors } from '../http-api/cors.ts';
import { eventV2, resultOf } from '../http-api/events.ts';
import { HttpApiError, type HttpExchange } from '../http-api/exchange.ts';
import type { ApiEndpoint } from '../runtime/api-endpoint.ts';
import type { FunctionUrl } from './model.ts';

export interface FunctionUrlGatewayOptions {
  url: FunctionUrl;
  region: string;
  /** The function owner's account: `requestContext.accountId` of an AWS_IAM URL's event. */
  accountId: string;
  lambda: LambdaInvoker;
  /** The local credentials: an AWS_IAM URL takes requests signed (service `lambda`) with these. */
  credentials: readonly LocalCredentials[];
}

const json = (status: number, body: unknown, errorType?: string): IntegrationResult => ({
  status,
  headers: { 'Content-Type': 'application/json', ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}) },
  body: Buffer.from(JSON.stringify(body)),
});

/**
 * Lambda's own answers at a function URL. A function error or timeout: 502 with the text `Internal Server Error`
 * (recorded against AWS in LocalStack's test_lambda.py::TestLambdaURL::test_lambda_url_invocation_exception; its
 * content type is not recorded). A refused AWS_IAM request: 403 AccessDeniedException with Lambda's Forbidden
 * message (as AWS answers it since the October 2025 permission change, quoted in brikis98/devops-book#12 and
 * ant-media/Ant-Media-Server#7827). A request over the 6 MB synchronous invocation payload ("Lambda quotas"): 413, as
 * ducktors/turborepo-remote-cache#677 saw from a function URL; its body is Invoke's RequestEntityTooLargeException
 * message (not recorded for URLs).
 */
const functionFailed = (): IntegrationResult => ({
  status: 502,
  headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  body: Buffer.from('Internal Server Error'),
});
const forbidden = () =>
  json(
    403,
    {
      Message:
        'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
    },
    'AccessDeniedException',
  );
const tooLarge = () =>
  json(
    413,
    { Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' },
    'RequestEntityTooLargeException',
  );

/**
 * The HTTP API 2.0 event, but for the request id: a function URL's is a UUID. Absent parts are left out, as in events
 * captured from function URLs (no `pathParameters` or `stageVariables`, no `queryStringParameters` without a query),
 * where the developer guide's sample shows them as null.
 */
const eventOf = (exchange: HttpExchange) => {
  const event = eventV2(exchange);
  event.requestContext.requestId = exchange.request.requestId;
  return event;
};

/**
 * One function URL, served on a port of its own as on AWS a host of its own: every path and method reaches the
 * function (no stage, no routes). The event is the HTTP API payload 2.0 with the URL's own values (Lambda developer
 * guide, "Invoking Lambda function URLs", "Request payload format": routeKey and stage `$default`, domainName
 * `<url-id>.lambda-url.<region>.on.aws`, accountId `anonymous` for AuthType NONE, `authorizer.iam` for AWS_IAM); the
 * answer is read as 2.0 reads it ("Response payload format": anything without a statusCode is a 200
 * application/json).
 */
export class FunctionUrlGateway implements ApiEndpoint {
  readonly kind = 'URL';
  readonly logicalId: string;
  readonly apiId: string;
  readonly stage = '$default';
  readonly url: FunctionUrl;
  private readonly options: FunctionUrlGatewayOptions;

  constructor(options: FunctionUrlGatewayOptions) {
    this.options = options;
    this.url = options.url;
    this.logicalId = options.url.logicalId;
    this.apiId = options.url.id;
  }

  hasRoute(): boolean {
    return true;
  }

  reject(request: GatewayRequest, _type: 'REQUEST_TOO_LARGE'): GatewayAnswer {
    return this.answer(request, tooLarge(), 'function-url', 'the body is over the 6 MB invocation payload limit');
  }

  async handle(request: GatewayRequest): Promise<GatewayAnswer> {
    const { cors } = this.url;
    // "Function URL CORS": Lambda answers a preflight from the configuration, without invoking the function.
    if (cors && isPreflight(request)) return this.answer(request, preflightResult(cors, request), 'cors-preflight');
    const { result, reason } = await this.invoke(request);
    return this.answer(request, cors ? withCors(cors, request, result) : result, 'function-url', reason);
  }

  private async invoke(request: GatewayRequest): Promise<{ result: IntegrationResult; reason?: string }> {
    const { url, lambda } = this.options;
    const exchange: HttpExchange = {
      request,
      api: { logicalId: url.logicalId, id: url.id, stage: '$default', routes: [], stageVariables: {}, problems: [] },
      accountId: 'anonymous',
      region: this.options.region,
      domainName: `${url.id}.lambda-url.${this.options.region}.on.aws`,
      pathParameters: {},
    };
    if (url.authType === 'AWS_IAM') {
      const verified = await verifySigV4(signedRequestOf(request), {
        credentials: this.options.credentials,
        region: this.options.region,
        service: 'lambda',
      });
      if (!verified.ok) return { result: forbidden(), reason: `AWS_IAM: ${verified.errorType}: ${verified.message}` };
      exchange.accountId = this.options.accountId;
      exchange.authorizer = { kind: 'iam', identity: verified.identity };
    }
    const timeoutSeconds = lambda.timeoutOf(url.functionArn);
    try {
      const answer = await invokeForGateway(
        (arn, event, requestId) => lambda.invoke(arn, event, requestId),
        url.functionArn,
        eventOf(exchange),
        request.requestId,
        // The function's own timeout ends the invocation first (a function error): a function URL waits for it.
        (timeoutSeconds + 1) * 1000,
        timeoutSeconds,
      );
      if (!answer.ok) {
        return { result: functionFailed(), reason: `${answer.error.errorType}: ${answer.error.errorMessage}` };
      }
      const result = resultOf(answer.result, '2.0');
      // Lambda labels an answer without a content type application/json (the inferred format's type).
      if (!Object.keys(result.headers).some((name) => name.toLowerCase() === 'content-type')) {
        result.headers['content-type'] = 'application/json';
      }
      return { result };
    } catch (error) {
      if (error instanceof GatewayError && error.type === 'REQUEST_TOO_LARGE') {
        return { result: tooLarge(), reason: error.reason ?? error.message };
      }
      const why = error instanceof HttpApiError ? error.reason : String((error as Error).message ?? error);
      return { result: functionFailed(), reason: why };
    }
  }

  private answer(request: GatewayRequest, result: IntegrationResult, integration: string, reason?: string) {
    result.headers['x-amzn-RequestId'] = request.requestId;
    const { url } = this;
    const exchange = {
      request,
      stage: '$default',
      apiId: url.id,
      accountId: this.options.accountId,
      domainName: `${url.id}.lambda-url.${this.options.region}.on.aws`,
      identity: {},
      cacheHit: false,
    };
    return { ...result, exchange, integration, ...(reason ? { reason } : {}) };
  }
}
