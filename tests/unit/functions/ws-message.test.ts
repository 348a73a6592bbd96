import { readFileSync } from 'node:fs';
import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../src/functions/ws-message/handler.ts';

const load = (name: string) =>
  JSON.parse(readFileSync(`events/${name}.json`, 'utf8')) as APIGatewayProxyWebsocketEventV2;
const subscribe = load('ws-message-subscribe');
const publish = load('ws-message-publish');
const fallback = load('ws-message-default');
const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const ws = mockClient(ApiGatewayManagementApiClient);

const replies = () =>
  ws.commandCalls(PostToConnectionCommand).map((c) => ({
    connectionId: c.args[0].input.ConnectionId,
    message: JSON.parse(new TextDecoder().decode(c.args[0].input.Data as Uint8Array)),
  }));
const withBody = (event: APIGatewayProxyWebsocketEventV2, body: string | undefined) => ({ ...event, body });

beforeEach(() => {
  ddb.reset();
  sqs.reset();
  ws.reset();
  ddb.on(PutCommand).resolves({});
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  ws.on(PostToConnectionCommand).resolves({});
  process.env.CONNECTIONS_TABLE = 'connections-test';
  process.env.CONNECTION_TTL_SECONDS = '600';
  process.env.EVENTS_QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/events';
  process.env.WS_CALLBACK_URL = 'https://w9x8y7z6v5.execute-api.eu-west-1.amazonaws.com/dev';
});

describe('WebSocket messages', () => {
  it('subscribe: stores the subscription with a TTL and confirms it on the same connection', async () => {
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

  it('does not fail when the sender left before the reply', async () => {
    ws.on(PostToConnectionCommand).rejects(new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } }));
    await expect(handler(subscribe)).resolves.toEqual({ statusCode: 200 });
  });

  it('surfaces a failure of its own (the queue is down) instead of pretending it published', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('QueueDoesNotExist'));
    await expect(handler(publish)).rejects.toThrow('QueueDoesNotExist');
    expect(replies()).toHaveLength(0);
  });
});
