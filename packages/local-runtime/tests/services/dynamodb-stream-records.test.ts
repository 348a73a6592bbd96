import { describe, expect, it } from '@jest/globals';
import { writeTargets } from '../../src/services/dynamodb/stream-capture.ts';
import { keysOf, sameItem, streamRecord } from '../../src/services/dynamodb/stream-records.ts';
import { RETENTION_MS, TableStream } from '../../src/services/dynamodb/stream-store.ts';

const stream = {
  arn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/T/stream/1970-01-01T00:00:00.000',
  region: 'eu-west-1',
};
const keys = { id: { S: 'a' } };
const before = { id: { S: 'a' }, n: { N: '1' } };
const after = { n: { N: '2' }, id: { S: 'a' } };
const AT = 1_700_000_000_500;

describe('stream records', () => {
  it('names the change by what existed before and after', () => {
    const record = (change: { before?: typeof before; after?: typeof after }) =>
      streamRecord(
        { table: 'T', keys, at: AT, ...change },
        { ...stream, viewType: 'KEYS_ONLY' },
        '100000000000000000001',
      );
    expect(record({ after }).eventName).toBe('INSERT');
    expect(record({ before, after }).eventName).toBe('MODIFY');
    expect(record({ before }).eventName).toBe('REMOVE');
  });

  it('carries the images the view type asks for, and the fields of a Lambda DynamoDB event record', () => {
    const change = { table: 'T', keys, before, after, at: AT };
    const images = (viewType: 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES') => {
      const { dynamodb } = streamRecord(change, { ...stream, viewType }, '100000000000000000001');
      return [dynamodb?.OldImage, dynamodb?.NewImage];
    };
    expect(images('KEYS_ONLY')).toEqual([undefined, undefined]);
    expect(images('NEW_IMAGE')).toEqual([undefined, after]);
    expect(images('OLD_IMAGE')).toEqual([before, undefined]);
    expect(images('NEW_AND_OLD_IMAGES')).toEqual([before, after]);
    const record = streamRecord(change, { ...stream, viewType: 'NEW_IMAGE' }, '100000000000000000007');
    expect(record).toEqual({
      eventID: expect.stringMatching(/^[0-9a-f]{32}$/),
      eventName: 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      dynamodb: {
        ApproximateCreationDateTime: 1_700_000_000,
        Keys: keys,
        NewImage: after,
        SequenceNumber: '100000000000000000007',
        SizeBytes: expect.any(Number),
        StreamViewType: 'NEW_IMAGE',
      },
      eventSourceARN: stream.arn,
    });
    expect(record.dynamodb?.SizeBytes).toBeGreaterThan(0);
  });

  it('marks a TTL deletion with the DynamoDB service as its user identity', () => {
    const record = streamRecord(
      { table: 'T', keys, before, at: AT, ttl: true },
      { ...stream, viewType: 'OLD_IMAGE' },
      '1',
    );
    expect(record.userIdentity).toEqual({ type: 'Service', principalId: 'dynamodb.amazonaws.com' });
  });

  it('compares items whatever the order of their attributes, and reads their keys', () => {
    expect(sameItem(before, { n: { N: '1' }, id: { S: 'a' } })).toBe(true);
    expect(sameItem(before, after)).toBe(false);
    expect(sameItem(undefined, before)).toBe(false);
    expect(keysOf(before, ['id'])).toEqual(keys);
    expect(keysOf({ n: { N: '1' } }, ['id'])).toBeUndefined();
  });

  it('finds the items each write operation names', () => {
    expect(writeTargets('PutItem', { TableName: 'T', Item: before })).toEqual([{ table: 'T', item: before }]);
    expect(writeTargets('DeleteItem', { TableName: 'T', Key: keys })).toEqual([{ table: 'T', key: keys }]);
    expect(
      writeTargets('BatchWriteItem', {
        RequestItems: { T: [{ PutRequest: { Item: before } }, { DeleteRequest: { Key: keys } }] },
      }),
    ).toEqual([
      { table: 'T', item: before },
      { table: 'T', key: keys },
    ]);
    expect(
      writeTargets('TransactWriteItems', {
        TransactItems: [{ Update: { TableName: 'U', Key: keys } }, { ConditionCheck: { TableName: 'T', Key: keys } }],
      }),
    ).toEqual([{ table: 'U', key: keys }]);
    expect(writeTargets('GetItem', { TableName: 'T', Key: keys })).toEqual([]);
    expect(writeTargets('PutItem', 'not an object')).toEqual([]);
  });

  it('numbers records in order and drops them after 24 hours', () => {
    const table = new TableStream({ ...stream, table: 'T', viewType: 'KEYS_ONLY' });
    const first = table.append({ table: 'T', keys, after, at: AT });
    const second = table.append({ table: 'T', keys, before, at: AT + 1000 });
    expect(BigInt(String(second.dynamodb?.SequenceNumber))).toBe(BigInt(String(first.dynamodb?.SequenceNumber)) + 1n);
    expect(table.read(first.dynamodb?.SequenceNumber, 10, AT)).toEqual([second]);
    expect(table.read(undefined, 10, AT + RETENTION_MS + 500)).toEqual([second]);
  });
});
