import type { APIGatewayEventRequestContextWithAuthorizer, APIGatewayProxyEvent } from 'aws-lambda';
import { clfTime, type Exchange } from './exchange.ts';

type RequestContext = APIGatewayEventRequestContextWithAuthorizer<APIGatewayProxyEvent['requestContext']['authorizer']>;

const identityOf = (exchange: Exchange): RequestContext['identity'] => ({
  accessKey: exchange.identity.accessKey ?? null,
  accountId: exchange.identity.accountId ?? null,
  apiKey: exchange.identity.apiKey ?? null,
  apiKeyId: exchange.identity.apiKeyId ?? null,
  caller: exchange.identity.caller ?? null,
  clientCert: null,
  cognitoAuthenticationProvider: null,
  cognitoAuthenticationType: null,
  cognitoIdentityId: null,
  cognitoIdentityPoolId: null,
  principalOrgId: null,
  sourceIp: exchange.request.sourceIp,
  user: exchange.identity.user ?? null,
  userAgent: Object.entries(exchange.request.headers).find(([k]) => k.toLowerCase() === 'user-agent')?.[1] ?? null,
  userArn: exchange.identity.userArn ?? null,
});

const authorizerOf = (exchange: Exchange): RequestContext['authorizer'] => {
  const outcome = exchange.authorizer;
  if (!outcome) return undefined;
  if (outcome.claims) return { claims: outcome.claims };
  return { ...outcome.context, principalId: outcome.principalId, integrationLatency: outcome.integrationLatency };
};

/** The `requestContext` of a REST Lambda proxy event (API Gateway developer guide, "Input format of a Lambda function for proxy integration"). */
export const proxyRequestContext = (exchange: Exchange): RequestContext => {
  const { request } = exchange;
  const resourcePath = exchange.match?.operation.resourcePath ?? request.path;
  return {
    accountId: exchange.accountId,
    apiId: exchange.apiId,
    authorizer: authorizerOf(exchange),
    domainName: exchange.domainName,
    domainPrefix: exchange.domainName.split('.')[0] ?? exchange.domainName,
    extendedRequestId: request.extendedRequestId,
    httpMethod: request.method,
    identity: identityOf(exchange),
    path: `/${exchange.stage}${request.path}`,
    protocol: request.protocol,
    requestId: request.requestId,
    requestTime: clfTime(request.requestTimeEpoch),
    requestTimeEpoch: request.requestTimeEpoch,
    resourceId: resourceIdOf(resourcePath),
    resourcePath,
    stage: exchange.stage,
  };
};

/** A stable short id per resource path, like API Gateway's resource ids. */
export const resourceIdOf = (resourcePath: string): string => {
  let hash = 0;
  for (const char of resourcePath) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash.toString(36).padStart(6, '0').slice(-6);
};

/** `$context` of mapping templates and gateway responses (mapping template reference, "$context variables"). */
export const vtlContext = (exchange: Exchange, error?: Record<string, unknown>): Record<string, unknown> => {
  const requestContext = proxyRequestContext(exchange);
  const authorizer: Record<string, unknown> = exchange.authorizer
    ? {
        principalId: exchange.authorizer.principalId,
        claims: exchange.authorizer.claims ?? {},
        ...exchange.authorizer.context,
      }
    : { claims: {} };
  return {
    ...requestContext,
    authorizer,
    identity: Object.fromEntries(Object.entries(requestContext.identity).map(([key, value]) => [key, value ?? ''])),
    error: error ?? {},
    stage: exchange.stage,
    status: exchange.integrationStatus,
    requestOverride: { header: {}, querystring: {}, path: {} },
    responseOverride: { header: {} },
  };
};
