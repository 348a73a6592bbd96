import { evaluatePolicy } from '../../gateway/auth/policy.ts';
import { TtlCache } from '../../gateway/ttl-cache.ts';
import type { InvokeOutcome } from '../../lambda/function-pool.ts';
import { authorizerEventV1, authorizerEventV2 } from '../events.ts';
import {
  forbidden,
  type HttpAuthorizerOutcome,
  type HttpExchange,
  internalError,
  routeArn,
  unauthorized,
} from '../exchange.ts';
import type { LambdaAuthorizerModel } from '../model.ts';
import { selectValue } from '../selection.ts';

export type InvokeAuthorizer = (functionArn: string, event: unknown) => Promise<InvokeOutcome>;

type Decision =
  | { kind: 'simple'; isAuthorized: boolean; context: Record<string, unknown> }
  | { kind: 'policy'; principalId?: string; policyDocument: unknown; context: Record<string, unknown> };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Lambda (REQUEST) authorizers of HTTP APIs (developer guide, "Working with AWS Lambda authorizers for HTTP APIs"):
 * a request missing one of the identity sources gets 401 without the function being invoked; the function gets the
 * 1.0 or 2.0 authorizer event and answers a simple response (`{isAuthorized, context}`, 2.0 with simple responses
 * on) or an IAM policy, matched against the route ARN. Not authorized or denied is 403 Forbidden; a function error or
 * a malformed answer is 500 Internal Server Error. With a TTL the answer is cached by the identity sources' values.
 */
export class HttpLambdaAuthorizer {
  readonly cache = new TtlCache<Decision>();
  private readonly invoke: InvokeAuthorizer;

  constructor(invoke: InvokeAuthorizer) {
    this.invoke = invoke;
  }

  async authorize(exchange: HttpExchange, authorizer: LambdaAuthorizerModel): Promise<HttpAuthorizerOutcome> {
    const identities = authorizer.identitySources.map((source) => selectValue(exchange, source));
    const missing = authorizer.identitySources.filter((_, i) => !identities[i]);
    if (missing.length > 0) throw unauthorized(`${authorizer.name}: the request has no ${missing.join(', ')}`);
    const started = performance.now();
    const cacheable = authorizer.ttlSeconds > 0 && identities.length > 0;
    const key = `${authorizer.name}\u0000${identities.join('\u0000')}`;
    let decision = cacheable ? this.cache.get(key) : undefined;
    if (!decision) {
      decision = await this.call(exchange, authorizer, identities as string[]);
      if (cacheable) this.cache.set(key, decision, authorizer.ttlSeconds * 1000);
    }
    const integrationLatency = Math.round(performance.now() - started);
    if (decision.kind === 'simple') {
      if (!decision.isAuthorized) throw forbidden(`${authorizer.name}: the authorizer answered isAuthorized: false`);
      return { kind: 'lambda', context: decision.context, integrationLatency };
    }
    const arn = routeArn(exchange);
    let verdict: ReturnType<typeof evaluatePolicy>;
    try {
      verdict = evaluatePolicy(decision.policyDocument, arn);
    } catch (error) {
      throw internalError(`${authorizer.name}: the authorizer's policy is malformed (${(error as Error).message})`);
    }
    if (verdict !== 'allow') {
      throw forbidden(
        `${authorizer.name}: the policy ${verdict === 'deny' ? 'denies' : 'does not allow'} execute-api:Invoke on ${arn}`,
      );
    }
    return {
      kind: 'lambda',
      ...(decision.principalId === undefined ? {} : { principalId: decision.principalId }),
      context: decision.context,
      integrationLatency,
    };
  }

  private async call(
    exchange: HttpExchange,
    authorizer: LambdaAuthorizerModel,
    identities: string[],
  ): Promise<Decision> {
    const event =
      authorizer.payloadFormat === '2.0'
        ? authorizerEventV2(exchange, identities)
        : authorizerEventV1(exchange, identities);
    let outcome: InvokeOutcome;
    try {
      outcome = await this.invoke(authorizer.functionArn, event);
    } catch (error) {
      throw internalError(`${authorizer.name}: the authorizer could not be invoked (${(error as Error).message})`);
    }
    if (outcome.status === 'timeout') throw internalError(`${authorizer.name}: the authorizer timed out`);
    if (outcome.status === 'error') {
      throw internalError(
        `${authorizer.name}: the authorizer failed (${outcome.error.errorType}: ${outcome.error.errorMessage})`,
      );
    }
    const answer = outcome.result;
    if (!isObject(answer)) throw internalError(`${authorizer.name}: the authorizer's answer is not an object`);
    const context = answer.context === undefined || answer.context === null ? {} : answer.context;
    if (!isObject(context)) throw internalError(`${authorizer.name}: the authorizer's context is not a map`);
    if (authorizer.payloadFormat === '2.0' && authorizer.simpleResponses) {
      if (typeof answer.isAuthorized !== 'boolean') {
        throw internalError(`${authorizer.name}: a simple response needs a boolean isAuthorized`);
      }
      return { kind: 'simple', isAuthorized: answer.isAuthorized, context };
    }
    if (answer.policyDocument === undefined) {
      throw internalError(`${authorizer.name}: the authorizer answered no policyDocument (simple responses are off)`);
    }
    return {
      kind: 'policy',
      ...(typeof answer.principalId === 'string' ? { principalId: answer.principalId } : {}),
      policyDocument: answer.policyDocument,
      context,
    };
  }
}
