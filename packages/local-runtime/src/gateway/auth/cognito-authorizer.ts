import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { type AuthorizerOutcome, type Exchange, headerOf } from '../exchange.ts';
import { unauthorized } from '../gateway-error.ts';
import type { Authorizer } from './authorizer.ts';

/** A user pool as the local runtime knows it: its ARN, the issuer that stands in for it, its app clients. */
export interface LocalUserPool {
  arn: string;
  issuer: string;
  jwksUri: string;
  clientIds: string[];
}

/** A claim as API Gateway hands it to integrations: a string (a list as `[a b]`, an object as JSON). */
export const claimString = (value: unknown): string =>
  Array.isArray(value) ? `[${value.join(' ')}]` : typeof value === 'object' ? JSON.stringify(value) : String(value);

/**
 * COGNITO_USER_POOLS authorizer: API Gateway itself verifies the token against the pool's JWKS (signature, issuer,
 * expiry; an ID token's `aud` or an access token's `client_id` must be an app client of the pool) and hands the
 * claims to the integration as strings. Which token a method takes depends on its OAuth scopes (developer guide,
 * "Control access to REST APIs using Amazon Cognito user pools as an authorizer"): a method without scopes treats
 * the token as an ID token, a method with scopes wants an access token carrying one of them. Every failure is 401.
 */
export class CognitoAuthorizer {
  private readonly pools: Map<string, LocalUserPool & { keys: ReturnType<typeof createRemoteJWKSet> }>;

  private readonly standIn?: LocalUserPool & { keys: ReturnType<typeof createRemoteJWKSet> };

  /**
   * `standIn`: the local issuer, for a user pool the authorizer names that is not in the template (a pool of another
   * stack, passed in as a parameter): it stands in for that pool, any app client id accepted. Reported at start-up.
   */
  constructor(pools: LocalUserPool[], standIn?: { issuer: string; jwksUri: string }) {
    this.pools = new Map(pools.map((pool) => [pool.arn, { ...pool, keys: createRemoteJWKSet(new URL(pool.jwksUri)) }]));
    if (standIn) {
      this.standIn = { arn: '*', clientIds: [], ...standIn, keys: createRemoteJWKSet(new URL(standIn.jwksUri)) };
    }
  }

  async authorize(exchange: Exchange, authorizer: Authorizer, scopes: string[] = []): Promise<AuthorizerOutcome> {
    const header = headerOf(
      exchange.request,
      authorizer.identitySources[0]?.replace(/^method\.request\.header\./, '') ?? 'Authorization',
    );
    if (!header)
      throw unauthorized(`${authorizer.name}: no ${authorizer.identitySources[0] ?? 'Authorization header'}`);
    // API Gateway takes the raw token; a `Bearer ` prefix is accepted too, as clients commonly send one.
    const token = header.replace(/^Bearer\s+/i, '');
    const started = performance.now();
    let failure = `${authorizer.name}: no user pool of the template issued this token`;
    for (const arn of authorizer.providerArns) {
      const pool = this.pools.get(arn) ?? this.standIn;
      if (!pool) continue;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, pool.keys, { issuer: pool.issuer, algorithms: ['RS256'] }));
      } catch (error) {
        failure = `${authorizer.name}: ${(error as Error).message}`;
        continue;
      }
      const wanted = scopes.length > 0 ? 'access' : 'id';
      if (payload.token_use !== wanted) {
        throw unauthorized(
          `${authorizer.name}: ${wanted === 'id' ? 'this method has no OAuth scopes, so it takes an ID token' : `this method has OAuth scopes (${scopes.join(' ')}), so it takes an access token`}; got token_use "${String(payload.token_use)}"`,
        );
      }
      if (wanted === 'access') {
        const granted = String(payload.scope ?? '').split(' ');
        if (!scopes.some((scope) => granted.includes(scope))) {
          throw unauthorized(
            `${authorizer.name}: the access token has none of the method's scopes (${scopes.join(' ')})`,
          );
        }
      }
      const client = payload.token_use === 'id' ? payload.aud : payload.client_id;
      const clients = Array.isArray(client) ? client : [client];
      if (pool !== this.standIn && !clients.some((id) => typeof id === 'string' && pool.clientIds.includes(id)))
        continue;
      const claims = Object.fromEntries(Object.entries(payload).map(([key, value]) => [key, claimString(value)]));
      return {
        principalId: String(payload.sub ?? ''),
        context: {},
        claims,
        integrationLatency: Math.round(performance.now() - started),
      };
    }
    throw unauthorized(failure);
  }
}
