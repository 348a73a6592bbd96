import type { APIGatewayEventRequestContextWithAuthorizer, APIGatewayProxyEvent } from 'aws-lambda';
import { clfTime, type Exchange, headerOf } from './exchange.ts';

type RequestContext = APIGatewayEventRequestContextWithAuthorizer<APIGatewayProxyEvent['requestContext']['authorizer']>;

/** The caller's identity; what there is no value for is `missing` (`null` in a proxy event, `""` for a template). */
const identityOf = <Missing extends null | ''>(exchange: Exchange, missing: Missing) => ({
  accessKey: exchange.identity.accessKey ?? missing,
  accountId: exchange.identity.accountId ?? missing,
  ...apiKeyOf(exchange, missing),
  caller: exchange.identity.caller ?? missing,
  // No mutual TLS here: neither the proxy event (test_apigateway_lambda.py::test_lambda_aws_proxy_integration) nor
  // `$context.identity` (test_apigateway_sqs.py::test_sqs_amz_json_protocol, its keySet()) has a clientCert.
  cognitoAuthenticationProvider: missing,
  cognitoAuthenticationType: missing,
  cognitoIdentityId: missing,
  cognitoIdentityPoolId: missing,
  principalOrgId: missing,
  sourceIp: exchange.request.sourceIp,
  user: exchange.identity.user ?? missing,
  userAgent: headerOf(exchange.request, 'user-agent') ?? missing,
  userArn: exchange.identity.userArn ?? missing,
});

/**
 * The developer guide's sample proxy event ("Input format of a Lambda function for proxy integration") shows
 * `apiKey` and `apiKeyId` always; the recorded events of a method without an API key have neither (recording
 * test_apigateway_lambda.py::test_lambda_aws_proxy_integration "invocation-payload-without-trailing-slash"): the
 * recording wins. Nor has `$context.identity`'s keySet() (recording test_apigateway_sqs.py::test_sqs_amz_json_protocol
 * "sqs-messages"); `$context.identity.apiKey` still renders "", as any missing reference does.
 */
const apiKeyOf = (exchange: Exchange, missing: null | '') =>
  exchange.identity.apiKey === undefined
    ? {}
    : { apiKey: exchange.identity.apiKey, apiKeyId: exchange.identity.apiKeyId ?? missing };

const deploymentIds = new Map<string, string>();

/** A stable deployment id per API and stage, in the shape of API Gateway's (6 lower-case letters and digits). */
export const deploymentIdOf = (apiId: string, stage: string): string => {
  const key = `${apiId}/${stage}`;
  let id = deploymentIds.get(key);
  if (id === undefined) {
    id = resourceIdOf(`deployment:${key}`);
    deploymentIds.set(key, id);
  }
  return id;
};

const authorizerOf = (exchange: Exchange): RequestContext['authorizer'] => {
  const outcome = exchange.authorizer;
  if (!outcome) return undefined;
  if (outcome.claims) return { claims: outcome.claims };
  return { ...outcome.context, principalId: outcome.principalId, integrationLatency: outcome.integrationLatency };
};

/** The `requestContext` of a REST Lambda proxy event (API Gateway developer guide, "Input format of a Lambda function for proxy integration"). */
export const proxyRequestContext = (exchange: Exchange): RequestContext =>
  requestContextOf(
    exchange,
    authorizerOf(exchange),
    // The event's identity has no apiKey, apiKeyId or clientCert unless there are some (see apiKeyOf).
    identityOf(exchange, null) as unknown as RequestContext['identity'],
  );

/** The request context with the given `authorizer` and `identity`: the proxy event's, or (see vtlContext) `$context`'s. */
const requestContextOf = <Authorizer, Identity>(exchange: Exchange, authorizer: Authorizer, identity: Identity) => {
  const { request } = exchange;
  const resourcePath = exchange.match?.operation.resourcePath ?? request.path;
  return {
    accountId: exchange.accountId,
    apiId: exchange.apiId,
    authorizer,
    deploymentId: exchange.deploymentId,
    domainName: exchange.domainName,
    domainPrefix: exchange.domainName.split('.')[0] ?? exchange.domainName,
    extendedRequestId: request.extendedRequestId,
    httpMethod: request.method,
    identity,
    // Repeated slashes after the stage are kept here (see sentBelowStage).
    path: `/${exchange.stage}${request.pathAsSent ?? request.path}`,
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
  const authorizer: Record<string, unknown> | undefined = exchange.authorizer
    ? {
        principalId: exchange.authorizer.principalId,
        claims: exchange.authorizer.claims ?? {},
        ...exchange.authorizer.context,
      }
    : undefined;
  const { authorizer: _none, ...withoutAuthorizer } = requestContextOf(exchange, authorizer, identityOf(exchange, ''));
  // `$context.keySet()` on AWS names no authorizer, error or status a request does not have (recording
  // test_apigateway_sqs.py::test_sqs_amz_json_protocol "sqs-messages"); a template reading one gets "", as for any
  // missing reference.
  return Object.assign(authorizer ? { ...withoutAuthorizer, authorizer } : withoutAuthorizer, {
    // "Present only when you enabled a canary" (mapping template reference, "$context variables"); false, as no
    // request goes to a canary locally (recording test_apigateway_canary.py::TestCanaryDeployments::
    // test_invoking_canary_deployment "response-deployment-1", a canary at 0%).
    ...(exchange.hasCanary ? { isCanaryRequest: false } : {}),
    ...(error ? { error } : {}),
    ...(exchange.integrationStatus === undefined ? {} : { status: exchange.integrationStatus }),
    // In AWS's order (recording test_apigateway_sqs.py::test_sqs_amz_json_protocol: path, header, querystring).
    requestOverride: { path: {}, header: {}, querystring: {} },
    responseOverride: { header: {} },
  });
};
