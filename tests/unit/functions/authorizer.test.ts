import { readFileSync } from 'node:fs';
import { clearCaches } from '@aws-lambda-powertools/parameters';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { handler } from '../../../src/functions/authorizer/handler.ts';
import { serveAuthConfig, ssm, startIssuer, type TestIssuer } from '../auth/issuer.ts';

const sample = JSON.parse(readFileSync('events/authorizer.json', 'utf8')) as APIGatewayTokenAuthorizerEvent;
let idp: TestIssuer;

const event = (authorizationToken: string, methodArn = sample.methodArn): APIGatewayTokenAuthorizerEvent => ({
  ...sample,
  authorizationToken,
  methodArn,
});
beforeAll(async () => {
  idp = await startIssuer();
  process.env.AWS_REGION = 'eu-west-1';
  process.env.AUTH_CONFIG_PARAMETER = '/orders-api/test/auth';
  process.env.AUTH_CONFIG_MAX_AGE_SECONDS = '300';
});
afterAll(() => idp.close());
beforeEach(() => serveAuthConfig(idp));

describe('REST TOKEN authorizer', () => {
  it('allows a valid token with a policy covering every method its scopes open on the stage', async () => {
    const token = await idp.mint({ sub: 'user-alice', scope: 'orders:read orders:write', tenant: 'acme' });
    const result = await handler(event(`Bearer ${token}`));
    const prefix = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev';
    expect(result).toEqual({
      principalId: 'user-alice',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'execute-api:Invoke',
            Effect: 'Allow',
            Resource: [
              `${prefix}/*/v1/legacy/*`,
              `${prefix}/GET/v1/orders/*`,
              `${prefix}/GET/v2/orders/*`,
              `${prefix}/POST/v1/orders`,
              `${prefix}/POST/v2/orders`,
            ],
          },
        ],
      },
      context: { sub: 'user-alice', scopes: 'orders:read orders:write', tenant: 'acme' },
    });
  });

  it('gives a read-only token no POST route, and a token without tenant the default tenant', async () => {
    const token = await idp.mint({ scope: 'orders:read' });
    const result = await handler(event(`bearer ${token}`));
    const resources = result.policyDocument.Statement[0] as { Resource: string[] };
    expect(resources.Resource.some((r) => r.includes('/POST/'))).toBe(false);
    expect(resources.Resource).toContain('arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/GET/v2/orders/*');
    expect(result.context).toEqual({ sub: 'user-alice', scopes: 'orders:read', tenant: 'default' });
  });

  it('builds the same policy whichever method the cached token was first used on', async () => {
    const token = await idp.mint();
    const a = await handler(
      event(`Bearer ${token}`, 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/GET/v2/orders/ord_1'),
    );
    const b = await handler(
      event(`Bearer ${token}`, 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/POST/v1/orders'),
    );
    expect(a.policyDocument).toEqual(b.policyDocument);
  });

  it('reads the configuration once per max age, and fetches the JWKS once for many tokens', async () => {
    const before = idp.jwksRequests();
    for (let i = 0; i < 3; i++) await handler(event(`Bearer ${await idp.mint({ sub: `user-${i}` })}`));
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(1);
    expect(idp.jwksRequests() - before).toBeLessThanOrEqual(1);
  });

  const refused: [string, () => Promise<string>][] = [
    ['an expired token', async () => `Bearer ${await idp.mint({}, { expiresIn: Math.floor(Date.now() / 1000) - 60 })}`],
    ['a token not yet valid', async () => `Bearer ${await idp.mint({}, { notBefore: '10m' })}`],
    [
      'a token from another issuer',
      async () => `Bearer ${await idp.mint({}, { issuer: 'https://evil.example.com/' })}`,
    ],
    ['a token for another audience', async () => `Bearer ${await idp.mint({}, { audience: 'someone-else' })}`],
    ['an unsigned token (alg none)', async () => `Bearer ${idp.mintUnsigned()}`],
    ['an HS256 token signed with the public key', async () => `Bearer ${await idp.mintHs256WithPublicKey()}`],
    [
      'a token whose payload was tampered with',
      async () => {
        const [header, , signature] = (await idp.mint({ scope: 'orders:read' })).split('.');
        const payload = Buffer.from(
          JSON.stringify({
            sub: 'user-mallory',
            scope: 'orders:write',
            iss: idp.issuer,
            aud: idp.audience,
            exp: 9999999999,
          }),
        ).toString('base64url');
        return `Bearer ${header}.${payload}.${signature}`;
      },
    ],
    [
      'a token whose signature was altered',
      async () => {
        const token = await idp.mint();
        const last = token.at(-2) === 'A' ? 'B' : 'A';
        return `Bearer ${token.slice(0, -2)}${last}${token.at(-1)}`;
      },
    ],
    ['a token signed by a key the JWKS does not list', async () => `Bearer ${await idp.mintWithUnknownKey()}`],
    ['a malformed token', async () => 'Bearer not.a.jwt'],
    ['a token without sub', async () => `Bearer ${await idp.mint({ sub: '' })}`],
    ['a header without the Bearer scheme', async () => `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['an empty header', async () => ''],
  ];
  it.each(refused)('refuses %s with Unauthorized (401)', async (_name, authorization) => {
    await expect(handler(event(await authorization()))).rejects.toThrow(/^Unauthorized$/);
  });

  it('answers a configuration failure with an error that is not Unauthorized (API Gateway: 500)', async () => {
    serveAuthConfig(idp, '{"issuer": "only"}');
    const token = await idp.mint();
    await expect(handler(event(`Bearer ${token}`))).rejects.toThrow(/must be JSON \{issuer, audience, jwksUri\}/);
    ssm.reset();
    clearCaches();
    ssm.on(GetParameterCommand).rejects(new Error('AccessDeniedException'));
    await expect(handler(event(`Bearer ${token}`))).rejects.toThrow(/Cannot read auth configuration/);
  });
});
