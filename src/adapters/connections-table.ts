import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { ConnectionRecord, SubscriptionRecord } from '#domain/subscriptions';
import { config } from '#shared/config';
import { tracer } from '#shared/tracer';

/**
 * The connections table: `pk = CONN#<connectionId>` holds the connection (`sk = META`) and one item per followed
 * order (`sk = SUB#<orderId>`), so a disconnect removes everything with one Query; the sparse `byOrder` index
 * (orderId, connectionId) finds an order's subscribers.
 */
const doc = DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})));
const pk = (connectionId: string) => `CONN#${connectionId}`;
const BATCH_LIMIT = 25;
const MAX_UNPROCESSED_RETRIES = 5;

export const putConnection = async (record: ConnectionRecord): Promise<void> => {
  await doc.send(
    new PutCommand({
      TableName: config.connectionsTable(),
      Item: { pk: pk(record.connectionId), sk: 'META', ...record },
    }),
  );
};

export const putSubscription = async (record: SubscriptionRecord): Promise<void> => {
  await doc.send(
    new PutCommand({
      TableName: config.connectionsTable(),
      Item: { pk: pk(record.connectionId), sk: `SUB#${record.orderId}`, ...record },
    }),
  );
};

/** Every item of a query, following LastEvaluatedKey through all pages. */
const queryAll = async (
  input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>,
): Promise<Record<string, unknown>[]> => {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({ ...input, TableName: config.connectionsTable(), ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
};

const keysOf = async (connectionId: string): Promise<{ pk: string; sk: string }[]> =>
  (
    await queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk(connectionId) },
      ProjectionExpression: 'pk, sk',
    })
  ).map((item) => ({ pk: String(item.pk), sk: String(item.sk) }));

/** Removes the connection and every subscription it holds; items DynamoDB leaves unprocessed are retried. */
export const deleteConnection = async (connectionId: string): Promise<number> => {
  const table = config.connectionsTable();
  const keys = await keysOf(connectionId);
  for (let i = 0; i < keys.length; i += BATCH_LIMIT) {
    let requests = keys.slice(i, i + BATCH_LIMIT).map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > MAX_UNPROCESSED_RETRIES)
        throw new Error(`Could not delete connection ${connectionId}: DynamoDB kept items unprocessed`);
      const result = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (result.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  }
  return keys.length;
};

/** The connection ids following an order, every page of the index. */
export const listSubscribers = async (orderId: string): Promise<string[]> =>
  (
    await queryAll({
      IndexName: 'byOrder',
      KeyConditionExpression: 'orderId = :orderId',
      ExpressionAttributeValues: { ':orderId': orderId },
      ProjectionExpression: 'connectionId',
    })
  ).map((item) => String(item.connectionId));
