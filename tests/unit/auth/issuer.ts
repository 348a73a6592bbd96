import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { clearCaches } from '@aws-lambda-powertools/parameters';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

/**
 * A real identity provider for the authorizer tests: an RSA key pair made here, its JWKS served from a loopback
 * HTTP server (fetched by aws-jwt-verify through src/auth's fetcher), and tokens minted with jose.
 */
export interface MintOptions {
  kid?: string;
  expiresIn?: string | number;
  notBefore?: string | number;
  issuer?: string;
  audience?: string;
}

export interface TestIssuer {
  issuer: string;
  audience: string;
  jwksUri: string;
  /** How many times the JWKS was fetched. */
  jwksRequests: () => number;
  mint: (claims?: JWTPayload, options?: MintOptions) => Promise<string>;
  /** A token signed by a key the JWKS does not list. */
  mintWithUnknownKey: (claims?: JWTPayload) => Promise<string>;
  /** The classic key-confusion attack: HS256 with the issuer's public key (PEM) as the HMAC secret. */
  mintHs256WithPublicKey: (claims?: JWTPayload) => Promise<string>;
  /** An unsigned token (`alg: none`). */
  mintUnsigned: (claims?: JWTPayload) => string;
  close: () => Promise<void>;
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export const startIssuer = async (audience = 'orders-api'): Promise<TestIssuer> => {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const other = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const publicPem = await exportSPKI(publicKey);
  let requests = 0;
  const server: Server = createServer((request, response) => {
    requests += 1;
    if (request.url !== '/.well-known/jwks.json') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}/`;
  const base = (claims: JWTPayload): JWTPayload => ({
    sub: 'user-alice',
    scope: 'orders:read orders:write',
    ...claims,
  });

  const sign = (claims: JWTPayload, kid: string, key: Parameters<SignJWT['sign']>[0], options: MintOptions) => {
    const jwt = new SignJWT(base(claims))
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(options.issuer ?? issuer)
      .setAudience(options.audience ?? audience)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m');
    if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore);
    return jwt.sign(key);
  };

  return {
    issuer,
    audience,
    jwksUri: `${issuer}.well-known/jwks.json`,
    jwksRequests: () => requests,
    mint: (claims = {}, options = {}) => sign(claims, options.kid ?? 'test-key', privateKey, options),
    mintWithUnknownKey: (claims = {}) => sign(claims, 'not-in-jwks', other.privateKey, {}),
    mintHs256WithPublicKey: (claims = {}) =>
      new SignJWT(base(claims))
        .setProtectedHeader({ alg: 'HS256', kid: 'test-key', typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(publicPem)),
    mintUnsigned: (claims = {}) => {
      const now = Math.floor(Date.now() / 1000);
      const payload = { ...base(claims), iss: issuer, aud: audience, iat: now, exp: now + 300 };
      return `${b64url({ alg: 'none', typ: 'JWT', kid: 'test-key' })}.${b64url(payload)}.`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** SSM stubbed to serve this issuer's configuration as the auth parameter, with Powertools' cache emptied. */
export const ssm = mockClient(SSMClient);
export const serveAuthConfig = (
  idp: TestIssuer,
  value: unknown = { issuer: idp.issuer, audience: idp.audience, jwksUri: idp.jwksUri },
) => {
  ssm.reset();
  clearCaches();
  // Only the parameter the function is configured with answers: reading another name fails the test.
  const Name = process.env.AUTH_CONFIG_PARAMETER;
  ssm.on(GetParameterCommand, { Name }).resolves({
    Parameter: { Name, Type: 'String', Value: typeof value === 'string' ? value : JSON.stringify(value) },
  });
};

/**
 * For a suite of an authorizer function: the issuer started before it (closed after), the function's environment
 * pointed at `parameter`, and SSM serving the issuer's configuration before each test. Returns the issuer's getter.
 */
export const useTestIssuer = (parameter: string): (() => TestIssuer) => {
  let idp: TestIssuer | undefined;
  beforeAll(async () => {
    idp = await startIssuer();
    process.env.AWS_REGION = 'eu-west-1';
    process.env.AUTH_CONFIG_PARAMETER = parameter;
    process.env.AUTH_CONFIG_MAX_AGE_SECONDS = '300';
  });
  afterAll(() => idp?.close());
  beforeEach(() => serveAuthConfig(idp as TestIssuer));
  return () => idp as TestIssuer;
};
