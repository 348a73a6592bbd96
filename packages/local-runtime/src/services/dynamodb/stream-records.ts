import { randomUUID } from 'node:crypto';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

export type Item = Record<string, AttributeValue>;
export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';

/** One item changed by a write to a table with a stream, as the DynamoDB worker saw it (stream-capture.ts). */
export interface ItemChange {
  table: string;
  keys: Item;
  /** The item before the write (absent: it did not exist). */
  before?: Item;
  /** The item after the write (absent: it was deleted). */
  after?: Item;
  /** When the write was made (epoch milliseconds). */
  at: number;
  /** A deletion by the TTL sweeper. */
  ttl?: boolean;
}

/** Key order and attribute order aside, whether two images hold the same item. */
const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
};

export const sameItem = (a: Item | undefined, b: Item | undefined): boolean =>
  a === undefined || b === undefined ? a === b : canonical(a) === canonical(b);

/** The key attributes of `item`, or undefined when one is missing (the write will be refused). */
export const keysOf = (item: unknown, keyNames: string[]): Item | undefined => {
  if (typeof item !== 'object' || item === null || keyNames.length === 0) return undefined;
  const keys: Item = {};
  for (const name of keyNames) {
    const value = (item as Item)[name];
    if (value === undefined) return undefined;
    keys[name] = value;
  }
  return keys;
};

// DynamoDB's item size rule ("Item sizes and formats"): attribute names plus values, strings in UTF-8, numbers about
// one byte per two digits plus one; close enough for the record's approximate SizeBytes.
const valueSize = (value: AttributeValue): number => {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|e.*$/gi, '').length / 2) + 1;
  if (value.B !== undefined) return Buffer.from(value.B, 'base64').length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, entry) => sum + Buffer.byteLength(entry), 0);
  if (value.NS) return value.NS.reduce((sum, entry) => sum + valueSize({ N: entry }), 0);
  if (value.BS) return value.BS.reduce((sum, entry) => sum + Buffer.from(entry, 'base64').length, 0);
  if (value.L) return 3 + value.L.reduce((sum, entry) => sum + 1 + valueSize(entry), 0);
  if (value.M) return 3 + itemSize(value.M);
  return 0;
};

const itemSize = (item: Item | undefined): number =>
  Object.entries(item ?? {}).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + valueSize(value), 0);

/**
 * The Lambda event record of one change (DynamoDB Streams API reference, "Record" and "StreamRecord"; Lambda
 * developer guide, "Using Lambda with DynamoDB", example event): the images the view type asks for, INSERT when
 * there was no item before, REMOVE when there is none after, MODIFY otherwise; a deletion by TTL carries
 * userIdentity {type Service, principalId dynamodb.amazonaws.com} ("Record": userIdentity).
 */
export const streamRecord = (
  change: ItemChange,
  stream: { arn: string; viewType: StreamViewType; region: string },
  sequenceNumber: string,
): DynamoDBRecord => {
  const { viewType } = stream;
  const withNew = viewType === 'NEW_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES';
  const withOld = viewType === 'OLD_IMAGE' || viewType === 'NEW_AND_OLD_IMAGES';
  const newImage = withNew ? change.after : undefined;
  const oldImage = withOld ? change.before : undefined;
  return {
    // Unique across runs too: the local sequence numbers start again at each start.
    eventID: randomUUID().replaceAll('-', ''),
    eventName: change.before === undefined ? 'INSERT' : change.after === undefined ? 'REMOVE' : 'MODIFY',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: stream.region,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(change.at / 1000),
      Keys: change.keys,
      ...(newImage ? { NewImage: newImage } : {}),
      ...(oldImage ? { OldImage: oldImage } : {}),
      SequenceNumber: sequenceNumber,
      SizeBytes: Math.max(1, itemSize(change.keys) + itemSize(newImage) + itemSize(oldImage)),
      StreamViewType: viewType,
    },
    ...(change.ttl ? { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : {}),
    eventSourceARN: stream.arn,
  };
};
