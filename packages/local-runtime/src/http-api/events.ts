import type {
  APIGatewayEventRequestContextV2,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayRequestAuthorizerEventV2,
} from 'aws-lambda';
import { clfTime } from '../gateway/exchange.ts';
import type { IntegrationResult } from '../gateway/integrations/result.ts';
import { proxyRequestContext, resourceIdOf } from '../gateway/request-context.ts';
import { keyed, keyedFrom } from '../shared/client-keyed.ts';
import { type HttpExchange, internalError, routeArn } from './exchange.ts';

/**
 * The Lambda events of HTTP APIs and how API Gateway reads the function's answer, per payload format version
 * (developer guide, "Working with AWS Lambda proxy integrations for HTTP APIs"). Header names arrive lower-cased;
 * 2.0 joins repeated headers and query parameters with commas and moves cookies to `cookies`.
 */

// Bodies of these types reach the function as text; any other body is base64-encoded (isBase64Encoded: true).
const TEXT_BODY = /^(text\/|application\/(json|xml|javascript|graphql)\b|[^;]*\+(json|xml)\b)/i;

const orUndefined = <T extends object>(value: T): T | undefined => (Object.keys(value).length > 0 ? value : undefined);

/** Lower-cased header names, every value kept in order (in a keyed map: see client-keyed.ts). */
export const lowerHeaders = (exchange: HttpExchange): Record<string, string[]> => {
  const headers = keyed<string[]>();
  for (const [name, values] of Object.entries(exchange.request.multiHeaders)) {
    const key = name.toLowerCase();
    headers[key] = [...(headers[key] ?? []), ...values];
  }
  return headers;
};

const bodyOf = (exchange: HttpExchange): { body?: string; isBase64Encoded: boolean } => {
  const { body } = exchange.request;
  if (body.length === 0) return { isBase64Encoded: false };
  const contentType = lowerHeaders(exchange)['content-type']?.[0] ?? '';
  return TEXT_BODY.test(contentType)
    ? { body: body.toString('utf8'), isBase64Encoded: false }
    : { body: body.toString('base64'), isBase64Encoded: true };
};

/** `/path` for the `$default` stage, `/stage/path` for a named one (rawPath and http.path carry it). */
const stagedPath = (exchange: HttpExchange): string =>
  exchange.api.stage === '$default' ? exchange.request.path : `/${exchange.api.stage}${exchange.request.path}`;

const joined = (values: Record<string, string[]>): Record<string, string> =>
  keyedFrom(Object.entries(values).map(([name, all]) => [name, all.join(',')]));

export const cookiesOf = (headers: Record<string, string[]>): string[] =>
  (headers.cookie ?? []).flatMap((value) =>
    value
      .split(';')
      .map((cookie) => cookie.trim())
      .filter(Boolean),
  );

/** The 2.0 `requestContext` (shared by the integration event and the 2.0 authorizer event). */
export const requestContextV2 = (exchange: HttpExchange): APIGatewayEventRequestContextV2 => {
  const { request } = exchange;
  return {
    accountId: exchange.accountId,
    apiId: exchange.api.id,
    domainName: exchange.domainName,
    domainPrefix: exchange.domainName.split('.')[0] ?? exchange.domainName,
    http: {
      method: request.method,
      path: stagedPath(exchange),
      protocol: request.protocol,
      sourceIp: request.sourceIp,
      userAgent: lowerHeaders(exchange)['user-agent']?.join(',') ?? '',
    },
    requestId: request.extendedRequestId,
    routeKey: exchange.route?.routeKey ?? '$default',
    stage: exchange.api.stage,
    time: clfTime(request.requestTimeEpoch),
    timeEpoch: request.requestTimeEpoch,
  };
};

/** The 2.0 authorizer part of `requestContext`: `jwt`, `lambda` or `iam`. */
const authorizerV2 = (exchange: HttpExchange): Record<string, unknown> | undefined => {
  const outcome = exchange.authorizer;
  if (!outcome) return undefined;
  if (outcome.kind === 'jwt') return { jwt: { claims: outcome.claims, scopes: outcome.scopes } };
  if (outcome.kind === 'lambda') return { lambda: outcome.context };
  const { identity } = outcome;
  return {
    iam: {
      accessKey: identity.accessKey ?? null,
      accountId: identity.accountId ?? null,
      callerId: identity.caller ?? null,
      cognitoIdentity: null,
      principalOrgId: null,
      userArn: identity.userArn ?? null,
      userId: identity.user ?? null,
    },
  };
};

const shared = (exchange: HttpExchange) => {
  const headers = lowerHeaders(exchange);
  const cookies = cookiesOf(headers);
  delete headers.cookie;
  const query: Record<string, string[]> = exchange.request.multiQuery;
  return {
    routeKey: exchange.route?.routeKey ?? '$default',
    rawPath: stagedPath(exchange),
    rawQueryString: exchange.request.rawQuery,
    cookies,
    headers: joined(headers),
    queryStringParameters: orUndefined(joined(query)),
    pathParameters: orUndefined(exchange.pathParameters),
    stageVariables: orUndefined(exchange.api.stageVariables),
  };
};

/** Payload format 2.0: absent parts (cookies, query, path parameters, body, stage variables) are left out. */
export const eventV2 = (exchange: HttpExchange): APIGatewayProxyEventV2 => {
  const { cookies, ...rest } = shared(exchange);
  const authorizer = authorizerV2(exchange);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    ...rest,
    ...(cookies.length > 0 ? { cookies } : {}),
    requestContext: { ...requestContextV2(exchange), ...(authorizer ? { authorizer } : {}) },
    ...bodyOf(exchange),
  };
  for (const key of Object.keys(event) as (keyof APIGatewayProxyEventV2)[]) {
    if (event[key] === undefined) delete event[key];
  }
  return event;
};

/** The 1.0 authorizer part of `requestContext`: JWT claims and scopes, or the Lambda authorizer's context. */
const authorizerV1 = (exchange: HttpExchange): Record<string, unknown> | undefined => {
  const outcome = exchange.authorizer;
  if (!outcome) return undefined;
  if (outcome.kind === 'jwt') return { claims: outcome.claims, scopes: outcome.scopes };
  if (outcome.kind === 'lambda') {
    return {
      ...outcome.context,
      ...(outcome.principalId === undefined ? {} : { principalId: outcome.principalId }),
      integrationLatency: outcome.integrationLatency,
    };
  }
  return undefined;
};

/** Payload format 1.0: the REST proxy event's shape, with `version: "1.0"`; absent parts are null. */
export const eventV1 = (exchange: HttpExchange): APIGatewayProxyEvent & { version: '1.0' } => {
  const { request, route } = exchange;
  const headers = lowerHeaders(exchange);
  const { body, isBase64Encoded } = bodyOf(exchange);
  const resourcePath = route?.path ?? route?.routeKey ?? request.path;
  const authorizer = authorizerV1(exchange);
  return {
    version: '1.0',
    resource: resourcePath,
    path: stagedPath(exchange),
    httpMethod: request.method,
    headers: keyedFrom(Object.entries(headers).map(([name, values]) => [name, values.at(-1) as string])),
    multiValueHeaders: headers,
    queryStringParameters: Object.keys(request.query).length > 0 ? request.query : null,
    multiValueQueryStringParameters: Object.keys(request.multiQuery).length > 0 ? request.multiQuery : null,
    // The REST proxy event's request context, with what HTTP APIs put there instead: their request id, the stage in
    // the path only for a named stage, the route as the resource.
    requestContext: {
      ...proxyRequestContext({
        request,
        stage: exchange.api.stage,
        apiId: exchange.api.id,
        accountId: exchange.accountId,
        domainName: exchange.domainName,
        identity: exchange.authorizer?.kind === 'iam' ? exchange.authorizer.identity : {},
        cacheHit: false,
      }),
      authorizer,
      path: stagedPath(exchange),
      requestId: request.extendedRequestId,
      resourceId: route ? resourceIdOf(route.routeKey) : '',
      resourcePath,
    },
    pathParameters: Object.keys(exchange.pathParameters).length > 0 ? exchange.pathParameters : null,
    stageVariables: Object.keys(exchange.api.stageVariables).length > 0 ? exchange.api.stageVariables : null,
    body: body ?? null,
    isBase64Encoded,
  };
};

/** The 2.0 Lambda authorizer event (developer guide, "Working with AWS Lambda authorizers for HTTP APIs"). */
export const authorizerEventV2 = (
  exchange: HttpExchange,
  identitySource: string[],
): APIGatewayRequestAuthorizerEventV2 => {
  const { cookies, ...rest } = shared(exchange);
  const event: APIGatewayRequestAuthorizerEventV2 = {
    version: '2.0',
    type: 'REQUEST',
    routeArn: routeArn(exchange),
    identitySource,
    ...rest,
    cookies,
    requestContext: requestContextV2(exchange),
  };
  for (const key of Object.keys(event) as (keyof APIGatewayRequestAuthorizerEventV2)[]) {
    if (event[key] === undefined) delete event[key];
  }
  return event;
};

/** The 1.0 Lambda authorizer event: the 1.0 integration event plus `type`, `methodArn` and the identity source. */
export const authorizerEventV1 = (exchange: HttpExchange, identitySource: string[]) => {
  const { requestContext, headers, multiValueHeaders, queryStringParameters, pathParameters, stageVariables } =
    eventV1(exchange);
  const joinedSources = identitySource.join(',');
  return {
    version: '1.0',
    type: 'REQUEST' as const,
    methodArn: routeArn(exchange),
    identitySource: joinedSources,
    authorizationToken: joinedSources,
    resource: requestContext.resourcePath,
    path: requestContext.path,
    httpMethod: requestContext.httpMethod,
    headers,
    multiValueHeaders,
    queryStringParameters: queryStringParameters ?? {},
    pathParameters: pathParameters ?? {},
    stageVariables: stageVariables ?? {},
    requestContext,
  };
};

const isHeaderValue = (value: unknown) => ['string', 'number', 'boolean'].includes(typeof value);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const structured = (answer: Record<string, unknown>, format: '1.0' | '2.0'): IntegrationResult => {
  const status = Number(answer.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    throw internalError(`the function answered statusCode ${JSON.stringify(answer.statusCode)}`);
  }
  const headers = answer.headers ?? {};
  if (!isObject(headers) || !Object.values(headers).every(isHeaderValue)) {
    throw internalError('the function answered headers that are not a map of strings');
  }
  if (answer.body !== undefined && answer.body !== null && typeof answer.body !== 'string') {
    throw internalError(`the function answered a body of type ${typeof answer.body} (it must be a string)`);
  }
  // The function names the headers: `__proto__` is a header name like any other.
  const multiHeaders = keyed<string[]>();
  if (format === '1.0') {
    const multi = answer.multiValueHeaders ?? {};
    if (!isObject(multi) || !Object.values(multi).every((v) => Array.isArray(v) && v.every(isHeaderValue))) {
      throw internalError('the function answered multiValueHeaders that are not a map of lists');
    }
    for (const [name, values] of Object.entries(multi)) multiHeaders[name] = (values as unknown[]).map(String);
  } else if (answer.cookies !== undefined) {
    // 2.0: each entry of `cookies` becomes a set-cookie header.
    if (!Array.isArray(answer.cookies) || !answer.cookies.every((cookie) => typeof cookie === 'string')) {
      throw internalError('the function answered cookies that are not a list of strings');
    }
    multiHeaders['set-cookie'] = answer.cookies as string[];
  }
  const body = typeof answer.body === 'string' ? answer.body : '';
  return {
    status,
    headers: keyedFrom(Object.entries(headers).map(([name, value]) => [name, String(value)])),
    multiHeaders,
    body: answer.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body),
  };
};

/**
 * The function's answer as the client gets it. 1.0 must be `{statusCode, headers?, multiValueHeaders?, body?,
 * isBase64Encoded?}`; 2.0 takes `{statusCode, headers?, cookies?, body?, isBase64Encoded?}` and, when the answer has
 * no statusCode, infers 200 with content-type application/json and the answer as the body (a string as it is,
 * anything else as JSON). A malformed answer is 500 Internal Server Error.
 */
export const resultOf = (result: unknown, format: '1.0' | '2.0'): IntegrationResult => {
  if (format === '2.0' && !(isObject(result) && 'statusCode' in result)) {
    const body = typeof result === 'string' ? result : (JSON.stringify(result) ?? 'null');
    return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
  }
  if (!isObject(result)) throw internalError('the function answered something that is not an object (payload 1.0)');
  return structured(result, format);
};
