import { call, eventually, openSocket, runtimeForSuite } from 'sam-local-runtime/testing';

/** Many connections on `npm start`: a broadcast reaches each one, and $disconnect leaves nothing behind. */
const runtime = runtimeForSuite(['--config-env', 'prod']);
let wsBase: string;
let writer: string;

beforeAll(async () => {
  wsBase = runtime.info.webSockets[0]?.url ?? '';
  writer = await runtime.token({ sub: 'alice', scope: 'orders:read orders:write' });
}, 120_000);

const connect = () => openSocket(`${wsBase}?token=${encodeURIComponent(writer)}`);

describe('500 connections', () => {
  it('each receives a broadcast, and none is left in the table after they close', async () => {
    const key = runtime.keyOf('PremiumApiKey');
    // `subscribe` follows one of the caller's own orders (the WebSocket routes apply REST's rules): place one.
    const placed = await call(`${runtime.base}/v2/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${writer}`, 'x-api-key': key },
      body: JSON.stringify({ items: [{ sku: 'SKU-BOOK-001', quantity: 1 }], payment: { token: 'tok_visa' } }),
    });
    const orderId = String(placed.json().orderId);
    const sockets = [];
    for (let batch = 0; batch < 10; batch += 1) {
      sockets.push(...(await Promise.all(Array.from({ length: 50 }, () => connect()))));
    }
    await Promise.all(
      sockets.map(async (socket) => {
        socket.socket.send(JSON.stringify({ action: 'subscribe', orderId }));
        await socket.next((message) => message.type === 'subscribed', 60_000);
      }),
    );
    const posted = await call(`${runtime.base}/v1/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ orderId, type: 'order.shipped', occurredAt: '2026-11-25T10:00:00Z' }),
    });
    expect(posted.status).toBe(202);
    const eventId = posted.json().eventId;
    await Promise.all(
      sockets.map((socket) =>
        socket.next(
          (message) => message.type === 'order-event' && (message.event as { eventId?: unknown }).eventId === eventId,
          60_000,
        ),
      ),
    );
    await Promise.all(
      sockets.map(async (socket) => {
        socket.socket.close(1000);
        await socket.closed;
      }),
    );
    let left: unknown[] = [];
    await eventually(
      async () => {
        left = await runtime.tableItems();
        return left.length === 0;
      },
      60_000,
      200,
    );
    expect(left).toEqual([]);
  }, 180_000);
});
