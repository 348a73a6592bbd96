import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { call, eventually, openSocket, runtimeForSuite } from 'sam-local-runtime/testing';

/**
 * The template's WebSocket API on `npm start` (samconfig env `prod`), with the real authorizer and functions, talked
 * to with a real WebSocket client and the real @connections SDK client. Idle connections close after 3 s here.
 */
const runtime = runtimeForSuite(['--config-env', 'prod', '--ws-idle-timeout', '3']);
let wsBase: string;
let writer: string;
let management: ApiGatewayManagementApiClient;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  wsBase = runtime.info.webSockets[0]?.url ?? '';
  writer = await runtime.token({ sub: 'alice', scope: 'orders:read orders:write' });
  // @connections and the local endpoints take SigV4 with the local credentials, as the functions send it.
  management = new ApiGatewayManagementApiClient({ ...client(), endpoint: wsBase.replace(/^ws/, 'http') });
  dynamodb = new DynamoDBClient(runtime.clientConfig('dynamodb'));
}, 120_000);

afterAll(async () => {
  management?.destroy();
  dynamodb?.destroy();
});

const client = () => ({
  region: runtime.info.region,
  credentials: {
    accessKeyId: runtime.info.credentials.accessKeyId,
    secretAccessKey: runtime.info.credentials.secretAccessKey,
  },
});
const connect = (token = writer) => openSocket(`${wsBase}?token=${encodeURIComponent(token)}`);
const connectLines = () => runtime.output().match(/^WS \$connect 200 \S+$/gm) ?? [];
/** Connects and learns the connection id from the runtime's log line (clients are never told their id). */
const connectWithId = async () => {
  const before = connectLines().length;
  const socket = await connect();
  await eventually(() => connectLines().length > before, 5000, 10);
  return { socket, id: connectLines().at(-1)?.split(' ')[3] ?? '' };
};

describe('$connect', () => {
  it('refuses a handshake without a token (401) or with a forged one (401), before any connection exists', async () => {
    await expect(openSocket(wsBase)).rejects.toMatchObject({ status: 401 });
    await expect(connect(`${writer.slice(0, -4)}AAAA`)).rejects.toMatchObject({ status: 401 });
  });

  it('accepts a valid token; the connection is recorded by $connect and removed by $disconnect', async () => {
    const socket = await connect();
    const before = await runtime.tableItems();
    expect(before.some((item) => item.sk?.S === 'META')).toBe(true);
    socket.socket.close(1000);
    await socket.closed;
    expect(await runtime.waitForOutput(/WS \$disconnect \S+ 1000/, 5000)).toBe(true);
  });
});

describe('messages', () => {
  it('routes by $request.body.action; anything else goes to $default, which answers', async () => {
    const socket = await connect();
    socket.socket.send('not json');
    expect(await socket.next((message) => message.type === 'error')).toMatchObject({
      message: 'Message is not JSON',
      actions: ['subscribe', 'publish'],
    });
    socket.socket.close();
    await socket.closed;
  });

  it('subscribe, then place an order over REST: the status and the order event arrive live', async () => {
    const socket = await connect();
    const key = runtime.keyOf('PremiumApiKey');
    const placed = await call(`${runtime.base}/v2/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${writer}`, 'x-api-key': key },
      body: JSON.stringify({ items: [{ sku: 'SKU-BOOK-001', quantity: 1 }], payment: { token: 'tok_flaky' } }),
    });
    const orderId = String(placed.json().orderId);
    // This runtime closes connections idle for 3 s (the idle test below): the client stays active while it waits for
    // the workflow, as a live client would, so a slow machine cannot turn the wait into an idle close.
    const keepAlive = setInterval(() => socket.socket.send(JSON.stringify({ action: 'keepalive' })), 1000);
    socket.socket.send(JSON.stringify({ action: 'subscribe', orderId }));
    await socket.next((message) => message.type === 'subscribed' && message.orderId === orderId);
    // The status at once (tok_flaky's retry usually keeps it PROCESSING a while), then the final one live.
    const status = await socket.next((message) => message.type === 'order-status' && message.orderId === orderId);
    expect(['PROCESSING', 'CONFIRMED']).toContain(status.status);
    await socket.next((message) => message.type === 'order-status' && message.status === 'CONFIRMED');
    const event = await socket
      .next((message) => message.type === 'order-event')
      .finally(() => clearInterval(keepAlive));
    expect(event.event).toMatchObject({ orderId, type: 'order.confirmed', source: 'workflow' });
    socket.socket.close();
    await socket.closed;
  }, 30_000);

  it('closes the connection with 1009 on a message over 128 KB, and runs $disconnect', async () => {
    const socket = await connect();
    socket.socket.send(JSON.stringify({ action: 'publish', pad: 'x'.repeat(130 * 1024) }));
    expect((await socket.closed).code).toBe(1009);
    expect(await runtime.waitForOutput(/WS \$disconnect \S+ 1009/, 5000)).toBe(true);
  });

  it('closes an idle connection with 1001 Going away, and runs $disconnect', async () => {
    const socket = await connect();
    const closed = await socket.closed;
    expect(closed).toEqual({ code: 1001, reason: 'Going away' });
    expect(await runtime.waitForOutput(/WS \$disconnect \S+ 1001/, 5000)).toBe(true);
  }, 10_000);
});

describe('@connections', () => {
  it('posts to, describes and deletes a connection; a closed one is 410 Gone', async () => {
    const { socket, id } = await connectWithId();
    const description = await management.send(new GetConnectionCommand({ ConnectionId: id }));
    expect(description.ConnectedAt).toBeInstanceOf(Date);
    await management.send(
      new PostToConnectionCommand({ ConnectionId: id, Data: new TextEncoder().encode('{"hi":1}') }),
    );
    expect(await socket.next((message) => message.hi === 1)).toEqual({ hi: 1 });
    // An endpoint written with a trailing slash (`https://{api}.execute-api.../stage/`) works too, as on AWS.
    const trailing = new ApiGatewayManagementApiClient({ ...client(), endpoint: `${wsBase.replace(/^ws/, 'http')}/` });
    await trailing.send(new PostToConnectionCommand({ ConnectionId: id, Data: new TextEncoder().encode('{"hi":2}') }));
    trailing.destroy();
    expect(await socket.next((message) => message.hi === 2)).toEqual({ hi: 2 });
    await management.send(new DeleteConnectionCommand({ ConnectionId: id }));
    expect((await socket.closed).code).toBe(1000);
    await expect(
      management.send(new PostToConnectionCommand({ ConnectionId: id, Data: new TextEncoder().encode('x') })),
    ).rejects.toBeInstanceOf(GoneException);
    await expect(
      management.send(
        new PostToConnectionCommand({ ConnectionId: 'no such id!', Data: new TextEncoder().encode('x') }),
      ),
    ).rejects.toMatchObject({ name: 'BadRequestException' });
  });
});

describe('clean-up of gone connections', () => {
  it('removes the subscription of a connection that answers 410 when an order event is pushed to it', async () => {
    const table = await runtime.tableName();
    const orderId = `ord_gone${'0'.repeat(16)}`;
    // A subscription left behind by a connection that closed without $disconnect (AWS runs it best effort).
    await dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: 'CONN#GoneConnId0A=' },
          sk: { S: `SUB#${orderId}` },
          orderId: { S: orderId },
          connectionId: { S: 'GoneConnId0A=' },
        },
      }),
    );
    const posted = await call(`${runtime.base}/v1/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-api-key': runtime.keyOf('PremiumApiKey') },
      body: JSON.stringify({ orderId, type: 'order.shipped', occurredAt: '2026-11-25T10:00:00Z' }),
    });
    expect(posted.status).toBe(202);
    let left: unknown[] = [];
    await eventually(
      async () => {
        left = (await runtime.tableItems()).filter((item) => item.orderId?.S === orderId);
        return left.length === 0;
      },
      15_000,
      100,
    );
    expect(left).toEqual([]);
    // The function logs after it deleted the items: its line may follow the table's change.
    expect(await runtime.waitForOutput(/Removed gone connections/, 5_000)).toBe(true);
  }, 20_000);
});
