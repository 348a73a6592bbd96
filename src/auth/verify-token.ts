import { JwtRsaVerifier } from 'aws-jwt-verify';
import {
  JwtBaseError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  KidNotFoundInJwksError,
} from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { type AuthConfig, loadAuthConfig } from './auth-config.ts';
import { MissingSubjectError, TokenRejectedError } from './errors.ts';
import { JwksFetcher } from './jwks-fetcher.ts';
import type { Principal } from './principal.ts';

type Verifier = { verify: (token: string) => Promise<JwtPayload> };

// One verifier per configuration: the JWKS it has fetched stays cached across warm invocations, and a changed
// parameter (key rotation to a new issuer) gets a fresh verifier instead of a stale one.
const verifiers = new Map<string, Verifier>();

const verifierFor = (authConfig: AuthConfig): Verifier => {
  const key = JSON.stringify(authConfig);
  let verifier = verifiers.get(key);
  if (!verifier) {
    verifier = JwtRsaVerifier.create(
      { issuer: authConfig.issuer, audience: authConfig.audience, jwksUri: authConfig.jwksUri },
      { jwksCache: new SimpleJwksCache({ fetcher: new JwksFetcher() }) },
    ) as Verifier;
    verifiers.set(key, verifier);
  }
  return verifier;
};

const scopesOf = (payload: JwtPayload): string[] => {
  const scope = payload.scope ?? payload.scp;
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
  if (Array.isArray(scope)) return scope.filter((s): s is string => typeof s === 'string');
  return [];
};

// Stable reason names for the logs (class names do not survive minification).
const reasons: [new (...args: never[]) => JwtBaseError, string][] = [
  [JwtExpiredError, 'expired'],
  [JwtNotBeforeError, 'not-yet-valid'],
  [JwtInvalidIssuerError, 'wrong-issuer'],
  [JwtInvalidAudienceError, 'wrong-audience'],
  [JwtInvalidSignatureAlgorithmError, 'unsupported-algorithm'],
  [JwtInvalidSignatureError, 'bad-signature'],
  [KidNotFoundInJwksError, 'unknown-key'],
  [JwtParseError, 'malformed'],
];
const reasonOf = (error: JwtBaseError): string => reasons.find(([type]) => error instanceof type)?.[1] ?? 'invalid';

/**
 * Verifies signature (RS256 family only: `alg: none` and HS256 are refused by the verifier), issuer, audience,
 * expiry and not-before, and returns who the caller is. Every refusal is an AuthError.
 */
export const verifyToken = async (token: string): Promise<Principal> => {
  const verifier = verifierFor(await loadAuthConfig());
  let payload: JwtPayload;
  try {
    payload = await verifier.verify(token);
  } catch (error) {
    if (error instanceof JwtBaseError) throw new TokenRejectedError(reasonOf(error), error.message);
    throw error;
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new MissingSubjectError();
  const tenant = typeof payload.tenant === 'string' && payload.tenant !== '' ? payload.tenant : 'default';
  return { sub: payload.sub, scopes: scopesOf(payload), tenant };
};
