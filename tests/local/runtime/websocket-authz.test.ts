import { call, eventually, openSocket, runtimeForSuite, type TestSocket } from 'sam-local-runtime/testing';

/**
 * What a WebSocket client may do once connected, over real connections to `npm start`: API Gateway authorizes
 * `$connect` only, so `subscribe` and `publish` must apply REST's rules themselves (scope, then ownership, with the
 * principal the authorizer put in the context); a subscriber gets the order's current status at once; no push
 * carries a stack trace. The same deployed code runs here as on AWS.
 */
const runtime = runtimeForSuite(['--config-env', 'prod']);
let wsBase: string;
let alice: string;
let bob: string;
let noScope: string;
let admin: string;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  wsBase = runtime.info.webSockets[0]?.url ?? '';
  alice = await runtime.token({ sub: 'alice', scope: 'orders:read orders:write' });
  bob = await runtime.token({ sub: 'bob', scope: 'orders:read orders:write' });
  noScope = await runtime.token({ sub: 'alice' });
  admin = await runtime.token({ sub: 'ops', scope: 'orders:admin' });
}, 120_000);

afterAll(async () => {
  for (const { socket } of sockets) socket.close();
});

const connect = async (token: string): Promise<TestSocket> => {
  const socket = await openSocket(`${wsBase}?token=${encodeURIComponent(token)}`);
  sockets.push(socket);
  return socket;
};

/** Places an order over REST as alice and returns its id. */
const placeOrder = async (paymentToken: string): Promise<string> => {
  const placed = await call(`${runtime.base}/v2/orders`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${alice}`,
      'x-api-key': runtime.keyOf('PremiumApiKey'),
    },
    body: JSON.stringify({ items: [{ sku: 'SKU-BOOK-001', quantity: 1 }], payment: { token: paymentToken } }),
  });
  expect(placed.status).toBe(202);
  return String(placed.json().orderId);
};

const orderView = async (orderId: string): Promise<Record<string, unknown>> =>
  (await call(`${runtime.base}/v2/orders/${orderId}`, { headers: { Authorization: `Bearer ${alice}` } })).json();

/** Waits until the workflow has ended, and a little more: the queue consumer's batching window is 1 s. */
const settled = async (orderId: string): Promise<Record<string, unknown>> => {
  let view: Record<string, unknown> = {};
  await eventually(
    async () => {
      view = await orderView(orderId);
      return view.status !== 'PROCESSING';
    },
    20_000,
    100,
  );
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return view;
};

const send = (socket: TestSocket, message: Record<string, unknown>) => socket.socket.send(JSON.stringify(message));
const subscriptionsOf = async (orderId: string) =>
  (await runtime.tableItems()).filter((item) => item.sk?.S === `SUB#${orderId}`);
const about = (orderId: string) => (message: Record<string, unknown>) =>
  message.orderId === orderId || (message.event as { orderId?: unknown } | undefined)?.orderId === orderId;

describe('subscribe', () => {
  it("to another user's order: an error reply (the order does not exist for them), nothing subscribed, nothing pushed", async () => {
    const orderId = await placeOrder('tok_visa');
    const socket = await connect(bob);
    send(socket, { action: 'subscribe', orderId });
    expect(await socket.next((message) => message.type === 'error')).toEqual({
      type: 'error',
      message: `Order ${orderId} not found`,
      actions: ['subscribe', 'publish'],
    });
    expect(await settled(orderId)).toMatchObject({ status: 'CONFIRMED' });
    expect(await subscriptionsOf(orderId)).toEqual([]);
    expect(socket.messages.filter((message) => about(orderId)(message as Record<string, unknown>))).toEqual([]);
  }, 40_000);

  it('after the workflow ended: the CONFIRMED status arrives at once', async () => {
    const orderId = await placeOrder('tok_visa');
    await settled(orderId);
    const socket = await connect(alice);
    send(socket, { action: 'subscribe', orderId });
    await socket.next((message) => message.type === 'subscribed' && message.orderId === orderId, 5000);
    expect(await socket.next((message) => message.type === 'order-status', 5000)).toEqual({
      type: 'order-status',
      orderId,
      status: 'CONFIRMED',
    });
  }, 40_000);
});

describe('publish', () => {
  it("needs orders:write and the caller's own order (or orders:admin); a refused event is never sent", async () => {
    const orderId = await placeOrder('tok_visa');
    await settled(orderId);
    const follower = await connect(alice);
    send(follower, { action: 'subscribe', orderId });
    await follower.next((message) => message.type === 'subscribed');

    const unscoped = await connect(noScope);
    send(unscoped, { action: 'publish', orderId, type: 'order.cancelled' });
    expect(await unscoped.next((message) => message.type === 'error')).toEqual({
      type: 'error',
      message: 'Forbidden: publish needs the orders:write scope',
      actions: ['subscribe', 'publish'],
    });
    const stranger = await connect(bob);
    send(stranger, { action: 'publish', orderId, type: 'order.cancelled' });
    expect(await stranger.next((message) => message.type === 'error')).toMatchObject({
      message: `Order ${orderId} not found`,
    });

    // An operator's event goes through and reaches the owner; the refused ones, queued before it if at all, never.
    const operator = await connect(admin);
    send(operator, { action: 'publish', orderId, type: 'order.shipped', detail: { carrier: 'DHL' } });
    await operator.next((message) => message.type === 'published');
    const shipped = await follower.next((message) => message.type === 'order-event');
    expect(shipped.event).toMatchObject({ orderId, type: 'order.shipped', source: 'websocket' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const eventTypes = follower.messages.flatMap((message) => {
      const { type, event } = message as { type?: unknown; event?: { type?: unknown } };
      return type === 'order-event' ? [event?.type] : [];
    });
    expect(eventTypes).toEqual(['order.shipped']);
  }, 40_000);
});

describe('a failed order', () => {
  it('is pushed with the failureReason GET /v2 shows, never the Lambda error cause or its stack trace', async () => {
    const socket = await connect(alice);
    const orderId = await placeOrder('tok_declined');
    send(socket, { action: 'subscribe', orderId });
    const failed = await socket.next(
      (message) =>
        message.type === 'order-event' && (message.event as { type?: unknown } | undefined)?.type === 'order.failed',
    );
    const { failureReason } = await orderView(orderId);
    expect(failureReason).toEqual(expect.stringContaining('declined'));
    // The workflow's final status push can miss a subscription saved while its NotifySubscribers step was already
    // reading them (the order is still RUNNING for the subscriber's second status read): the queued order.failed event
    // then tells the outcome. When the push does arrive, it carries the same reason and no trace.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const status = socket.messages.find(
      (message) =>
        (message as { type?: unknown; status?: unknown }).type === 'order-status' &&
        (message as { status?: unknown }).status === 'FAILED',
    );
    if (status) expect(status).toEqual({ type: 'order-status', orderId, status: 'FAILED', failureReason });
    expect(failed.event).toMatchObject({
      orderId,
      source: 'workflow',
      detail: { error: 'PaymentDeclinedError', failureReason },
    });
    expect((failed.event as { detail: Record<string, unknown> }).detail).not.toHaveProperty('cause');
    const pushed = JSON.stringify(socket.messages);
    expect(pushed).not.toMatch(/trace|\bat .+:\d+:\d+|\.m?[jt]s:\d+|file:\/\//);
  }, 40_000);
});
