import type { APIGatewayRequestAuthorizerEvent, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import type { InvokeOutcome } from '../../lambda/function-pool.ts';
import { ownValue } from '../../shared/client-keyed.ts';
import { type AuthorizerOutcome, type Exchange, headerOf, methodArn } from '../exchange.ts';
import { authorizerFailure, explicitDeny, notAuthorized, unauthorized } from '../gateway-error.ts';
import { proxyRequestContext } from '../request-context.ts';
import { TtlCache } from '../ttl-cache.ts';
import type { Authorizer } from './authorizer.ts';
import { evaluatePolicy, MalformedPolicyError } from './policy.ts';

export type Invoke = (functionArn: string, event: unknown) => Promise<InvokeOutcome>;

interface CachedResult {
  principalId: string;
  policyDocument: unknown;
  context: Record<string, string>;
  usageIdentifierKey?: string;
}

/** `method.request.header.X` / `.querystring.X` / `context.X` / `stageVariables.X` → the request's value. */
const identityValue = (exchange: Exchange, source: string): string | undefined => {
  const header = /^method\.request\.header\.(.+)$/.exec(source);
  if (header?.[1]) return headerOf(exchange.request, header[1]);
  const query = /^method\.request\.querystring\.(.+)$/.exec(source);
  if (query?.[1]) return ownValue(exchange.request.query, query[1]);
  return undefined;
};

// Context values must be strings, numbers or booleans; API Gateway passes them on as strings and refuses an
// authorizer response with objects or arrays in it (developer guide, "Output from an API Gateway Lambda authorizer").
export const stringifyContext = (context: unknown): Record<string, string> => {
  if (context === undefined || context === null) return {};
  if (typeof context !== 'object' || Array.isArray(context)) throw new MalformedPolicyError('context is not a map');
  return Object.fromEntries(
    Object.entries(context).map(([key, value]) => {
      if (value !== null && typeof value === 'object')
        throw new MalformedPolicyError(`context.${key} is not a primitive`);
      return [key, String(value)];
    }),
  );
};

/**
 * TOKEN and REQUEST Lambda authorizers: the identity sources must be present (and match the validation
 * expression) or the caller gets 401 without the function being invoked; the function's policy is cached by
 * identity for the TTL, and the cached policy is evaluated against each request's method ARN, so a token
 * allowed on one method may be denied on another without a new invocation.
 */
export class LambdaAuthorizer {
  readonly cache = new TtlCache<CachedResult>();
  private readonly invoke: Invoke;
  private readonly region: string;

  constructor(invoke: Invoke, region: string) {
    this.invoke = invoke;
    this.region = region;
  }

  async authorize(exchange: Exchange, authorizer: Authorizer): Promise<AuthorizerOutcome> {
    const identities = authorizer.identitySources.map((source) => identityValue(exchange, source));
    if (identities.some((value) => value === undefined || value === '')) {
      throw unauthorized(
        `${authorizer.name}: no ${authorizer.identitySources.join(', ')}, so the authorizer was not called`,
      );
    }
    const token = identities[0] as string;
    if (
      authorizer.type === 'token' &&
      authorizer.identityValidationExpression &&
      !authorizer.identityValidationExpression.test(token)
    ) {
      throw unauthorized(
        `${authorizer.name}: the token does not match identityValidationExpression ${authorizer.identityValidationExpression}`,
      );
    }
    const arn = methodArn(exchange, this.region);
    const cacheKey = `${authorizer.name}\u0000${identities.join('\u0000')}`;
    const started = performance.now();
    let result = this.cache.get(cacheKey);
    if (!result) {
      result = await this.call(exchange, authorizer, token, arn);
      this.cache.set(cacheKey, result, authorizer.ttlSeconds * 1000);
    }
    let decision: ReturnType<typeof evaluatePolicy>;
    try {
      decision = evaluatePolicy(result.policyDocument, arn);
    } catch (error) {
      throw authorizerFailure(error);
    }
    if (decision === 'deny')
      throw explicitDeny(`${authorizer.name}: its policy for ${result.principalId} denies ${arn}`);
    if (decision === 'not-allowed') {
      throw notAuthorized(`${authorizer.name}: its policy for ${result.principalId} allows nothing matching ${arn}`);
    }
    return {
      principalId: result.principalId,
      context: result.context,
      usageIdentifierKey: result.usageIdentifierKey,
      integrationLatency: Math.round(performance.now() - started),
    };
  }

  private async call(exchange: Exchange, authorizer: Authorizer, token: string, arn: string): Promise<CachedResult> {
    if (!authorizer.functionArn) throw authorizerFailure(new Error(`${authorizer.name}: no authorizerUri`));
    const event = authorizer.type === 'token' ? tokenEvent(token, arn) : requestEvent(exchange, arn);
    const outcome = await this.invoke(authorizer.functionArn, event).catch((error: unknown) => {
      throw authorizerFailure(error);
    });
    if (outcome.status === 'error' && outcome.error.errorMessage === 'Unauthorized') {
      throw unauthorized(`${authorizer.name}: the authorizer answered Unauthorized`);
    }
    if (outcome.status !== 'ok') {
      throw authorizerFailure(
        outcome,
        `${authorizer.name}: the authorizer ${outcome.status === 'timeout' ? 'timed out' : `failed (${outcome.error.errorType}: ${outcome.error.errorMessage.split('\n')[0]})`}`,
      );
    }
    const response = outcome.result as Record<string, unknown> | null;
    if (!response || typeof response !== 'object' || typeof response.principalId !== 'string') {
      throw authorizerFailure(new MalformedPolicyError('the authorizer returned no principalId'));
    }
    try {
      return {
        principalId: response.principalId,
        policyDocument: response.policyDocument,
        context: stringifyContext(response.context),
        usageIdentifierKey: typeof response.usageIdentifierKey === 'string' ? response.usageIdentifierKey : undefined,
      };
    } catch (error) {
      throw authorizerFailure(error);
    }
  }
}

export const tokenEvent = (token: string, arn: string): APIGatewayTokenAuthorizerEvent => ({
  type: 'TOKEN',
  authorizationToken: token,
  methodArn: arn,
});

export const requestEvent = (exchange: Exchange, arn: string): APIGatewayRequestAuthorizerEvent => {
  const { request } = exchange;
  return {
    type: 'REQUEST',
    methodArn: arn,
    resource: exchange.match?.operation.resourcePath ?? request.path,
    path: request.path,
    httpMethod: request.method,
    headers: request.headers,
    multiValueHeaders: request.multiHeaders,
    queryStringParameters: request.query,
    multiValueQueryStringParameters: request.multiQuery,
    pathParameters: exchange.match?.pathParameters ?? {},
    stageVariables: {},
    requestContext: proxyRequestContext(exchange) as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
};
