import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Answer, call, runtimeForSuite, signedHeaders } from 'sam-local-runtime/testing';

/**
 * The brief's REST routes, served by `npm start` from template.yaml itself (samconfig env `test`, where the stage
 * cache is on), with the real functions, the real token authorizer reading its configuration from the local SSM
 * endpoint, and tokens from the local issuer.
 */
let legacy: Server;
let legacySeen: IncomingMessage | undefined;
let key: string;
let writer: string;
let reader: string;

const validOrder = { items: [{ sku: 'SKU-BOOK-001', quantity: 1 }], payment: { token: 'tok_visa' } };

beforeAll(async () => {
  legacy = createServer((request, response) => {
    legacySeen = request;
    response
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ legacy: true, url: request.url }));
  });
  await new Promise<void>((resolve) => legacy.listen(0, '127.0.0.1', resolve));
});
const runtime = runtimeForSuite(() => [
  '--config-env',
  'test',
  '--parameter-overrides',
  `LegacyBackendUrl=http://127.0.0.1:${(legacy.address() as AddressInfo).port}`,
]);
beforeAll(async () => {
  key = runtime.keyOf('BasicApiKey');
  writer = await runtime.token({ sub: 'alice', scope: 'orders:read orders:write' });
  reader = await runtime.token({ sub: 'bob', scope: 'orders:read' });
}, 120_000);

afterAll(async () => {
  legacy?.closeAllConnections();
  await new Promise((resolve) => legacy?.close(resolve));
});

const request = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) =>
  call(`${runtime.base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
const expectError = (answer: Answer, status: number, message: string | null) => {
  expect({ status: answer.status, message: answer.json().message }).toEqual({ status, message });
  // The template's gateway responses add CORS headers to the gateway's own errors too: the test stage's own origin.
  expect(answer.headers.get('access-control-allow-origin')).toBe('https://test.orders.example.com');
};

it('GET /health: MOCK integration with request and response templates', async () => {
  const answer = await request('GET', '/health');
  expect(answer.status).toBe(200);
  expect(answer.json()).toEqual({
    status: 'ok',
    stage: 'test',
    requestId: answer.headers.get('x-amzn-requestid'),
    requestTime: expect.stringMatching(/^\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/),
  });
});

describe('GET /v1/catalog (Lambda proxy, API key, response cache)', () => {
  it('needs an API key', async () => {
    expectError(await request('GET', '/v1/catalog'), 403, 'Forbidden');
  });

  it('answers from the function, then from the cache keyed on category', async () => {
    const books = await request('GET', '/v1/catalog?category=books', { 'x-api-key': key });
    expect(books.status).toBe(200);
    expect(books.json()).toMatchObject({ category: 'books', items: expect.any(Array) });
    await request('GET', '/v1/catalog?category=books', { 'x-api-key': key });
    expect(
      await runtime.waitForOutput(/GET \/test\/v1\/catalog\?category=books 200 [\d.]+ ms lambda-proxy \(cache hit\)/),
    ).toBe(true);
    expect((await request('GET', '/v1/catalog?category=music', { 'x-api-key': key })).json()).toMatchObject({
      category: 'music',
    });
    expect(await runtime.waitForOutput(/GET \/test\/v1\/catalog\?category=music 200 [\d.]+ ms lambda-proxy\n/)).toBe(
      true,
    );
  });

  it('passes the function 400 for an unknown category through', async () => {
    expect((await request('GET', '/v1/catalog?category=nope', { 'x-api-key': key })).status).toBe(400);
  });
});

describe('POST /v1/orders (token authorizer + API key, model validation)', () => {
  it('refuses a missing or bad token with 401', async () => {
    expectError(await request('POST', '/v1/orders', { 'x-api-key': key }, validOrder), 401, 'Unauthorized');
    const forged = `${writer.slice(0, -4)}AAAA`;
    expectError(
      await request('POST', '/v1/orders', { 'x-api-key': key, ...auth(forged) }, validOrder),
      401,
      'Unauthorized',
    );
  });

  it('refuses a token whose scopes do not cover the method with 403', async () => {
    expectError(
      await request('POST', '/v1/orders', { 'x-api-key': key, ...auth(reader) }, validOrder),
      403,
      'User is not authorized to access this resource',
    );
  });

  it('needs the API key after the authorizer', async () => {
    expectError(await request('POST', '/v1/orders', auth(writer), validOrder), 403, 'Forbidden');
  });

  it('validates the body against CreateOrder before the function runs', async () => {
    const answer = await request('POST', '/v1/orders', { 'x-api-key': key, ...auth(writer) }, { items: [] });
    expectError(answer, 400, 'Invalid request body');
    expect(answer.json().errors).toContain('payment');
  });
});

describe('GET /v1/orders/{orderId} (Lambda non-proxy) and GET /v2/orders/{orderId} (proxy)', () => {
  it('maps the function error to 400 through the v1 integration response templates', async () => {
    const answer = await request('GET', '/v1/orders/ord_bad', auth(reader));
    expect({ status: answer.status, body: answer.json() }).toEqual({
      status: 400,
      body: { message: 'Invalid order id' },
    });
  });

  it('answers v2 from the same domain code through the proxy integration', async () => {
    const answer = await request('GET', '/v2/orders/ord_bad', auth(reader));
    expect(answer.status).toBe(400);
    expect(answer.json()).toMatchObject({ message: 'Invalid order id', code: 'ValidationError' });
  });
});

describe('direct AWS service integrations (the whole flow is in order-flow.test.ts)', () => {
  it('POST /v2/orders validates, then starts the workflow through the request mapping template', async () => {
    expectError(
      await request('POST', '/v2/orders', { 'x-api-key': key, ...auth(writer) }, { items: [] }),
      400,
      'Invalid request body',
    );
    const answer = await request('POST', '/v2/orders', { 'x-api-key': key, ...auth(writer) }, validOrder);
    expect(answer.status).toBe(202);
    expect(answer.json()).toMatchObject({ orderId: expect.stringMatching(/^ord_[0-9a-f]{32}$/), status: 'PROCESSING' });
  });

  it('POST /v1/events sends the event to the queue and answers with the SQS message id', async () => {
    const event = { orderId: `ord_${'a'.repeat(20)}`, type: 'order.shipped', occurredAt: '2026-11-25T10:00:00Z' };
    const answer = await request('POST', '/v1/events', { 'x-api-key': key }, event);
    expect(answer.status).toBe(202);
    expect(answer.json()).toEqual({
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      messageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });
});

it('ANY /v1/legacy/{proxy+}: HTTP proxy to the back end, with the caller identified by the authorizer', async () => {
  const answer = await request('PUT', '/v1/legacy/customers/7?x=1', { 'x-api-key': key, ...auth(writer) }, { a: 1 });
  expect(answer.json()).toEqual({ legacy: true, url: '/customers/7?x=1' });
  expect(legacySeen?.method).toBe('PUT');
  expect(legacySeen?.headers['x-authenticated-sub']).toBe('alice');
});

describe('GET /v1/me (Cognito user pool authorizer, no OAuth scopes: ID tokens)', () => {
  it('gives the function the verified claims of an ID token', async () => {
    const idToken = await runtime.token({ sub: 'carol', token_use: 'id', claims: { email: 'carol@example.com' } });
    const answer = await request('GET', '/v1/me', auth(idToken));
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({
      sub: 'carol',
      username: 'carol',
      email: 'carol@example.com',
      claims: expect.objectContaining({ token_use: 'id' }),
    });
  });

  it('refuses an access token (the method has no scopes), no token, or a forged one with 401', async () => {
    expectError(await request('GET', '/v1/me', auth(writer)), 401, 'Unauthorized');
    expect(await runtime.waitForOutput(/GET \S+\/v1\/me 401 .*takes an ID token; got token_use "access"/)).toBe(true);
    expectError(await request('GET', '/v1/me'), 401, 'Unauthorized');
    const idToken = await runtime.token({ sub: 'carol', token_use: 'id' });
    expectError(await request('GET', '/v1/me', auth(`${idToken.slice(0, -4)}AAAA`)), 401, 'Unauthorized');
  });
});

describe('GET /v1/admin/usage (AWS_IAM)', () => {
  it('serves a request signed with the local credentials', async () => {
    const url = `${runtime.base}/v1/admin/usage`;
    const answer = await call(url, { headers: await signedHeaders(url, runtime.info.credentials, 'eu-west-1') });
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ stage: 'test', plans: expect.any(Array) });
  });

  it('refuses an unsigned request and a wrong signature with 403', async () => {
    expectError(await request('GET', '/v1/admin/usage'), 403, 'Missing Authentication Token');
    const url = `${runtime.base}/v1/admin/usage`;
    const wrong = await signedHeaders(url, { ...runtime.info.credentials, secretAccessKey: 'wrong' }, 'eu-west-1');
    const answer = await call(url, { headers: wrong });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
  });
});
