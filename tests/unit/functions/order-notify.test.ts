import { readFileSync } from 'node:fs';
import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../src/functions/order-notify/handler.ts';

const sample = JSON.parse(readFileSync('events/order-notify.json', 'utf8')) as Record<string, unknown>;
const ddb = mockClient(DynamoDBDocumentClient);
const ws = mockClient(ApiGatewayManagementApiClient);
const pushed = () =>
  ws
    .commandCalls(PostToConnectionCommand)
    .map((c) => JSON.parse(new TextDecoder().decode(c.args[0].input.Data as Uint8Array)));

beforeEach(() => {
  ddb.reset();
  ws.reset();
  process.env.CONNECTIONS_TABLE = 'connections-test';
  process.env.WS_CALLBACK_URL = 'https://w9x8y7z6v5.execute-api.eu-west-1.amazonaws.com/dev';
  ddb
    .on(QueryCommand, { IndexName: 'byOrder' })
    .resolves({ Items: [{ connectionId: 'conn-a' }, { connectionId: 'conn-b' }] });
  ddb.on(QueryCommand, { KeyConditionExpression: 'pk = :pk' }).resolves({ Items: [{ pk: 'CONN#conn-b', sk: 'META' }] });
  ddb.on(BatchWriteCommand).resolves({});
  ws.on(PostToConnectionCommand).resolves({});
});

describe('order-notify (workflow task)', () => {
  it('pushes the final status with the reason taken out of the Lambda error JSON', async () => {
    await expect(handler(sample)).resolves.toEqual({ delivered: 2, gone: 0 });
    expect(pushed()).toEqual([
      {
        type: 'order-status',
        orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p',
        status: 'FAILED',
        failureReason: 'Payment declined',
      },
      {
        type: 'order-status',
        orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p',
        status: 'FAILED',
        failureReason: 'Payment declined',
      },
    ]);
  });

  it('pushes a confirmation without a reason, and counts and removes gone connections', async () => {
    ws.on(PostToConnectionCommand, { ConnectionId: 'conn-b' }).rejects(
      new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } }),
    );
    await expect(handler({ orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p', status: 'CONFIRMED' })).resolves.toEqual({
      delivered: 1,
      gone: 1,
    });
    expect(pushed()[0]).toEqual({
      type: 'order-status',
      orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p',
      status: 'CONFIRMED',
    });
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(1);
  });

  it('treats a plain 410 answer like GoneException', async () => {
    ws.on(PostToConnectionCommand, { ConnectionId: 'conn-a' }).rejects(
      Object.assign(new Error('gone'), { $metadata: { httpStatusCode: 410 } }),
    );
    await expect(handler({ orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p', status: 'CONFIRMED' })).resolves.toEqual({
      delivered: 1,
      gone: 1,
    });
  });

  it.each([
    [{ status: 'CONFIRMED' }],
    [{ orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p', status: 'SHIPPED' }],
    [{ orderId: 'nope', status: 'CONFIRMED' }],
  ])('refuses malformed task input %j (the workflow catches it)', async (input) => {
    await expect(handler(input)).rejects.toThrow(/Invalid notify input/);
    expect(ws.commandCalls(PostToConnectionCommand)).toHaveLength(0);
  });

  it('fails the task when a push fails for another reason, after cleaning up', async () => {
    ws.on(PostToConnectionCommand, { ConnectionId: 'conn-a' }).rejects(new Error('LimitExceededException'));
    await expect(handler({ orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p', status: 'CONFIRMED' })).rejects.toThrow(
      /Push to 1 of 2 subscribers of ord_01jd8x2k7q9w3e5r6t7y8u9i0p failed/,
    );
  });
});
