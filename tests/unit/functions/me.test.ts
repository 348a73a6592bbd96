import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { handler } from '../../../src/functions/me/handler.ts';

const sample = JSON.parse(readFileSync('events/me.json', 'utf8')) as APIGatewayProxyEvent;

describe('GET /v1/me', () => {
  it("returns the Cognito claims API Gateway verified, with the caller's groups as a list", async () => {
    const result = await handler(sample);
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['Access-Control-Allow-Origin']).toBe('*');
    const body = JSON.parse(result.body);
    expect(body).toMatchObject({
      sub: '3f6c2a1e-9b7d-4c1a-8e2f-5d4b3a291c0e',
      username: 'alice',
      email: 'alice@example.com',
      groups: ['admins', 'operators'],
    });
    expect(body.claims.token_use).toBe('id');
  });

  it('answers a caller without groups or email with empty values', async () => {
    const event = structuredClone(sample);
    event.requestContext.authorizer = { claims: { sub: 'abc', username: 'bob' } };
    expect(JSON.parse((await handler(event)).body)).toMatchObject({
      sub: 'abc',
      username: 'bob',
      email: null,
      groups: [],
    });
  });

  it('answers 401 when no Cognito claims reached it (route deployed without the authorizer)', async () => {
    const event = structuredClone(sample);
    event.requestContext.authorizer = null;
    const result = await handler(event);
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body)).toEqual({ message: 'Unauthorized' });
  });

  it('answers 500 with API Gateway’s body when the claims cannot be read', async () => {
    const event = structuredClone(sample);
    event.requestContext.authorizer = { claims: { sub: 'abc', 'cognito:groups': 42 } };
    const result = await handler(event);
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({ message: 'Internal server error' });
  });
});
