import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DynamoDBRecord } from 'aws-lambda';
import { type DynamoDbService, startDynamoDbService } from '../../src/services/dynamodb/server.ts';
import { authFor, testKey } from './local-auth.ts';

/**
 * The stream records of writes made over the DynamoDB endpoint (real sockets, the SDK's client): one per item changed,
 * in write order, with the images the view type asks for; none for a failed or empty write; TTL deletions marked.
 */

const REGION = 'eu-west-1';
const ARN = (name: string) => `arn:aws:dynamodb:${REGION}:123456789012:table/${name}/stream/1970-01-01T00:00:00.000`;
const table = (name: string, viewType: string, extra: Record<string, unknown> = {}) => ({
  logicalId: name,
  name,
  streamArn: ARN(name),
  properties: {
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    StreamSpecification: { StreamViewType: viewType },
    ...extra,
  },
});

describe('DynamoDB streams of the local DynamoDB', () => {
  let service: DynamoDbService;
  let client: DynamoDBClient;

  beforeAll(async () => {
    service = await startDynamoDbService({
      tables: [
        table('Images', 'NEW_AND_OLD_IMAGES', {
          TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
        }),
        table('KeysOnly', 'KEYS_ONLY'),
        {
          logicalId: 'Plain',
          name: 'Plain',
          properties: {
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          },
        },
      ],
      region: REGION,
      auth: authFor(REGION),
      sweepIntervalMs: 50,
    });
    client = new DynamoDBClient({ region: REGION, endpoint: service.url, credentials: testKey });
  });

  afterAll(async () => {
    client.destroy();
    await service.close();
  });

  const records = (name: string): DynamoDBRecord[] => service.streamByArn(ARN(name))?.read(undefined, 1000) ?? [];
  const since = (name: string, count: number) => records(name).slice(count);
  /** The records after the first `count`, once there are `expected` of them: the stream is written asynchronously. */
  const arrived = async (name: string, count: number, expected: number): Promise<DynamoDBRecord[]> => {
    const deadline = Date.now() + 5000;
    while (since(name, count).length < expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return since(name, count);
  };

  it('records INSERT, MODIFY with both images and REMOVE in write order, and leaves answers as they were', async () => {
    const before = records('Images').length;
    const put = await client.send(
      new PutItemCommand({
        TableName: 'Images',
        Item: { id: { S: 'a' }, n: { N: '1' } },
        ReturnValues: 'ALL_OLD',
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    expect(put.Attributes).toBeUndefined();
    expect(put.ConsumedCapacity?.TableName).toBe('Images');
    const update = await client.send(
      new UpdateItemCommand({
        TableName: 'Images',
        Key: { id: { S: 'a' } },
        UpdateExpression: 'SET n = :n',
        ExpressionAttributeValues: { ':n': { N: '2' } },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    expect(update.Attributes).toEqual({ n: { N: '2' } });
    await client.send(new DeleteItemCommand({ TableName: 'Images', Key: { id: { S: 'a' } } }));
    const got = await arrived('Images', before, 3);
    expect(got.map((record) => record.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
    const [insert, modify, remove] = got;
    expect(insert).toMatchObject({
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: REGION,
      eventSourceARN: ARN('Images'),
      dynamodb: {
        Keys: { id: { S: 'a' } },
        NewImage: { id: { S: 'a' }, n: { N: '1' } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(insert?.dynamodb?.OldImage).toBeUndefined();
    expect(modify?.dynamodb).toMatchObject({
      OldImage: { id: { S: 'a' }, n: { N: '1' } },
      NewImage: { id: { S: 'a' }, n: { N: '2' } },
    });
    expect(remove?.dynamodb?.OldImage).toEqual({ id: { S: 'a' }, n: { N: '2' } });
    expect(remove?.dynamodb?.NewImage).toBeUndefined();
    const sequence = got.map((record) => BigInt(record.dynamodb?.SequenceNumber ?? '0'));
    expect([...sequence].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequence);
    expect(new Set(sequence).size).toBe(3);
    expect(insert?.userIdentity).toBeUndefined();
  });

  it('records nothing for a failed condition, a write that changed nothing, or a table without a stream', async () => {
    await client.send(new PutItemCommand({ TableName: 'Images', Item: { id: { S: 'same' }, v: { S: 'x' } } }));
    const before = (await arrived('Images', 0, records('Images').length + 1)).length;
    await expect(
      client.send(
        new PutItemCommand({
          TableName: 'Images',
          Item: { id: { S: 'same' }, v: { S: 'y' } },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      ),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await client.send(new PutItemCommand({ TableName: 'Images', Item: { id: { S: 'same' }, v: { S: 'x' } } }));
    await client.send(new DeleteItemCommand({ TableName: 'Images', Key: { id: { S: 'never-there' } } }));
    await client.send(new PutItemCommand({ TableName: 'Plain', Item: { id: { S: 'p' } } }));
    // Records keep the order of the writes: once the last write's is there, any earlier one would be too.
    await client.send(new PutItemCommand({ TableName: 'Images', Item: { id: { S: 'sentinel' } } }));
    const got = await arrived('Images', before, 1);
    expect(got.map((record) => record.dynamodb?.Keys?.id?.S)).toEqual(['sentinel']);
  });

  // dynalite has no TransactWriteItems (UnknownOperationException): BatchWriteItem is the multi-item write here.
  it('records one change per item of BatchWriteItem', async () => {
    const before = records('Images').length;
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          Images: [{ PutRequest: { Item: { id: { S: 'b1' } } } }, { PutRequest: { Item: { id: { S: 'b2' } } } }],
          Plain: [{ PutRequest: { Item: { id: { S: 'b3' } } } }],
        },
      }),
    );
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          Images: [
            { DeleteRequest: { Key: { id: { S: 'b1' } } } },
            { PutRequest: { Item: { id: { S: 'b2' }, t: { BOOL: true } } } },
          ],
        },
      }),
    );
    const got = await arrived('Images', before, 4);
    expect(got.map((record) => [record.eventName, record.dynamodb?.Keys?.id?.S])).toEqual([
      ['INSERT', 'b1'],
      ['INSERT', 'b2'],
      ['REMOVE', 'b1'],
      ['MODIFY', 'b2'],
    ]);
  });

  it('carries only the keys on a KEYS_ONLY stream', async () => {
    await client.send(new PutItemCommand({ TableName: 'KeysOnly', Item: { id: { S: 'k' }, secret: { S: 's' } } }));
    const [record] = await arrived('KeysOnly', 0, 1);
    expect(record?.eventName).toBe('INSERT');
    expect(record?.dynamodb).toEqual({
      ApproximateCreationDateTime: expect.any(Number),
      Keys: { id: { S: 'k' } },
      SequenceNumber: expect.stringMatching(/^\d{21,40}$/),
      SizeBytes: expect.any(Number),
      StreamViewType: 'KEYS_ONLY',
    });
  });

  it('marks the TTL deletions as made by the DynamoDB service', async () => {
    const before = records('Images').length;
    const past = String(Math.floor(Date.now() / 1000) - 10);
    await client.send(new PutItemCommand({ TableName: 'Images', Item: { id: { S: 'old' }, expiresAt: { N: past } } }));
    const [insert, removal] = await arrived('Images', before, 2);
    expect(insert?.userIdentity).toBeUndefined();
    expect(removal).toMatchObject({
      eventName: 'REMOVE',
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
    });
  });
});
