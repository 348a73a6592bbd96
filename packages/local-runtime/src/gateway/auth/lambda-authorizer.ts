import type { APIGatewayRequestAuthorizerEvent, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import type { InvokeOutcome } from '../../lambda/function-pool.ts';
import { ownValue } from '../../shared/client-keyed.ts';
import { type AuthorizerOutcome, type Exchange, headerOf, methodArn } from '../exchange.ts';
import { authorizerFailure, explicitDeny, notAuthorized, unauthorized } from '../gateway-error.ts';
import { proxyRequestContext } from '../request-context.ts';
import { TtlCache } from '../ttl-cache.ts';
import type { Authorizer } from './authorizer.ts';
import { evaluatePolicy, MalformedPolicyError, type PolicyDecision } from './policy.ts';

export type Invoke = (functionArn: string, event: unknown) => Promise<InvokeOutcome>;

interface CachedResult {
  principalId: string;
  policyDocument: unknown;
  context: Record<string, string>;
  usageIdentifierKey?: string;
  /**
   * The policy's decision for each method ARN it was evaluated against: the cached policy does not change, and a
   * cached authorizer is asked again on every request of its callers.
   */
  decisions: Map<string, PolicyDecision>;
}

type IdentitySource = { from: 'header' | 'querystring'; name: string } | undefined;

const identitySources = new Map<string, IdentitySource>();

/** `method.request.header.X` / `.querystring.X`, read once per source (what else a source names yields nothing). */
const parseIdentitySource = (source: string): IdentitySource => {
  if (identitySources.has(source)) return identitySources.get(source);
  const match = /^method\.request\.(header|querystring)\.(.+)$/.exec(source);
  const parsed = match?.[2] ? { from: match[1] as 'header' | 'querystring', name: match[2] } : undefined;
  identitySources.set(source, parsed);
  return parsed;
};

/** `method.request.header.X` / `.querystring.X` / `context.X` / `stageVariables.X` → the request's value. */
const identityValue = (exchange: Exchange, source: string): string | undefined => {
  const parsed = parseIdentitySource(source);
  if (parsed?.from === 'header') return headerOf(exchange.request, parsed.name);
  if (parsed?.from === 'querystring') return ownValue(exchange.request.query, parsed.name);
  return undefined;
};

/** The policy's decision for `arn`, evaluated once per cached result (a malformed policy throws every time). */
const decisionOf = (result: CachedResult, arn: string): PolicyDecision => {
  let decision = result.decisions.get(arn);
  if (decision === undefined) {
    decision = evaluatePolicy(result.policyDocument, arn);
    // One entry per method ARN a caller reached with this identity: bounded like the cache (a path parameter makes
    // an ARN per value, so a long-lived token sent to many of them starts afresh past a thousand).
    if (result.decisions.size >= 1000) result.decisions.clear();
    result.decisions.set(arn, decision);
  }
  return decision;
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
    let decision: PolicyDecision;
    try {
      decision = decisionOf(result, arn);
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
        decisions: new Map(),
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
