import { Ajv } from 'ajv';
import { eventually } from 'sam-local-runtime/testing';
import { messageValidator, serverMessageSchemas } from '../../scripts/spec/asyncapi.ts';
import { cleanOpenApi, type JsonObject } from '../../scripts/spec/openapi.ts';
import type { OrdersApi, Schemas } from '../../sdk/index.ts';
import type { OrdersSocket } from '../../sdk/ws.ts';
import { deployed, localOnly, startTarget, type Target } from './target.ts';

/**
 * Every REST route and the WebSocket flow, only through the generated clients (sdk/), against the local runtime or,
 * with API_URL and friends (tests/e2e/target.ts), a deployed stage. Every error body is checked against the one
 * `Error` schema of the published OpenAPI, every WebSocket message against its AsyncAPI schema.
 */
let target: Target;
let api: OrdersApi;

beforeAll(async () => {
  target = await startTarget();
  api = target.api;
}, 120_000);

afterAll(async () => {
  await target?.stop();
});

const openapi = cleanOpenApi();
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema({ components: { schemas: (openapi.components as JsonObject).schemas ?? {} } }, 'openapi');
const schemaErrors = (name: string, value: unknown): string[] => {
  const validate = ajv.getSchema(`openapi#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name}`);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
};

/** An error answer: its status, and a body of the one documented error shape. */
const expectError = (result: { error?: unknown; response: Response }, status: number): Schemas['Error'] => {
  expect(result.response.status).toBe(status);
  expect(schemaErrors('Error', result.error)).toEqual([]);
  return result.error as Schemas['Error'];
};

const order: Schemas['CreateOrder'] = { items: [{ sku: 'SKU-BOOK-001', quantity: 1 }], payment: { token: 'tok_visa' } };
const statusOf = async (orderId: string) =>
  (await api.GET('/v2/orders/{orderId}', { params: { path: { orderId } } })).data?.status;
const confirmed = (orderId: string) => eventually(async () => (await statusOf(orderId)) === 'CONFIRMED', 30_000, 200);

it('GET /health answers from the MOCK integration', async () => {
  const { data, response } = await api.GET('/health');
  expect(response.status).toBe(200);
  expect(data).toMatchObject({ status: 'ok', stage: target.stage, requestId: expect.any(String) });
});

describe('GET /v1/catalog (API key)', () => {
  it('lists a category', async () => {
    const { data, response } = await api.GET('/v1/catalog', { params: { query: { category: 'books' } } });
    expect(response.status).toBe(200);
    expect(data?.items.length).toBeGreaterThan(0);
    expect(data?.items.every((product) => product.category === 'books')).toBe(true);
    expect(schemaErrors('Catalog', data)).toEqual([]);
  });

  it('refuses a call without an API key: 403 Forbidden', async () => {
    const error = expectError(await target.client({ apiKey: undefined }).GET('/v1/catalog'), 403);
    expect(error.message).toBe('Forbidden');
  });

  it("answers the function's 400 for an unknown category, with code and the field list", async () => {
    const result = await api.GET('/v1/catalog', { params: { query: { category: 'nope' as 'books' } } });
    const error = expectError(result, 400);
    expect(error).toMatchObject({
      code: 'ValidationError',
      errors: [{ path: 'category', message: expect.any(String) }],
    });
  });
});

describe('orders, v1 and v2 (token authorizer, API key, request validation)', () => {
  let orderId: string;

  it('POST /v1/orders accepts an order: 202, Location, then the workflow confirms it', async () => {
    const { data, response } = await api.POST('/v1/orders', { body: order });
    expect(response.status).toBe(202);
    expect(data).toMatchObject({ orderId: expect.stringMatching(/^ord_/), status: 'PROCESSING' });
    expect(response.headers.get('location')).toContain(String(data?.orderId));
    orderId = String(data?.orderId);
    expect(await confirmed(orderId)).toBe(true);
  }, 40_000);

  it('GET /v2/orders/{orderId} and GET /v1/orders/{orderId}: the same order in both shapes', async () => {
    const v2 = await api.GET('/v2/orders/{orderId}', { params: { path: { orderId } } });
    expect(v2.data).toMatchObject({ orderId, status: 'CONFIRMED', items: order.items });
    expect(schemaErrors('Order', v2.data)).toEqual([]);
    const v1 = await api.GET('/v1/orders/{orderId}', { params: { path: { orderId } } });
    expect(v1.data).toMatchObject({ id: orderId, state: 'CONFIRMED', lines: [{ sku: 'SKU-BOOK-001', qty: 1 }] });
    expect(schemaErrors('OrderV1', v1.data)).toEqual([]);
  });

  it('404 for an order that does not exist, in the one error shape from v1 and v2', async () => {
    const missing = `ord_${'0'.repeat(32)}`;
    const v2 = expectError(await api.GET('/v2/orders/{orderId}', { params: { path: { orderId: missing } } }), 404);
    expect(v2.code).toBe('NotFound');
    expectError(await api.GET('/v1/orders/{orderId}', { params: { path: { orderId: missing } } }), 404);
  });

  it("refuses a body API Gateway's model rejects: 400, errors is the gateway's string", async () => {
    const error = expectError(await api.POST('/v1/orders', { body: { ...order, items: [] } }), 400);
    expect(error.message).toBe('Invalid request body');
    expect(typeof error.errors).toBe('string');
  });

  it('refuses no token (401) and a token without orders:write (403)', async () => {
    expect(
      expectError(await target.client({ token: undefined }).POST('/v1/orders', { body: order }), 401).message,
    ).toBe('Unauthorized');
    if (!target.readerToken) return; // READ_TOKEN not given for this stage
    const error = expectError(
      await target.client({ token: target.readerToken }).POST('/v1/orders', { body: order }),
      403,
    );
    expect(error.message).toBe('User is not authorized to access this resource');
  });

  it('POST /v2/orders starts the workflow straight from API Gateway (no Lambda)', async () => {
    const { data, response } = await api.POST('/v2/orders', { body: order });
    expect(response.status).toBe(202);
    expect(schemaErrors('OrderAccepted', data)).toEqual([]);
    expect(await confirmed(String(data?.orderId))).toBe(true);
  }, 40_000);
});

describe('POST /v1/events (API key, SQS service integration)', () => {
  it('queues an event and answers with the SQS message id', async () => {
    const { data, response } = await api.POST('/v1/events', {
      body: { orderId: `ord_${'a'.repeat(20)}`, type: 'order.shipped', occurredAt: new Date().toISOString() },
    });
    expect(response.status).toBe(202);
    expect(data).toEqual({ eventId: expect.any(String), messageId: expect.any(String) });
  });

  it('refuses an event the model rejects', async () => {
    const result = await api.POST('/v1/events', {
      body: { orderId: 'nope', type: 'order.shipped', occurredAt: 'yesterday' },
    });
    expect(typeof expectError(result, 400).errors).toBe('string');
  });
});

describe('ANY /v1/legacy/{proxy+} (HTTP proxy behind the token authorizer and a key)', () => {
  it('passes the call through with its path, and who the caller is', async () => {
    const result = await api.PUT('/v1/legacy/{proxy}', {
      params: { path: { proxy: 'customers/7' } },
      body: { name: 'Ada' },
    });
    expect([401, 403, 429]).not.toContain(result.response.status);
    if (deployed) return; // the deployed back end is whatever LegacyBackendUrl names
    expect(result.data).toEqual({ legacy: true, method: 'PUT', url: '/customers/7' });
    expect(target.legacySeen()?.headers['x-authenticated-sub']).toBe('e2e-alice');
  });

  it('needs the token', async () => {
    const result = await target
      .client({ token: undefined })
      .GET('/v1/legacy/{proxy}', { params: { path: { proxy: 'customers' } } });
    expectError(result, 401);
  });
});

describe('GET /v1/me (Cognito user pool authorizer)', () => {
  it('answers the claims of an ID token', async () => {
    if (!target.idToken) return; // no ID_TOKEN or Cognito credentials for this stage
    const { data, response } = await api.GET('/v1/me');
    expect(response.status).toBe(200);
    expect(data?.sub).toEqual(expect.any(String));
    expect(schemaErrors('Me', data)).toEqual([]);
  });

  it('refuses a call without one: 401', async () => {
    expectError(await target.client({ idToken: undefined }).GET('/v1/me'), 401);
  });
});

describe('GET /v1/admin/usage (AWS_IAM, SigV4)', () => {
  it('answers a signed call', async () => {
    const { data, response } = await api.GET('/v1/admin/usage');
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ stage: target.stage });
    expect(schemaErrors('Usage', data)).toEqual([]);
  });

  it('refuses an unsigned call: 403 Missing Authentication Token', async () => {
    const error = expectError(await target.client({ sign: undefined }).GET('/v1/admin/usage'), 403);
    expect(error.message).toBe('Missing Authentication Token');
  });
});

describe('the WebSocket API', () => {
  const conforms = messageValidator();
  let socket: OrdersSocket | undefined;
  afterEach(async () => {
    // Every message the server sent conforms to the AsyncAPI schema of its type.
    for (const message of socket?.messages ?? []) {
      const type = (message as { type?: string }).type;
      expect({ type, errors: conforms(serverMessageSchemas[type ?? ''] ?? 'GatewayError', message) }).toEqual({
        type,
        errors: [],
      });
    }
    await socket?.close();
    socket = undefined;
  });

  it('subscribe: subscribed, the current status at once, then live updates until CONFIRMED', async () => {
    const placed = await api.POST('/v1/orders', { body: order });
    const orderId = String(placed.data?.orderId);
    socket = await target.socket();
    socket.send({ action: 'subscribe', orderId });
    expect(await socket.next('subscribed')).toEqual({ type: 'subscribed', orderId });
    await socket.next('order-status', (message) => message.orderId === orderId);
    const final = await socket.next('order-status', (message) => message.status === 'CONFIRMED', 30_000);
    expect(final).toEqual({ type: 'order-status', orderId, status: 'CONFIRMED' });
  }, 45_000);

  it('publish: published, and subscribers get the order-event', async () => {
    const placed = await api.POST('/v1/orders', { body: order });
    const orderId = String(placed.data?.orderId);
    socket = await target.socket();
    socket.send({ action: 'subscribe', orderId });
    await socket.next('subscribed');
    socket.send({ action: 'publish', orderId, type: 'order.note_added', detail: { note: 'Leave at the door' } });
    const published = await socket.next('published');
    const pushed = await socket.next('order-event', (message) => message.event.eventId === published.eventId);
    expect(pushed.event).toMatchObject({ orderId, type: 'order.note_added', source: 'websocket' });
  }, 45_000);

  it('answers an unknown action and an invalid message with error replies that list the actions', async () => {
    socket = await target.socket();
    socket.send({ action: 'subscribe', orderId: 'not-an-order' });
    const invalid = await socket.next('error');
    expect(invalid).toMatchObject({ errors: [{ path: 'orderId' }], actions: ['subscribe', 'publish'] });
    socket.send({ action: 'dance' } as never);
    await socket.next('error', (message) => message.message.startsWith('Unknown action'));
  }, 30_000);

  it('refuses to connect without a valid token', async () => {
    await expect(target.socket('not-a-token')).rejects.toThrow();
  });
});

describe('local runtime only', () => {
  const local = localOnly('a deployed stage cannot be driven to these states from a test');

  local(
    'Cache-Control: max-age=0 refreshes the cached catalogue only for a caller allowed to (a SigV4-signed request)',
    async () => {
      const headers = { 'Cache-Control': 'max-age=0' };
      const unsigned = await api.GET('/v1/catalog', { params: { query: { category: 'music' } }, headers });
      expect(unsigned.response.headers.get('warning')).toMatch(/max-age=0 ignored/);
      const signing = target.client({
        fetch: async (request) => {
          const body = request.body ? await request.clone().text() : '';
          const signed = await target.sign({ url: request.url, method: request.method, body });
          const withSignature = new Headers(request.headers);
          for (const [name, value] of Object.entries(signed)) if (name !== 'host') withSignature.set(name, value);
          return fetch(new Request(request, { headers: withSignature }));
        },
      });
      const signed = await signing.GET('/v1/catalog', { params: { query: { category: 'music' } }, headers });
      expect(signed.response.status).toBe(200);
      expect(signed.response.headers.get('warning')).toBeNull();
    },
  );

  local(
    'throttles past the usage plan burst: 429 Too Many Requests',
    async () => {
      const results = await Promise.all(
        Array.from({ length: 60 }, () => api.GET('/v1/catalog', { params: { query: { category: 'games' } } })),
      );
      const throttled = results.filter((result) => result.response.status === 429);
      expect(throttled.length).toBeGreaterThan(0);
      expect(expectError(throttled[0] ?? results[0] ?? { response: new Response() }, 429).message).toBe(
        'Too Many Requests',
      );
      await new Promise((resolve) => setTimeout(resolve, 2500)); // the bucket refills (rate 10/s) for later suites
    },
    30_000,
  );
});
