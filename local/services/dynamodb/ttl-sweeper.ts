import { type AttributeValue, DeleteItemCommand, type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';

export interface TtlTable {
  name: string;
  keyNames: string[];
  ttlAttribute: string;
}

/**
 * Deletes expired items, which dynalite never does. DynamoDB deletes an item whose TTL attribute (a Number of epoch
 * seconds) lies in the past, in the background and typically within a few days (developer guide, "Using time to live
 * (TTL) in DynamoDB"); locally the sweep runs every few seconds. Items without the attribute, or with a non-number,
 * never expire, as in DynamoDB.
 */
export const sweepExpired = async (client: DynamoDBClient, table: TtlTable, nowSeconds: number): Promise<number> => {
  let deleted = 0;
  for await (const page of paginateScan({ client }, { TableName: table.name })) {
    for (const item of page.Items ?? []) {
      const expires = Number(item[table.ttlAttribute]?.N);
      if (!Number.isFinite(expires) || expires > nowSeconds) continue;
      const key: Record<string, AttributeValue> = {};
      for (const name of table.keyNames) if (item[name]) key[name] = item[name];
      await client.send(new DeleteItemCommand({ TableName: table.name, Key: key }));
      deleted += 1;
    }
  }
  return deleted;
};
