import { readFileSync } from 'node:fs';
import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, type WsMessageEvent } from '../../../src/functions/ws-message/handler.ts';

const load = (name: string) => JSON.parse(readFileSync(`events/${name}.json`, 'utf8')) as WsMessageEvent;
const subscribe = load('ws-message-subscribe');
const publish = load('ws-message-publish');
const fallback = load('ws-message-default');
const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const ws = mockClient(ApiGatewayManagementApiClient);
const sfn = mockClient(SFNClient);

const orderId = 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p';
const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:orders-workflow-dev';
const executionArn = `arn:aws:states:eu-west-1:123456789012:execution:orders-workflow-dev:${orderId}`;
/** The sample events' caller (user-7f3c2a, orders:read orders:write) placed the sample order. */
const execution = (overrides: Record<string, unknown> = {}) => ({
  executionArn,
  stateMachineArn,
  name: orderId,
  status: 'SUCCEEDED' as const,
  startDate: new Date('2026-11-24T19:10:43.000Z'),
  input: JSON.stringify({ orderId, customerId: 'user-7f3c2a', items: [{ sku: 'SKU-BOOK-001', quantity: 1 }] }),
  ...overrides,
});
const as = (event: WsMessageEvent, authorizer: Record<string, unknown> | undefined): WsMessageEvent => {
  const { authorizer: _sample, ...requestContext } = event.requestContext;
  return { ...event, requestContext: authorizer ? { ...requestContext, authorizer } : requestContext };
};
const bob = { principalId: 'user-bob', sub: 'user-bob', scopes: 'orders:read orders:write', tenant: 'default' };
const sameUser = (scopes: string) => ({ principalId: 'user-7f3c2a', sub: 'user-7f3c2a', scopes, tenant: 'default' });

const replies = () =>
  ws.commandCalls(PostToConnectionCommand).map((c) => ({
    connectionId: c.args[0].input.ConnectionId,
    message: JSON.parse(new TextDecoder().decode(c.args[0].input.Data as Uint8Array)),
  }));
const withBody = (event: WsMessageEvent, body: string | undefined) => ({ ...event, body });

beforeEach(() => {
  ddb.reset();
  sqs.reset();
  ws.reset();
  sfn.reset();
  sfn.on(DescribeExecutionCommand, { executionArn }).resolves(execution());
  ddb.on(PutCommand).resolves({});
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  ws.on(PostToConnectionCommand).resolves({});
  process.env.CONNECTIONS_TABLE = 'connections-test';
  process.env.CONNECTION_TTL_SECONDS = '600';
  process.env.EVENTS_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/events';
  process.env.WS_CALLBACK_URL = 'https://w9x8y7z6v5.execute-api.eu-west-1.amazonaws.com/dev';
  process.env.STATE_MACHINE_ARN = stateMachineArn;
});

describe('WebSocket messages', () => {
  it('subscribe: stores the subscription with a TTL, confirms it and sends the current status at once', async () => {
    await expect(handler(subscribe)).resolves.toEqual({ statusCode: 200 });
    const item = ddb.commandCalls(PutCommand)[0]?.args[0].input.Item;
    expect(item).toMatchObject({
      pk: 'CONN#CzT4mcP2DoECJ8g=',
      sk: 'SUB#ord_01jd8x2k7q9w3e5r6t7y8u9i0p',
      connectionId: 'CzT4mcP2DoECJ8g=',
      orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p',
    });
    expect(item?.expiresAt).toBeGreaterThan(Math.floor(Date.now() / 1000) + 590);
    expect(replies()).toEqual([
      { connectionId: 'CzT4mcP2DoECJ8g=', message: { type: 'subscribed', orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p' } },
      { connectionId: 'CzT4mcP2DoECJ8g=', message: { type: 'order-status', orderId, status: 'CONFIRMED' } },
    ]);
    expect(await ws.call(0).thisValue.config.endpoint?.()).toMatchObject({
      hostname: 'w9x8y7z6v5.execute-api.eu-west-1.amazonaws.com',
      path: '/dev',
    });
  });

  it('publish: queues a websocket order event and answers with its id', async () => {
    await handler(publish);
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.QueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/events');
    const event = JSON.parse(sent?.MessageBody ?? '');
    expect(event).toMatchObject({
      orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p',
      type: 'order.shipped',
      source: 'websocket',
      detail: { carrier: 'DHL', trackingId: 'JD014600006281230000' },
    });
    expect(event.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(event.occurredAt)).not.toBeNaN();
    expect(replies()[0]?.message).toEqual({ type: 'published', eventId: event.eventId });
  });

  it('$default: answers with the actions a client may use', async () => {
    await handler(fallback);
    expect(replies()[0]?.message).toEqual({
      type: 'error',
      message: 'Unknown action; send {"action": "subscribe" | "publish", ...}',
      actions: ['subscribe', 'publish'],
    });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it.each([
    ['a body that is not JSON', subscribe, '{"action": "subscribe"', 'Message is not JSON'],
    ['no body', subscribe, undefined, 'Message is not JSON'],
    ['a malformed order id', subscribe, '{"action":"subscribe","orderId":"42"}', 'Invalid subscribe message'],
    [
      'a publish without a type',
      publish,
      '{"action":"publish","orderId":"ord_01jd8x2k7q9w3e5r6t7y8u9i0p"}',
      'Invalid publish message',
    ],
    [
      'a publish with a bad type',
      publish,
      '{"action":"publish","orderId":"ord_01jd8x2k7q9w3e5r6t7y8u9i0p","type":"Shipped!"}',
      'Invalid publish message',
    ],
  ])(
    'answers %s with an error reply naming the problem, and stores or sends nothing',
    async (_name, event, body, message) => {
      await expect(handler(withBody(event, body))).resolves.toEqual({ statusCode: 200 });
      const [reply] = replies();
      expect(reply?.message.type).toBe('error');
      expect(reply?.message.message).toContain(message);
      expect(reply?.message.actions).toEqual(['subscribe', 'publish']);
      expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
      expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    },
  );

  it('lists each bad field in the error reply', async () => {
    await handler(withBody(subscribe, '{"action":"subscribe","orderId":7}'));
    expect(replies()[0]?.message.errors).toEqual([expect.objectContaining({ path: 'orderId' })]);
  });

  it('does not fail when the sender left before the reply, and pushes nothing more to it', async () => {
    ws.on(PostToConnectionCommand).rejects(new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } }));
    await expect(handler(subscribe)).resolves.toEqual({ statusCode: 200 });
    expect(ws.commandCalls(PostToConnectionCommand)).toHaveLength(1);
  });

  it('surfaces a failure of its own (the queue is down) instead of pretending it published', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('QueueDoesNotExist'));
    await expect(handler(publish)).rejects.toThrow('QueueDoesNotExist');
    expect(replies()).toHaveLength(0);
  });
});

describe("WebSocket authorization: the REST rules, with the $connect authorizer's principal and scopes", () => {
  const refusal = () => {
    const [reply, ...more] = replies();
    expect(more).toEqual([]);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    return reply?.message;
  };

  it("subscribe to someone else's order: the order does not exist for the caller (as REST's 404), nothing stored", async () => {
    await handler(as(subscribe, bob));
    expect(refusal()).toEqual({
      type: 'error',
      message: `Order ${orderId} not found`,
      actions: ['subscribe', 'publish'],
    });
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({ executionArn });
  });

  it('subscribe to an order that does not exist: the same answer', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
    await handler(subscribe);
    expect(refusal()?.message).toBe(`Order ${orderId} not found`);
  });

  it('subscribe without orders:read is refused before the order is read', async () => {
    await handler(as(subscribe, sameUser('orders:write')));
    expect(refusal()).toEqual({
      type: 'error',
      message: 'Forbidden: subscribe needs the orders:read scope',
      actions: ['subscribe', 'publish'],
    });
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it('a message without any authorizer context (no principal, no scopes) may do nothing', async () => {
    await handler(as(publish, undefined));
    expect(refusal()?.message).toBe('Forbidden: publish needs the orders:write scope');
    await handler(as(subscribe, undefined));
    expect(replies()[1]?.message.message).toBe('Forbidden: subscribe needs the orders:read scope');
  });

  it('publish without orders:write (a token with no scope, or read only) is refused; nothing is queued', async () => {
    await handler(as(publish, sameUser('')));
    expect(refusal()?.message).toBe('Forbidden: publish needs the orders:write scope');
    ws.resetHistory();
    await handler(as(publish, sameUser('orders:read')));
    expect(refusal()?.message).toBe('Forbidden: publish needs the orders:write scope');
  });

  it("publish for someone else's order is refused as not found; nothing is queued", async () => {
    await handler(as(publish, bob));
    expect(refusal()?.message).toBe(`Order ${orderId} not found`);
  });

  it('orders:admin publishes for and follows any order', async () => {
    const admin = { principalId: 'ops', sub: 'ops', scopes: 'orders:admin', tenant: 'default' };
    await handler(as(publish, admin));
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    await handler(as(subscribe, admin));
    expect(ddb.commandCalls(PutCommand)).toHaveLength(1);
    expect(replies().map((reply) => reply.message.type)).toEqual(['published', 'subscribed', 'order-status']);
  });
});

describe('late subscribers get the current status at once', () => {
  it('a failed order: FAILED with the reason GET /v2 shows, never the error JSON or its trace', async () => {
    const cause = JSON.stringify({
      errorType: 'PaymentDeclinedError',
      errorMessage: 'Payment declined',
      trace: ['PaymentDeclinedError: Payment declined', '    at charge (/var/task/handler.mjs:1:2048)'],
    });
    sfn.on(DescribeExecutionCommand).resolves(execution({ status: 'FAILED', error: 'PaymentDeclinedError', cause }));
    await handler(subscribe);
    expect(replies()[1]?.message).toEqual({
      type: 'order-status',
      orderId,
      status: 'FAILED',
      failureReason: 'Payment declined',
    });
    expect(JSON.stringify(replies())).not.toContain('handler.mjs');
  });

  it('an order still running is read again once subscribed, so an end in between is not missed', async () => {
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce(execution({ status: 'RUNNING' }))
      .resolvesOnce(execution({ status: 'SUCCEEDED' }));
    await handler(subscribe);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(2);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(1);
    expect(replies()[1]?.message).toEqual({ type: 'order-status', orderId, status: 'CONFIRMED' });
  });

  it('an order still running after the subscription is stored: PROCESSING, live pushes follow', async () => {
    sfn.on(DescribeExecutionCommand).resolves(execution({ status: 'RUNNING' }));
    await handler(subscribe);
    expect(replies()[1]?.message).toEqual({ type: 'order-status', orderId, status: 'PROCESSING' });
  });
});
