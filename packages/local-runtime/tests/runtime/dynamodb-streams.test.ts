import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * DynamoDB streams → Lambda, black box: writes made with the SDK's DynamoDB client reach the functions mapped to the
 * tables' streams (a SAM DynamoDB event and an AWS::Lambda::EventSourceMapping), in write order; a failing batch is
 * retried, not skipped. The functions record each event they get in a FIFO queue the test reads.
 */

interface Seen {
  event: DynamoDBStreamEvent;
}

describe('DynamoDB streams to Lambda', () => {
  const runtime = fixtureRuntime('dynamodb-streams');
  let dynamodb: DynamoDBClient;
  let sqs: SQSClient;
  let queueUrl: string;
  let tables: Record<string, string>;
  const seen: DynamoDBRecord[][] = [];

  /** Every event recorded so far, in the order the functions were invoked. */
  const drain = async () => {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return;
      for (const message of Messages) {
        seen.push((JSON.parse(message.Body ?? '{}') as Seen).event.Records);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }
  };

  /** The records of one table's stream the functions got, batch by batch, once `done` holds of them (within 10 s). */
  const batchesOf = async (table: string, done: (batches: DynamoDBRecord[][]) => boolean) => {
    const arn = (record: DynamoDBRecord | undefined) => record?.eventSourceARN ?? '';
    const ofTable = () => seen.filter((batch) => arn(batch[0]).includes(`:table/${tables[table]}/stream/`));
    const deadline = Date.now() + 10_000;
    while (!done(ofTable()) && Date.now() < deadline) {
      await drain();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return ofTable();
  };
  const idOf = (record: DynamoDBRecord) => record.dynamodb?.Keys?.id?.S;

  beforeAll(async () => {
    dynamodb = new DynamoDBClient(runtime.clientConfig('dynamodb'));
    sqs = new SQSClient(runtime.clientConfig('sqs'));
    const queues = (await (await fetch(`${runtime.info.restUrl}/_local/queues`)).json()) as { url: string }[];
    queueUrl = String(queues[0]?.url);
    const listed = (await (await fetch(`${runtime.info.restUrl}/_local/tables`)).json()) as { name: string }[];
    const named = (logicalId: string) => listed.find((table) => table.name.includes(logicalId))?.name ?? logicalId;
    tables = { Orders: named('OrdersTable'), Keys: named('KeysTable'), Flaky: named('FlakyTable') };
  });

  afterAll(() => {
    dynamodb.destroy();
    sqs.destroy();
  });

  it('names neither the DynamoDB events nor the stream mapping as not run at start-up', () => {
    expect(runtime.output()).not.toMatch(/\(DynamoDB\): not run|KeysMapping|Not run locally/i);
  });

  it('delivers INSERT, MODIFY with both images and REMOVE in order, and nothing for a failed condition', async () => {
    const TableName = tables.Orders;
    const Key = { id: { S: 'order-1' } };
    await dynamodb.send(new PutItemCommand({ TableName, Item: { ...Key, status: { S: 'new' } } }));
    await expect(
      dynamodb.send(
        new PutItemCommand({
          TableName,
          Item: { ...Key, status: { S: 'clobbered' } },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    await dynamodb.send(
      new UpdateItemCommand({
        TableName,
        Key,
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'paid' } },
      }),
    );
    await dynamodb.send(new DeleteItemCommand({ TableName, Key }));
    const records = (await batchesOf('Orders', (batches) => batches.flat().length >= 3)).flat();
    expect(records.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const [insert, modify, remove] = records;
    expect(insert).toMatchObject({
      eventSource: 'aws:dynamodb',
      eventVersion: '1.1',
      awsRegion: runtime.info.region,
      dynamodb: { Keys: Key, NewImage: { ...Key, status: { S: 'new' } }, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    expect(insert?.eventSourceARN).toMatch(/^arn:aws:dynamodb:[^:]+:\d{12}:table\/[^/]+\/stream\/.+$/);
    expect(modify?.dynamodb).toMatchObject({
      OldImage: { ...Key, status: { S: 'new' } },
      NewImage: { ...Key, status: { S: 'paid' } },
    });
    expect(remove?.dynamodb?.OldImage).toEqual({ ...Key, status: { S: 'paid' } });
    expect(remove?.dynamodb?.NewImage).toBeUndefined();
  });

  it('gives an EventSourceMapping on a KEYS_ONLY stream only the keys', async () => {
    await dynamodb.send(
      new PutItemCommand({ TableName: tables.Keys, Item: { id: { S: 'key-1' }, secret: { S: 'not in the record' } } }),
    );
    const [record] = (await batchesOf('Keys', (batches) => batches.length >= 1)).flat();
    expect(record?.eventName).toBe('INSERT');
    expect(record?.dynamodb?.Keys).toEqual({ id: { S: 'key-1' } });
    expect(record?.dynamodb?.NewImage).toBeUndefined();
    expect(record?.dynamodb?.OldImage).toBeUndefined();
  });

  it('retries a failing batch, the stream waiting behind it, and delivers only what the filter lets through', async () => {
    const poison = `poison-${randomUUID()}`;
    const put = (id: string) => dynamodb.send(new PutItemCommand({ TableName: tables.Flaky, Item: { id: { S: id } } }));
    await put(poison);
    await put('after-poison');
    // A MODIFY the filter ({"eventName": ["INSERT"]}) drops, then an INSERT that marks the end.
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: tables.Flaky,
        Key: { id: { S: 'after-poison' } },
        UpdateExpression: 'SET touched = :t',
        ExpressionAttributeValues: { ':t': { BOOL: true } },
      }),
    );
    await put('last');
    const batches = await batchesOf('Flaky', (found) => found.flat().some((record) => idOf(record) === 'last'));
    // BatchSize 1: two failures and the success of the poison item, then each later record once, in order.
    expect(batches.map((batch) => batch.map((record) => [idOf(record), record.eventName]))).toEqual([
      [[poison, 'INSERT']],
      [[poison, 'INSERT']],
      [[poison, 'INSERT']],
      [['after-poison', 'INSERT']],
      [['last', 'INSERT']],
    ]);
  });
});
