import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Exchange } from '../../gateway/exchange.ts';
import { GatewayError, internalServerError } from '../../gateway/gateway-error.ts';
import { type InvokeFunction, invokeForGateway, lambdaArnOf } from '../../gateway/integrations/lambda-invoke.ts';
import type { IntegrationResult } from '../../gateway/integrations/result.ts';
import { proxyRequestContext } from '../../gateway/request-context.ts';
import { keyed } from '../../shared/client-keyed.ts';
import { firstAcceptType, isBinaryMediaType, isBinaryRequest } from '../binary-media.ts';
import type { Integration } from '../model.ts';
import { integrationTraceHeader } from './answer-trace.ts';
import { eventPath, eventPathParameters, proxyHeaders } from './proxy-request.ts';

const orNull = <T extends object>(value: T): T | null => (Object.keys(value).length > 0 ? value : null);

/**
 * The REST proxy event (developer guide, "Input format of a Lambda function for proxy integration"). The body is
 * base64 with `isBase64Encoded: true` only when its Content-Type is one of the API's binary media types; any other
 * body is passed as UTF-8 text ("Content type conversions in API Gateway").
 */
export const proxyEvent = (exchange: Exchange, stageVariables: Record<string, string>): APIGatewayProxyEvent => {
  const { request } = exchange;
  const isText = request.body.length === 0 || !isBinaryRequest(exchange.binaryMediaTypes ?? [], request);
  const headers = proxyHeaders(request, exchange.endpointType ?? 'EDGE');
  return {
    resource: exchange.match?.operation.resourcePath ?? request.path,
    path: eventPath(request),
    httpMethod: request.method,
    headers: orNull(headers.single) as APIGatewayProxyEvent['headers'],
    multiValueHeaders: orNull(headers.multi) as APIGatewayProxyEvent['multiValueHeaders'],
    queryStringParameters: orNull(request.query),
    multiValueQueryStringParameters: orNull(request.multiQuery),
    pathParameters: orNull(eventPathParameters(exchange)),
    stageVariables: orNull(stageVariables),
    requestContext: proxyRequestContext(exchange),
    body: request.body.length === 0 ? null : isText ? request.body.toString('utf8') : request.body.toString('base64'),
    isBase64Encoded: !isText,
  };
};

const isHeaderValue = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** The keys of a proxy answer; any other is a malformed answer (recording "invoke-api-wrong-format"). */
const PROXY_ANSWER_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

/**
 * Validates the function's answer as API Gateway does: anything but `{statusCode?, headers?, multiValueHeaders?,
 * body?, isBase64Encoded?}` with the right types is "Malformed Lambda proxy response" → 502. As recorded on AWS
 * (test_apigateway_lambda.py::test_aws_proxy_response_payload_format_validation), where the developer guide
 * ("Output format of a Lambda function for proxy integration") says otherwise: a key outside that shape is a 502
 * ("invoke-api-wrong-format"); no `statusCode` is a 200 ("invoke-api-only-headers"); a name in both `headers` and
 * `multiValueHeaders` is sent with both values, the multi-value ones first, in the multi-value spelling
 * ("invoke-api-multi-headers-overwrite", "-overwrite-casing").
 */
export const proxyResult = (result: unknown, decodeBase64 = true): IntegrationResult => {
  const answer = result as Record<string, unknown> | null;
  if (!answer || typeof answer !== 'object' || Array.isArray(answer)) throw internalServerError('not an object');
  const outside = Object.keys(answer).filter((key) => !PROXY_ANSWER_KEYS.has(key));
  if (outside.length > 0) throw internalServerError(`keys outside the proxy answer: ${outside.join(', ')}`);
  const status = answer.statusCode === undefined ? 200 : Number(answer.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) throw internalServerError('statusCode');
  const headers = answer.headers ?? {};
  const multi = answer.multiValueHeaders ?? {};
  if (typeof headers !== 'object' || !Object.values(headers as object).every(isHeaderValue))
    throw internalServerError('headers');
  if (
    typeof multi !== 'object' ||
    !Object.values(multi as object).every((v) => Array.isArray(v) && v.every(isHeaderValue))
  ) {
    throw internalServerError('multiValueHeaders');
  }
  if (answer.body !== undefined && answer.body !== null && typeof answer.body !== 'string')
    throw internalServerError('body');
  const body = typeof answer.body === 'string' ? answer.body : '';
  const multiHeaders = keyed<string[]>();
  const multiNames = new Map<string, string>();
  for (const [name, values] of Object.entries(multi as Record<string, unknown[]>)) {
    multiHeaders[name] = values.map(String);
    multiNames.set(name.toLowerCase(), name);
  }
  const singleHeaders = keyed<string>();
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    const multiName = multiNames.get(name.toLowerCase());
    if (multiName === undefined) singleHeaders[name] = String(value);
    else multiHeaders[multiName]?.push(String(value));
  }
  return {
    status,
    headers: singleHeaders,
    multiHeaders,
    body: answer.isBase64Encoded === true && decodeBase64 ? Buffer.from(body, 'base64') : Buffer.from(body),
  };
};

/**
 * An AWS_PROXY integration to Lambda invokes with POST; another IntegrationHttpMethod deploys but every request is
 * a 500 (recording test_apigateway_lambda.py::test_lambda_aws_proxy_integration_non_post_method, where the test
 * notes that AWS answers 500 for this integration failure, not the 504 the developer guide gives INTEGRATION_FAILURE).
 */
const notPost = (integration: Integration) =>
  new GatewayError('INTEGRATION_FAILURE', 'Internal server error', {
    status: 500,
    reason: `the AWS_PROXY integration's IntegrationHttpMethod is ${integration.httpMethod}; Lambda is invoked with POST only`,
  });

/** The ARN of each integration URI, read once (a regular expression per request otherwise). */
const arnsByUri = new Map<string, string | undefined>();
const cachedLambdaArnOf = (uri: string): string | undefined => {
  if (!arnsByUri.has(uri)) arnsByUri.set(uri, lambdaArnOf(uri));
  return arnsByUri.get(uri);
};

export const lambdaProxyIntegration =
  (invoke: InvokeFunction, functionTimeout: (arn: string) => number, stageVariables: Record<string, string>) =>
  async (exchange: Exchange, integration: Integration): Promise<IntegrationResult> => {
    const arn = cachedLambdaArnOf(integration.uri);
    if (!arn) throw internalServerError(`not a Lambda URI: ${integration.uri}`);
    if (integration.httpMethod !== 'POST') throw notPost(integration);
    const answer = await invokeForGateway(
      invoke,
      arn,
      proxyEvent(exchange, stageVariables),
      exchange.request.requestId,
      integration.timeoutMs,
      functionTimeout(arn),
    );
    if (!answer.ok) {
      throw internalServerError(
        answer.error,
        `${arn.split(':').at(-1)} failed: ${answer.error.errorType}: ${answer.error.errorMessage.split('\n')[0]}`,
      );
    }
    try {
      // An isBase64Encoded answer is decoded only when the first Accept type is a binary media type; else the client
      // gets the base64 text (recording test_apigateway_lambda.py::test_aws_proxy_response_payload_format_validation
      // "invoke-api-b64-encoded-true", an API with no binary media types).
      const result = proxyResult(
        answer.result,
        isBinaryMediaType(exchange.binaryMediaTypes ?? [], firstAcceptType(exchange.request)),
      );
      const named = (name: string) => name.toLowerCase() === 'x-amzn-trace-id';
      if (!Object.keys(result.headers).some(named) && !Object.keys(result.multiHeaders ?? {}).some(named)) {
        result.headers['X-Amzn-Trace-Id'] = integrationTraceHeader(exchange);
      }
      return result;
    } catch (error) {
      throw internalServerError(
        error,
        `Malformed Lambda proxy response from ${arn.split(':').at(-1)} (${(error as GatewayError).cause ?? 'shape'})`,
      );
    }
  };
