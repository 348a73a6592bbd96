import type { APIGatewayProxyEvent } from 'aws-lambda';
import { proxyRequestContext } from '../context.ts';
import { type Exchange, headerOf } from '../exchange.ts';
import { type GatewayError, internalServerError } from '../gateway-error.ts';
import { type Integration, lambdaArnOf } from '../model.ts';
import { type InvokeFunction, invokeForGateway } from './lambda-invoke.ts';
import { eventPath, eventPathParameters, proxyHeaders } from './proxy-request.ts';
import type { IntegrationResult } from './types.ts';

const orNull = <T extends object>(value: T): T | null => (Object.keys(value).length > 0 ? value : null);

const TEXT_TYPES = /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript)|[^;]*\+(json|xml))/i;

/** The REST proxy event (developer guide, "Input format of a Lambda function for proxy integration"). */
export const proxyEvent = (exchange: Exchange, stageVariables: Record<string, string>): APIGatewayProxyEvent => {
  const { request } = exchange;
  const contentType = headerOf(request, 'content-type') ?? '';
  const isText = request.body.length === 0 || contentType === '' || TEXT_TYPES.test(contentType);
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

/**
 * Validates the function's answer as API Gateway does: anything but `{statusCode, headers?, multiValueHeaders?,
 * body?, isBase64Encoded?}` with the right types is "Malformed Lambda proxy response" → 502.
 */
export const proxyResult = (result: unknown): IntegrationResult => {
  const answer = result as Record<string, unknown> | null;
  if (!answer || typeof answer !== 'object' || Array.isArray(answer)) throw internalServerError('not an object');
  const status = Number(answer.statusCode);
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
  return {
    status,
    headers: Object.fromEntries(Object.entries(headers as object).map(([k, v]) => [k, String(v)])),
    multiHeaders: Object.fromEntries(
      Object.entries(multi as object).map(([k, v]) => [k, (v as unknown[]).map(String)]),
    ),
    body: answer.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body),
  };
};

export const lambdaProxyIntegration =
  (invoke: InvokeFunction, functionTimeout: (arn: string) => number, stageVariables: Record<string, string>) =>
  async (exchange: Exchange, integration: Integration): Promise<IntegrationResult> => {
    const arn = lambdaArnOf(integration.uri);
    if (!arn) throw internalServerError(`not a Lambda URI: ${integration.uri}`);
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
      return proxyResult(answer.result);
    } catch (error) {
      throw internalServerError(
        error,
        `Malformed Lambda proxy response from ${arn.split(':').at(-1)} (${(error as GatewayError).cause ?? 'shape'})`,
      );
    }
  };
