import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { type Principal, principalContext } from './principal.ts';

/** What each scope opens, as `METHOD/path` below the stage (`*` matches any method or path segment run). */
export const routesByScope: Readonly<Record<string, readonly string[]>> = {
  'orders:read': ['GET/v1/orders/*', 'GET/v2/orders/*'],
  'orders:write': ['POST/v1/orders', 'POST/v2/orders'],
};

/** Routes any valid token may call, whatever its scopes. */
export const routesForAnyToken: readonly string[] = ['*/v1/legacy/*'];

/** `arn:aws:execute-api:region:account:apiId/stage` of a method ARN `...:apiId/stage/METHOD/path`. */
export const stagePrefix = (methodArn: string): string => {
  const [apiPart, stage] = methodArn.split('/');
  if (!apiPart?.startsWith('arn:') || !stage) throw new Error(`Not an execute-api method ARN: ${methodArn}`);
  return `${apiPart}/${stage}`;
};

/**
 * The IAM policy of a REST TOKEN authorizer. API Gateway caches the policy by token for the authorizer's TTL and
 * applies the cached one to every method the token calls, so the policy lists every method the token's scopes
 * allow on the stage, not only the method of this request (a one-method policy would wrongly deny the others).
 */
export const restPolicy = (methodArn: string, principal: Principal): APIGatewayAuthorizerResult => {
  const prefix = stagePrefix(methodArn);
  const routes = [...routesForAnyToken, ...principal.scopes.flatMap((scope) => routesByScope[scope] ?? [])];
  return {
    principalId: principal.sub,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [...new Set(routes)].map((r) => `${prefix}/${r}`) },
      ],
    },
    context: principalContext(principal),
  };
};

/** The policy of the WebSocket $connect REQUEST authorizer: the connect route it was asked about, nothing else. */
export const connectPolicy = (methodArn: string, principal: Principal): APIGatewayAuthorizerResult => ({
  principalId: principal.sub,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: methodArn }],
  },
  context: principalContext(principal),
});
