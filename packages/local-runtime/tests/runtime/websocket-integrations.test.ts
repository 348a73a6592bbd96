import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call, eventually, openSocket } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * WebSocket routes with AWS (DynamoDB, SQS, Step Functions), MOCK and missing integrations, RouteResponse and
 * IntegrationResponse, black-box over real WebSocket connections; and a REST `type: aws` integration to DynamoDB.
 */
const TABLE_KEY = (connectionId: string) => ({ connectionId: { S: connectionId } });

describe('WebSocket service integrations', () => {
  let url: (stage: string) => string;
  let dynamodb: DynamoDBClient;
  let sqs: SQSClient;
  let table: string;
  let backend: Server;
  const received: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];

  beforeAll(async () => {
    // The HTTP back end of the relay and notify routes.
    backend = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
        response
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ backend: 'says', got: body }));
      });
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  });
  const runtime = fixtureRuntime('websocket-integrations', () => [
    '--parameter-overrides',
    `BackendUrl=http://127.0.0.1:${(backend.address() as AddressInfo).port}`,
  ]);
  beforeAll(async () => {
    const main = runtime.info.webSockets.find((api) => api.logicalId === 'WebSocketApi');
    if (!main) throw new Error('no WebSocketApi');
    url = (stage) => main.url.replace(/\/production$/, `/${stage}`);
    dynamodb = new DynamoDBClient(runtime.clientConfig('dynamodb'));
    sqs = new SQSClient(runtime.clientConfig('sqs'));
    table = await runtime.tableName();
  });
  afterAll(async () => {
    dynamodb?.destroy();
    sqs?.destroy();
    backend?.close();
  });

  const item = async (connectionId: string) =>
    (await dynamodb.send(new GetItemCommand({ TableName: table, Key: TABLE_KEY(connectionId) }))).Item;

  /** The connection id, read back through the two-way whoami route. */
  const whoami = async (socket: Awaited<ReturnType<typeof openSocket>>) => {
    socket.socket.send(JSON.stringify({ action: 'whoami' }));
    return socket.next((message) => typeof message.connectionId === 'string' && message.route === 'whoami');
  };

  it('lists its routes in GET /_local/runtime by route key, with what each integration calls', async () => {
    const routes = (await call(`${runtime.info.restUrl}/_local/runtime`)).json().routes as Record<string, unknown>[];
    const mine = routes.filter((entry) => entry.api === 'WebSocketApi');
    expect(mine.find((entry) => entry.route === 'shout')).toEqual({
      api: 'WebSocketApi',
      kind: 'WEBSOCKET',
      stage: 'production',
      route: 'shout',
      integration: 'aws lambda:ShoutFunction',
      scopes: [],
      apiKeyRequired: false,
      corsPreflight: false,
      refused: false,
    });
    expect(mine.find((entry) => entry.route === 'enqueue')).toMatchObject({ integration: 'aws sqs' });
    expect(mine.find((entry) => entry.route === 'stream')).toMatchObject({ refused: true });
  });

  it('runs $connect PutItem (request template with $context and $input.params) and $disconnect DeleteItem', async () => {
    const socket = await openSocket(`${url('production')}?room=blue`);
    const me = await whoami(socket);
    expect(me).toMatchObject({ room: 'blue', route: 'whoami', status: '200' });
    const connectionId = String(me.connectionId);
    expect(await item(connectionId)).toMatchObject({
      connectionId: { S: connectionId },
      room: { S: 'blue' },
      host: { S: expect.stringMatching(/^127\.0\.0\.1:\d+$/) },
    });
    socket.socket.close();
    await socket.closed;
    await eventually(async () => (await item(connectionId)) === undefined, 5000);
    expect(runtime.output()).not.toMatch(/WS \$disconnect \S+ \d+ —/);
  });

  it('sends a one-way route to SQS (path URI, mapped Content-Type, query-protocol body) and answers nothing', async () => {
    const socket = await openSocket(url('production'));
    const { connectionId } = await whoami(socket);
    socket.socket.send(JSON.stringify({ action: 'enqueue', message: { hello: 'queue' } }));
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: await queueName() }));
    let body: string | undefined;
    let attribute: string | undefined;
    await eventually(async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }),
      );
      body = Messages[0]?.Body;
      attribute = Messages[0]?.MessageAttributes?.connectionId?.StringValue;
      return body !== undefined;
    }, 5000);
    expect(JSON.parse(body ?? '')).toEqual({ hello: 'queue' });
    expect(attribute).toBe(connectionId);
    // One-way: nothing but the whoami answer came back.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(socket.messages).toHaveLength(1);
    socket.socket.close();
  });

  const queueName = async () => {
    const services = await (await fetch(`${runtime.info.restUrl}/_local/queues`)).json().catch(() => undefined);
    const names = Array.isArray(services) ? services.map((queue: { name?: string }) => queue.name) : [];
    return String(names.find((name) => typeof name === 'string' && name.includes('MessagesQueue')) ?? names[0]);
  };

  it('runs an express workflow with StartSyncExecution, picking the request template by the message, and maps the answer', async () => {
    const socket = await openSocket(url('production'));
    socket.socket.send(JSON.stringify({ action: 'workflow', version: 'v1', payload: { text: 'hi' } }));
    const answer = await socket.next((message) => message.status !== undefined);
    expect(answer).toEqual({ status: 'SUCCEEDED', output: { workflow: 'echo', said: 'hi' } });
    // PassthroughBehavior NEVER and no template for v2: API Gateway refuses the message (no integration call).
    socket.socket.send(JSON.stringify({ action: 'workflow', version: 'v2', payload: {} }));
    const refused = await socket.next((message) => message.message === 'Unsupported Media Type');
    expect(refused).toMatchObject({ connectionId: expect.any(String), requestId: expect.any(String) });
    socket.socket.close();
  });

  it("answers a MOCK two-way route through its integration response, and API Gateway's error when none matches", async () => {
    const socket = await openSocket(url('production'));
    socket.socket.send(JSON.stringify({ action: 'ping' }));
    const pong = await socket.next((message) => message.pong !== undefined);
    expect(pong).toMatchObject({ pong: expect.any(String), eventType: 'MESSAGE', stage: 'production' });
    // On WebSocket APIs the request id and the extended request id are one value (`SOqIDEacoAMFaHQ=`).
    expect(pong.requestId).toMatch(/^[A-Za-z0-9]{15}=$/);
    expect(pong.extendedRequestId).toBe(pong.requestId);
    // 418 matches no integration response and there is no $default: a configuration error, answered and logged.
    socket.socket.send(JSON.stringify({ action: 'ping', fail: true }));
    const error = await socket.next((message) => message.message === 'Internal server error');
    expect(error.connectionId).toBe(pong.pong);
    expect(
      await runtime.waitForOutput(
        /WS ping \S+ — Execution failed due to configuration error: No match for output mapping/,
      ),
    ).toBe(true);
    socket.socket.close();
  });

  it('runs a non-proxy Lambda integration: template as payload, integration response picked by errorMessage', async () => {
    const socket = await openSocket(url('production'));
    socket.socket.send(JSON.stringify({ action: 'shout', text: 'quiet' }));
    expect(await socket.next((reply) => reply.shouted !== undefined)).toEqual({ shouted: 'QUIET' });
    socket.socket.send(JSON.stringify({ action: 'shout' }));
    expect(await socket.next((reply) => reply.refused !== undefined)).toEqual({ refused: 'Bad request: no text' });
    socket.socket.close();
  });

  it('relays a message to an HTTP_PROXY back end as it is and sends its answer back as it is', async () => {
    const socket = await openSocket(url('production'));
    const message = JSON.stringify({ action: 'relay', n: 1 });
    socket.socket.send(message);
    expect(await socket.next((reply) => reply.backend === 'says')).toEqual({ backend: 'says', got: message });
    expect(received.find((request) => request.url === '/relay')).toMatchObject({ method: 'POST', body: message });
    socket.socket.close();
  });

  it('sends an HTTP integration its rendered template with mapped headers (context, stage variable)', async () => {
    const socket = await openSocket(url('production'));
    const { connectionId } = await whoami(socket);
    socket.socket.send(JSON.stringify({ action: 'notify', text: 'hello' }));
    const reply = await socket.next((answer) => answer.backend === 'says');
    const sent = received.find((request) => request.url === '/notify');
    expect(sent).toMatchObject({ method: 'PUT', headers: { 'x-connection-id': connectionId, 'x-channel': 'alerts' } });
    expect(JSON.parse(sent?.body ?? '')).toEqual({ text: 'hello', route: 'notify' });
    // The $default integration response has no template: the back end's body passes through.
    expect(JSON.parse(String(reply.got))).toEqual({ text: 'hello', route: 'notify' });
    socket.socket.close();
  });

  it("names what it does not run at start-up, and answers a request that meets it with API Gateway's 500", async () => {
    expect(runtime.output()).toMatch(
      /StreamRoute \(stream\) → StreamIntegration: AWS integration to firehose is not run locally/,
    );
    expect(runtime.output()).toMatch(
      /ElsewhereWebSocketApi \$connect: the integration function arn:aws:lambda:[^ ]+:function:deployed-elsewhere is not in the template/,
    );
    const socket = await openSocket(url('production'));
    socket.socket.send(JSON.stringify({ action: 'stream', data: 'x' }));
    expect(await socket.next((message) => message.message === 'Internal server error')).toBeDefined();
    expect(await runtime.waitForOutput(/WS stream \S+ 500 — not run locally: AWS integration to firehose/)).toBe(true);
    socket.socket.close();
  });

  it('refuses the handshake with 500 when the $connect integration fails or its function is missing, and says why', async () => {
    await expect(openSocket(url('broken'))).rejects.toMatchObject({ status: 500 });
    expect(await runtime.waitForOutput(/WS \$connect 500 — .*ResourceNotFoundException/)).toBe(true);
    await expect(openSocket(url('elsewhere'))).rejects.toMatchObject({ status: 500 });
    expect(await runtime.waitForOutput(/WS \$connect 500 — function arn:aws:lambda:[^ ]+deployed-elsewhere/)).toBe(
      true,
    );
  });

  it('writes to DynamoDB from a REST type: aws integration (signed like an SDK client) and maps the answer', async () => {
    const rest = runtime.info.apis.find((api) => api.logicalId === 'RestApi');
    const stored = await call(`${rest?.url}/connections/rest-1`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ room: 'green' }),
    });
    expect({ status: stored.status, body: stored.json() }).toEqual({ status: 201, body: { stored: 'rest-1' } });
    expect(await item('rest-1')).toEqual({ connectionId: { S: 'rest-1' }, room: { S: 'green' } });
    // DynamoDB's own refusal (a number where the template puts a string attribute) goes through the default response.
    const refused = await call(`${rest?.url}/connections/rest-2`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ room: 7 }),
    });
    expect(refused.status).toBe(400);
    expect(String(refused.json().error)).toMatch(/SerializationException|ValidationException/);
  });
});
