import { readFileSync } from 'node:fs';
import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../src/functions/order-events/handler.ts';

const sample = JSON.parse(readFileSync('events/order-events.json', 'utf8')) as SQSEvent;
const context = {
  functionName: 'OrderEventsFunction',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as Context;
const ddb = mockClient(DynamoDBDocumentClient);
const ws = mockClient(ApiGatewayManagementApiClient);
const [confirmed, shipped, broken] = sample.Records as [SQSRecord, SQSRecord, SQSRecord];
const pushes = () =>
  ws.commandCalls(PostToConnectionCommand).map((c) => ({
    connectionId: c.args[0].input.ConnectionId,
    message: JSON.parse(new TextDecoder().decode(c.args[0].input.Data as Uint8Array)),
  }));

beforeEach(() => {
  ddb.reset();
  ws.reset();
  process.env.CONNECTIONS_TABLE = 'connections-test';
  process.env.WS_CALLBACK_URL = 'https://w9x8y7z6v5.execute-api.eu-west-1.amazonaws.com/dev';
  ddb.on(QueryCommand).resolves({ Items: [{ connectionId: 'conn-a' }, { connectionId: 'conn-b' }] });
  ddb.on(BatchWriteCommand).resolves({});
  ws.on(PostToConnectionCommand).resolves({});
});

describe('order events consumer', () => {
  it('pushes each good event to every subscriber and reports only the bad record as failed', async () => {
    const result = await handler(sample, context);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: broken.messageId }] });
    expect(pushes()).toHaveLength(4);
    expect(pushes()[0]).toEqual({
      connectionId: 'conn-a',
      message: { type: 'order-event', event: JSON.parse(confirmed.body) },
    });
    const query = ddb.commandCalls(QueryCommand)[0]?.args[0].input;
    expect(query).toMatchObject({
      IndexName: 'byOrder',
      ExpressionAttributeValues: { ':orderId': 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p' },
    });
  });

  it("pushes the workflow's order.failed with the client's failureReason instead of the Lambda error's cause", async () => {
    const cause = JSON.stringify({
      errorType: 'PaymentDeclinedError',
      errorMessage: 'Payment declined',
      trace: ['PaymentDeclinedError: Payment declined', '    at charge (file:///var/task/handler.mjs:1:2048)'],
    });
    const failed = {
      eventId: '6f1c2b8e-0d4a-4c59-9d7e-2f6a1b3c4d5e',
      orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p',
      type: 'order.failed',
      occurredAt: '2026-11-24T19:10:45.120Z',
      source: 'workflow',
      detail: { error: 'PaymentDeclinedError', cause },
    };
    const result = await handler({ Records: [{ ...confirmed, body: JSON.stringify(failed) }] }, context);
    expect(result.batchItemFailures).toEqual([]);
    expect(pushes()[0]?.message).toEqual({
      type: 'order-event',
      event: { ...failed, detail: { error: 'PaymentDeclinedError', failureReason: 'Payment declined' } },
    });
    expect(JSON.stringify(pushes())).not.toMatch(/trace|handler\.mjs/);
  });

  it("leaves a partner's or client's event detail as it was published", async () => {
    const cancelled = {
      ...JSON.parse(shipped.body),
      type: 'order.cancelled',
      source: 'partner',
      detail: { cause: 'customer request' },
    };
    await handler({ Records: [{ ...shipped, body: JSON.stringify(cancelled) }] }, context);
    expect(pushes()[0]?.message).toEqual({ type: 'order-event', event: cancelled });
  });

  it('fails a record that is JSON but not an order event', async () => {
    const notAnEvent = {
      ...shipped,
      messageId: 'bad-shape',
      body: JSON.stringify({ orderId: 'ord_x', type: 'shipped' }),
    };
    const result = await handler({ Records: [confirmed, notAnEvent] }, context);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'bad-shape' }]);
  });

  it('removes subscribers that are gone and still succeeds', async () => {
    ws.on(PostToConnectionCommand, { ConnectionId: 'conn-b' }).rejects(
      new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } }),
    );
    ddb
      .on(QueryCommand, { IndexName: 'byOrder' })
      .resolves({ Items: [{ connectionId: 'conn-a' }, { connectionId: 'conn-b' }] });
    ddb
      .on(QueryCommand, { KeyConditionExpression: 'pk = :pk' })
      .resolves({ Items: [{ pk: 'CONN#conn-b', sk: 'META' }] });
    const result = await handler({ Records: [confirmed] }, context);
    expect(result.batchItemFailures).toEqual([]);
    const deleted = ddb
      .commandCalls(BatchWriteCommand)
      .flatMap((c) => c.args[0].input.RequestItems?.['connections-test'] ?? []);
    expect(deleted).toEqual([{ DeleteRequest: { Key: { pk: 'CONN#conn-b', sk: 'META' } } }]);
  });

  it('returns a record to the queue when a push fails for another reason', async () => {
    const other = 'ord_99999999999999999999999999';
    const elsewhere = { ...shipped, body: JSON.stringify({ ...JSON.parse(shipped.body), orderId: other }) };
    ddb
      .on(QueryCommand, { ExpressionAttributeValues: { ':orderId': other } })
      .resolves({ Items: [{ connectionId: 'conn-c' }] });
    ws.on(PostToConnectionCommand, { ConnectionId: 'conn-a' }).rejects(new Error('ThrottlingException'));
    const result = await handler({ Records: [confirmed, elsewhere] }, context);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: confirmed.messageId }]);
  });

  it('hands the whole batch back when every record failed (Powertools: FullBatchFailureError)', async () => {
    ws.on(PostToConnectionCommand).rejects(new Error('ThrottlingException'));
    await expect(handler({ Records: [confirmed, shipped] }, context)).rejects.toThrow(/All records failed processing/);
  });

  it('follows every page of subscribers', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ connectionId: 'conn-a' }], LastEvaluatedKey: { orderId: 'o', connectionId: 'conn-a' } })
      .resolvesOnce({ Items: [{ connectionId: 'conn-z' }] });
    await handler({ Records: [confirmed] }, context);
    expect(pushes().map((p) => p.connectionId)).toEqual(['conn-a', 'conn-z']);
  });
});
