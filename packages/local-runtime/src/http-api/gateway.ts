import type { IamAuthorizer } from '../gateway/auth/iam-authorizer.ts';
import type { Exchange, GatewayAnswer, GatewayRequest } from '../gateway/exchange.ts';
import { GatewayError } from '../gateway/gateway-error.ts';
import type { AwsServiceEndpoints } from '../gateway/integrations/aws-service.ts';
import type { LambdaInvoker } from '../gateway/integrations/lambda-invoke.ts';
import type { IntegrationResult } from '../gateway/integrations/result.ts';
import type { ApiEndpoint } from '../runtime/api-endpoint.ts';
import type { JwtVerifier } from './auth/jwt.ts';
import { HttpLambdaAuthorizer } from './auth/lambda.ts';
import { isPreflight, preflightResult, withCors } from './cors.ts';
import {
  errorResult,
  forbidden,
  HttpApiError,
  type HttpExchange,
  internalError,
  notFound,
  tooLarge,
} from './exchange.ts';
import { awsIntegration } from './integrations/aws.ts';
import { httpProxyIntegration } from './integrations/http-proxy.ts';
import { lambdaIntegration } from './integrations/lambda.ts';
import type { HttpApi, HttpAuthorizer, HttpIntegration, HttpRoute } from './model.ts';
import { createHttpRouter } from './routes.ts';

export interface HttpGatewayOptions {
  api: HttpApi;
  region: string;
  accountId: string;
  /** `host:port` of the local endpoint, when the request names no Host. */
  domainName: string;
  lambda: LambdaInvoker;
  jwt: JwtVerifier;
  iam: IamAuthorizer;
  awsServices?: AwsServiceEndpoints;
}

/** What the log calls an integration. */
export const httpIntegrationLabel = (integration: HttpIntegration | undefined): string => {
  if (!integration) return 'none';
  if (integration.kind === 'lambda') return `lambda-proxy ${integration.payloadFormat}`;
  if (integration.kind === 'http_proxy') return 'http-proxy';
  return integration.subtype;
};

/** What the banner calls a route's authorization. */
export const httpAuthLabel = (route: HttpRoute): string => {
  const { authorizer } = route;
  if (!authorizer) return 'none';
  const scopes = route.scopes.length > 0 ? ` [${route.scopes.join(' ')}]` : '';
  if (authorizer.kind === 'iam') return 'IAM (SigV4)';
  if (authorizer.kind === 'jwt') return `${authorizer.name} (JWT)${scopes}`;
  return `${authorizer.name} (Lambda ${authorizer.payloadFormat}${authorizer.simpleResponses ? ', simple' : ''})`;
};

/**
 * One HTTP API stage (`$default`: no path prefix). A request goes: CORS preflight (answered by API Gateway when no
 * route takes OPTIONS) → route selection (404 Not Found) → authorizer (JWT, Lambda or IAM) → integration (Lambda
 * proxy 1.0/2.0, HTTP_PROXY, AWS service subtypes) → CORS headers. Every failure is `{"message": ...}` with HTTP
 * APIs' own status and text, and a reason in the log.
 */
export class HttpGateway implements ApiEndpoint {
  readonly kind = 'HTTP';
  readonly api: HttpApi;
  readonly logicalId: string;
  readonly apiId: string;
  readonly stage: string;
  private readonly options: HttpGatewayOptions;
  private readonly route: ReturnType<typeof createHttpRouter>;
  private readonly lambdaAuthorizer: HttpLambdaAuthorizer;
  private readonly lambda: ReturnType<typeof lambdaIntegration>;

  constructor(options: HttpGatewayOptions) {
    this.options = options;
    this.api = options.api;
    ({ logicalId: this.logicalId, id: this.apiId, stage: this.stage } = options.api);
    this.route = createHttpRouter(options.api.routes);
    const { lambda } = options;
    this.lambdaAuthorizer = new HttpLambdaAuthorizer((arn, event) => lambda.invoke(arn, event));
    this.lambda = lambdaIntegration(
      (arn, event) => lambda.invoke(arn, event),
      (arn) => lambda.timeoutOf(arn),
    );
  }

  /** Drops cached authorizer results (after a rebuild of the authorizer function). */
  clearAuthorizerCache(): void {
    this.lambdaAuthorizer.cache.clear();
  }

  hasRoute(method: string, path: string): boolean {
    return this.route(method.toUpperCase(), path) !== undefined;
  }

  reject(request: GatewayRequest, _type: 'REQUEST_TOO_LARGE'): GatewayAnswer {
    const error = tooLarge();
    return this.answer(request, errorResult(error), 'gateway', error.reason);
  }

  async handle(request: GatewayRequest): Promise<GatewayAnswer> {
    const exchange: HttpExchange = {
      request,
      api: this.api,
      accountId: this.options.accountId,
      region: this.options.region,
      domainName: (request.headers.host ?? request.headers.Host ?? this.options.domainName).split(':')[0] as string,
      pathParameters: {},
    };
    const { cors } = this.api;
    let label = 'gateway';
    let result: IntegrationResult;
    let reason: string | undefined;
    try {
      const match = this.route(request.method, request.path);
      if (cors && isPreflight(request) && !match) {
        return this.answer(request, preflightResult(cors, request), 'cors-preflight');
      }
      if (!match) throw notFound(`no route of ${this.api.logicalId} matches ${request.method} ${request.path}`);
      exchange.route = match.route;
      exchange.pathParameters = match.pathParameters;
      label = httpIntegrationLabel(match.route.integration);
      if (match.route.refusal || !match.route.integration) {
        throw internalError(`${match.route.routeKey} is not run locally: ${match.route.refusal ?? 'no integration'}`);
      }
      if (match.route.authorizer) await this.authorize(exchange, match.route.authorizer, match.route.scopes);
      result = await this.integrate(exchange, match.route.integration);
    } catch (error) {
      const failure =
        error instanceof HttpApiError ? error : internalError(`unexpected: ${(error as Error).message ?? error}`);
      result = errorResult(failure);
      reason = failure.reason;
    }
    return this.answer(request, cors ? withCors(cors, request, result) : result, label, reason);
  }

  private answer(
    request: GatewayRequest,
    result: IntegrationResult,
    integration: string,
    reason?: string,
  ): GatewayAnswer {
    result.headers['apigw-requestid'] = request.extendedRequestId;
    return { ...result, exchange: this.restExchange(request), integration, ...(reason ? { reason } : {}) };
  }

  /** The request as the REST side's helpers (request log, SigV4 check) take it. */
  private restExchange(request: GatewayRequest): Exchange {
    const { api, options } = this;
    const base = { request, stage: api.stage, apiId: api.id, accountId: options.accountId };
    return { ...base, domainName: options.domainName, identity: {}, cacheHit: false };
  }

  private async authorize(exchange: HttpExchange, authorizer: HttpAuthorizer, scopes: string[]): Promise<void> {
    if (authorizer.kind === 'jwt') {
      exchange.authorizer = await this.options.jwt.authorize(exchange, authorizer, scopes);
    } else if (authorizer.kind === 'lambda') {
      exchange.authorizer = await this.lambdaAuthorizer.authorize(exchange, authorizer);
    } else {
      try {
        const identity = await this.options.iam.authorize(this.restExchange(exchange.request));
        exchange.authorizer = { kind: 'iam', identity };
      } catch (error) {
        const why = error instanceof GatewayError ? (error.gatewayMessage ?? error.type) : String(error);
        throw forbidden(`AWS_IAM: ${why}`);
      }
    }
  }

  private async integrate(exchange: HttpExchange, integration: HttpIntegration): Promise<IntegrationResult> {
    if (integration.kind === 'lambda') {
      const result = await this.lambda(exchange, integration);
      // A Lambda answer without a content type is labelled text/plain by HTTP APIs.
      if (!Object.keys(result.headers).some((name) => name.toLowerCase() === 'content-type')) {
        result.headers['content-type'] = 'text/plain; charset=utf-8';
      }
      return result;
    }
    if (integration.kind === 'http_proxy') return httpProxyIntegration(exchange, integration);
    return awsIntegration(exchange, integration, this.options.awsServices ?? (() => undefined));
  }
}
