import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { readRequestBody } from '../services/shared/local-service.ts';
import { requestUrl } from '../shared/request-url.ts';

/**
 * The local identity provider: it stands in for the JWT issuer and the Cognito user pool during local runs. One
 * RSA key per process; its JWKS is served over HTTP, and the tokens it mints carry what both the token
 * authorizer (issuer, audience, scope) and API Gateway's Cognito authorizer (token_use, client_id / aud) check.
 */
export interface MintOptions {
  sub: string;
  scope?: string;
  tokenUse?: 'access' | 'id';
  expiresInSeconds?: number;
  claims?: Record<string, unknown>;
  /** The token's `aud` (default: the app client id); JWT authorizers of HTTP APIs check it against their audience. */
  audience?: string | string[];
}

export interface LocalIssuer {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly clientId: string;
  mint(options: MintOptions): Promise<string>;
  /** Handles a request below the issuer's path; false when the path is not its own. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
}

export class MintError extends Error {
  override readonly name = 'MintError';
}

const RESERVED = ['iss', 'aud', 'exp', 'iat', 'nbf', 'jti', 'token_use', 'client_id'];
const MAX_LIFETIME = 86_400;

/** Validates what a caller asks to mint (from JSON or a query string); every problem is a MintError. */
export const mintOptionsOf = (raw: Record<string, unknown>): MintOptions => {
  if (typeof raw.sub !== 'string' || raw.sub.trim() === '') throw new MintError('"sub" must be a non-empty string');
  if (raw.scope !== undefined && typeof raw.scope !== 'string')
    throw new MintError('"scope" must be a space-separated string');
  const tokenUse = raw.token_use ?? 'access';
  if (tokenUse !== 'access' && tokenUse !== 'id') throw new MintError('"token_use" must be "access" or "id"');
  const expiresIn = raw.expires_in === undefined ? 3600 : Number(raw.expires_in);
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_LIFETIME) {
    throw new MintError(`"expires_in" must be a whole number of seconds from 1 to ${MAX_LIFETIME}`);
  }
  const claims = raw.claims ?? {};
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
    throw new MintError('"claims" must be an object');
  const reserved = Object.keys(claims).filter((key) => RESERVED.includes(key));
  if (reserved.length > 0) throw new MintError(`"claims" may not set ${reserved.join(', ')}: the issuer sets them`);
  const audience = raw.aud;
  if (
    audience !== undefined &&
    typeof audience !== 'string' &&
    !(Array.isArray(audience) && audience.every((item) => typeof item === 'string'))
  ) {
    throw new MintError('"aud" must be a string or a list of strings');
  }
  return {
    ...(audience === undefined ? {} : { audience: audience as string | string[] }),
    sub: raw.sub,
    scope: raw.scope as string | undefined,
    tokenUse,
    expiresInSeconds: expiresIn,
    claims: claims as Record<string, unknown>,
  };
};

const json = (response: ServerResponse, status: number, body: unknown) => {
  response
    .writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' })
    .end(JSON.stringify(body));
};

export const createLocalIssuer = async (options: { baseUrl: string; clientId: string }): Promise<LocalIssuer> => {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `local-${randomUUID().slice(0, 8)}`;
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const issuer = options.baseUrl.replace(/\/$/, '');
  const basePath = new URL(issuer).pathname.replace(/\/$/, '');
  const jwksUri = `${issuer}/.well-known/jwks.json`;

  const mint = async (mintOptions: MintOptions): Promise<string> => {
    const tokenUse = mintOptions.tokenUse ?? 'access';
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      ...mintOptions.claims,
      sub: mintOptions.sub,
      // Cognito names the user `cognito:username` in ID tokens and `username` in access tokens.
      ...(tokenUse === 'id' ? { 'cognito:username': mintOptions.sub } : { username: mintOptions.sub }),
      token_use: tokenUse,
      auth_time: now,
      // Cognito access tokens name the app client in client_id; the token authorizer checks aud, so both are set.
      client_id: options.clientId,
      ...(mintOptions.scope ? { scope: mintOptions.scope } : {}),
    };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(mintOptions.audience ?? options.clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + (mintOptions.expiresInSeconds ?? 3600))
      .setJti(randomUUID())
      .sign(privateKey);
  };

  const mintAnswer = async (response: ServerResponse, raw: Record<string, unknown>) => {
    let mintOptions: MintOptions;
    try {
      mintOptions = mintOptionsOf(raw);
    } catch (error) {
      json(response, 400, { message: (error as Error).message });
      return;
    }
    const token = await mint(mintOptions);
    const field = mintOptions.tokenUse === 'id' ? 'id_token' : 'access_token';
    json(response, 200, { [field]: token, token, token_type: 'Bearer', expires_in: mintOptions.expiresInSeconds });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    const url = requestUrl(request.url);
    if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) return false;
    const path = url.pathname.slice(basePath.length) || '/';
    const method = request.method ?? 'GET';
    if (path === '/.well-known/jwks.json' && method === 'GET') {
      json(response, 200, { keys: [jwk] });
    } else if (path === '/.well-known/openid-configuration' && method === 'GET') {
      json(response, 200, {
        issuer,
        jwks_uri: jwksUri,
        token_endpoint: `${issuer}/token`,
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    } else if (path === '/token' && method === 'POST') {
      const body = await readRequestBody(request, 65_536);
      let raw: unknown;
      try {
        raw = JSON.parse(body?.toString('utf8') || '');
      } catch {
        json(response, 400, { message: 'The body must be JSON: {"sub": "alice", "scope": "read write"}' });
        return true;
      }
      if (!raw || typeof raw !== 'object' || Array.isArray(raw))
        json(response, 400, { message: 'The body must be a JSON object' });
      else await mintAnswer(response, raw as Record<string, unknown>);
    } else if (path === '/token' && method === 'GET') {
      await mintAnswer(response, Object.fromEntries(url.searchParams));
    } else if (['/token', '/.well-known/jwks.json', '/.well-known/openid-configuration'].includes(path)) {
      json(response, 405, { message: `${method} is not allowed on ${path}` });
    } else {
      json(response, 404, { message: `No such issuer endpoint: ${path}` });
    }
    return true;
  };

  return { issuer, jwksUri, clientId: options.clientId, mint, handle };
};
