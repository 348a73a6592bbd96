import { readFileSync } from 'node:fs';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../src/functions/ws-disconnect/handler.ts';

const sample = JSON.parse(readFileSync('events/ws-disconnect.json', 'utf8')) as APIGatewayProxyWebsocketEventV2;
const ddb = mockClient(DynamoDBDocumentClient);
const key = (sk: string) => ({ pk: 'CONN#CzT4mcP2DoECJ8g=', sk });

beforeEach(() => {
  ddb.reset();
  process.env.CONNECTIONS_TABLE = 'connections-test';
});

describe('WebSocket $disconnect', () => {
  it('deletes the connection and all its subscriptions, across query pages and 25-item batches', async () => {
    const subscriptions = Array.from({ length: 30 }, (_, i) => key(`SUB#ord_${String(i).padStart(26, '0')}`));
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [key('META'), ...subscriptions.slice(0, 10)], LastEvaluatedKey: subscriptions[9] })
      .resolvesOnce({ Items: subscriptions.slice(10) });
    ddb.on(BatchWriteCommand).resolves({});
    await expect(handler(sample)).resolves.toEqual({ statusCode: 200 });
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries[0]).toMatchObject({
      TableName: 'connections-test',
      ExpressionAttributeValues: { ':pk': 'CONN#CzT4mcP2DoECJ8g=' },
    });
    expect(queries[1]?.ExclusiveStartKey).toEqual(subscriptions[9]);
    const batches = ddb
      .commandCalls(BatchWriteCommand)
      .map((c) => c.args[0].input.RequestItems?.['connections-test'] ?? []);
    expect(batches.map((b) => b.length)).toEqual([25, 6]);
    expect(batches.flat().map((r) => r.DeleteRequest?.Key)).toEqual([key('META'), ...subscriptions]);
  });

  it('retries the items DynamoDB leaves unprocessed', async () => {
    ddb.on(QueryCommand).resolves({ Items: [key('META'), key('SUB#a')] });
    ddb
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { 'connections-test': [{ DeleteRequest: { Key: key('SUB#a') } }] } })
      .resolvesOnce({});
    await handler(sample);
    const batches = ddb.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems?.['connections-test']);
    expect(batches[1]).toEqual([{ DeleteRequest: { Key: key('SUB#a') } }]);
  });

  it('gives up loudly when items stay unprocessed', async () => {
    ddb.on(QueryCommand).resolves({ Items: [key('META')] });
    ddb
      .on(BatchWriteCommand)
      .resolves({ UnprocessedItems: { 'connections-test': [{ DeleteRequest: { Key: key('META') } }] } });
    await expect(handler(sample)).rejects.toThrow(/kept items unprocessed/);
  });

  it('has nothing to delete for a connection already gone', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    await expect(handler(sample)).resolves.toEqual({ statusCode: 200 });
    expect(ddb.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });
});
