import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { claimString } from '../../gateway/auth/cognito-authorizer.ts';
import { forbidden, type HttpAuthorizerOutcome, type HttpExchange, unauthorized } from '../exchange.ts';
import type { JwtAuthorizer } from '../model.ts';
import { selectValue } from '../selection.ts';

/** The local issuer every JWT authorizer is pointed at (it stands in for the template's Cognito pool or IdP). */
export interface LocalJwtIssuer {
  issuer: string;
  jwksUri: string;
}

const challenge = (error: string, description: string, scopes: string[] = []) => ({
  'www-authenticate': `Bearer scope="${scopes.join(' ')}" error="${error}" error_description="${description}"`,
});

/**
 * The `error_description` of a token that does not verify: one fixed text per kind of failure, never the library's
 * message, which quotes the token (a `crit` name holding CR LF or text beyond Latin-1 cannot even be written in a
 * header). The developer guide shows "the token does not have a valid audience" ("Troubleshooting issues with HTTP
 * API JWT authorizers"); the others are worded alike.
 */
const invalidTokenDescription = (error: unknown): string => {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'the token does not have a valid issuer';
    if (error.claim === 'nbf') return 'the token is not valid yet';
    return 'the token has an invalid claim';
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature is invalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token signing method is not allowed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'the token signing key is not known';
  return 'the token is malformed';
};

const tokenScopes = (payload: JWTPayload): string[] => {
  const raw = payload.scope ?? payload.scp;
  if (Array.isArray(raw)) return raw.map(String);
  return typeof raw === 'string' ? raw.split(' ').filter(Boolean) : [];
};

/**
 * JWT authorizers of HTTP APIs (developer guide, "Controlling access to HTTP APIs with JWT authorizers"): the token
 * is the identity source's value, alone or after `Bearer `; its RSA signature must verify against the issuer's JWKS,
 * `iss` must be the issuer, `aud` (or `client_id` when there is no `aud`) one of the audiences, `exp`/`nbf` valid —
 * else 401 Unauthorized with a `www-authenticate` header saying why. A route with AuthorizationScopes needs a token
 * whose `scope` (or `scp`) holds at least one of them, else 403 Forbidden. Locally the issuer is the runtime's own
 * (`sam-local-runtime token`), whatever issuer URL the template names.
 */
export class JwtVerifier {
  private readonly issuer: LocalJwtIssuer;
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(issuer: LocalJwtIssuer) {
    this.issuer = issuer;
    this.keys = createRemoteJWKSet(new URL(issuer.jwksUri));
  }

  async authorize(exchange: HttpExchange, authorizer: JwtAuthorizer, scopes: string[]): Promise<HttpAuthorizerOutcome> {
    const raw = selectValue(exchange, authorizer.identitySources[0] ?? '$request.header.Authorization');
    if (!raw) throw unauthorized(`${authorizer.name}: no token in ${authorizer.identitySources.join(', ')}`);
    const token = raw.replace(/^Bearer\s+/i, '');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.issuer.issuer,
        algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
      }));
    } catch (error) {
      // The library's words go to the log only, quoted: they may hold the token's own text.
      const why = JSON.stringify(error instanceof Error ? error.message : String(error));
      throw unauthorized(
        `${authorizer.name}: the token is not valid (${why}; tokens come from ${this.issuer.issuer})`,
        challenge('invalid_token', invalidTokenDescription(error)),
      );
    }
    // API Gateway checks client_id only when there is no aud (developer guide, "Troubleshooting HTTP API JWT
    // authorizers").
    const audiences = payload.aud !== undefined ? [payload.aud].flat() : [payload.client_id].filter(Boolean);
    if (!audiences.some((audience) => typeof audience === 'string' && authorizer.audience.includes(audience))) {
      throw unauthorized(
        `${authorizer.name}: the token's audience ${JSON.stringify(audiences)} is not one of ${JSON.stringify(authorizer.audience)} (mint one with "aud")`,
        challenge('invalid_token', 'the token does not have a valid audience'),
      );
    }
    const granted = tokenScopes(payload);
    if (scopes.length > 0 && !scopes.some((scope) => granted.includes(scope))) {
      throw forbidden(
        `${authorizer.name}: the token's scopes [${granted.join(' ')}] hold none of the route's [${scopes.join(' ')}]`,
        challenge('insufficient_scope', `expected scopes: [${scopes.join(' ')}]`, scopes),
      );
    }
    return {
      kind: 'jwt',
      claims: Object.fromEntries(Object.entries(payload).map(([key, value]) => [key, claimString(value)])),
      scopes: scopes.length > 0 ? granted : null,
    };
  }
}
