import { readFileSync } from 'node:fs';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { handler } from '../../../src/functions/ws-authorizer/handler.ts';
import { serveAuthConfig, startIssuer, type TestIssuer } from '../auth/issuer.ts';

const sample = JSON.parse(readFileSync('events/ws-authorizer.json', 'utf8')) as APIGatewayRequestAuthorizerEvent;
let idp: TestIssuer;

const withToken = (token: string | undefined): APIGatewayRequestAuthorizerEvent => ({
  ...sample,
  queryStringParameters: token === undefined ? null : { token },
});

beforeAll(async () => {
  idp = await startIssuer();
  process.env.AWS_REGION = 'eu-west-1';
  process.env.AUTH_CONFIG_PARAMETER = '/orders-api/test/ws-auth';
});
afterAll(() => idp.close());
beforeEach(() => serveAuthConfig(idp));

describe('WebSocket $connect REQUEST authorizer', () => {
  it('allows the $connect route for a valid query-string token, with the principal as context', async () => {
    const token = await idp.mint({ sub: 'user-bob', scope: 'orders:read', tenant: 'acme' });
    await expect(handler(withToken(token))).resolves.toEqual({
      principalId: 'user-bob',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: sample.methodArn }],
      },
      context: { sub: 'user-bob', scopes: 'orders:read', tenant: 'acme' },
    });
  });

  it.each([
    ['no query string', () => Promise.resolve(withToken(undefined))],
    ['an empty token', () => Promise.resolve(withToken(''))],
    ['an expired token', async () => withToken(await idp.mint({}, { expiresIn: Math.floor(Date.now() / 1000) - 5 }))],
    ['a token signed by an unknown key', async () => withToken(await idp.mintWithUnknownKey())],
    ['an unsigned token', async () => withToken(idp.mintUnsigned())],
  ])('refuses %s with Unauthorized', async (_name, make) => {
    await expect(handler(await make())).rejects.toThrow(/^Unauthorized$/);
  });
});
