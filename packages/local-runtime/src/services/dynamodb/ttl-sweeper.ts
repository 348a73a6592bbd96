import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  paginateScan,
} from '@aws-sdk/client-dynamodb';

// DynamoDB skips TTL values more than five years in the past ("Before you start": "the TTL can't be more than five
// years in the past"): a typo such as 0 or a date in days does not wipe a table.
const FIVE_YEARS_SECONDS = 5 * 365 * 24 * 60 * 60;

/**
 * Deletes the expired items of one table, which dynalite never does. DynamoDB deletes an item whose TTL attribute (a
 * Number of epoch seconds) lies in the past in the background, typically within a few days (developer guide, "Using
 * time to live (TTL) in DynamoDB"); locally a sweep runs every few seconds. Items without the attribute, or with a
 * value that is not a Number, never expire, as in DynamoDB. Returns how many items were deleted.
 */
export const sweepExpired = async (
  client: DynamoDBClient,
  table: { name: string; ttlAttribute: string },
  nowSeconds: number,
): Promise<number> => {
  // The key schema is read each time: UpdateTimeToLive may have enabled TTL on a table created at run time.
  const { Table } = await client.send(new DescribeTableCommand({ TableName: table.name }));
  const keyNames = (Table?.KeySchema ?? []).map((key) => String(key.AttributeName));
  const names: Record<string, string> = { '#ttl': table.ttlAttribute };
  keyNames.forEach((name, i) => {
    names[`#k${i}`] = name;
  });
  // A Number compared with a Number: a String or Binary TTL attribute never matches, as DynamoDB ignores it.
  const expired = '#ttl BETWEEN :oldest AND :now';
  const values: Record<string, AttributeValue> = {
    ':oldest': { N: String(nowSeconds - FIVE_YEARS_SECONDS) },
    ':now': { N: String(nowSeconds) },
  };
  let deleted = 0;
  const pages = paginateScan(
    { client },
    {
      TableName: table.name,
      ProjectionExpression: Object.keys(names).join(', '),
      FilterExpression: expired,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  );
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const key: Record<string, AttributeValue> = {};
      for (const name of keyNames) if (item[name]) key[name] = item[name];
      try {
        // Only if still expired: "you can still update the expired items that are pending deletion, including
        // changing or removing their TTL attributes", and such an item must survive.
        await client.send(
          new DeleteItemCommand({
            TableName: table.name,
            Key: key,
            ConditionExpression: expired,
            ExpressionAttributeNames: { '#ttl': table.ttlAttribute },
            ExpressionAttributeValues: values,
          }),
        );
        deleted += 1;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
  }
  return deleted;
};
