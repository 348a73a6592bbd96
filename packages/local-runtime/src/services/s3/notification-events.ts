import { randomUUID } from 'node:crypto';
import { stableId } from '../../template/physical-ids.ts';

/** One object event, as the request that made it saw it. */
export interface ObjectEvent {
  /** `ObjectCreated:Put`, `ObjectCreated:Copy`, `ObjectRemoved:Delete`. */
  eventName: string;
  bucket: string;
  key: string;
  /** Created objects only: deletions carry no size or ETag. */
  size?: number;
  /** Without its quotes, as the records give it. */
  eTag?: string;
  sequencer: string;
  time: Date;
  requestId: string;
  hostId: string;
  sourceIp: string;
  /** The caller's principal (`AIDA...`) and account. */
  principal: string;
  requester: string;
}

/** What the records and EventBridge events name besides the event: the bucket's region, account and owner. */
export interface BucketContext {
  region: string;
  accountId: string;
  ownerId: string;
}

/**
 * The key as the records give it (S3 user guide, "Event message structure": "The s3 key provides information about the
 * bucket and object involved in the event. The object key name value is URL encoded. For example, "red flower.jpg"
 * becomes "red+flower.jpg""): form encoding, with `/` kept.
 */
export const encodedKey = (key: string): string =>
  Buffer.from(key, 'utf8').reduce((out, byte) => {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-_*/]/.test(char)) return out + char;
    if (char === ' ') return `${out}+`;
    return `${out}%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }, '');

/** The bucket owner's customer id as the records name it (`ownerIdentity.principalId`, shaped like `A3NL1KOZZKEXAMPLE`). */
export const ownerIdOf = (accountId: string): string =>
  `A${stableId(`s3-customer/${accountId}`, 13, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`;

let lastSequencer = 0n;

/**
 * A sequencer: hexadecimal, growing with every event ("Event message structure": "sequencer ... provides a way to
 * determine the sequence of events"; values for the same key compare as strings of the same length).
 */
export const nextSequencer = (): string => {
  const now = BigInt(Date.now()) << 16n;
  lastSequencer = now > lastSequencer ? now : lastSequencer + 1n;
  return lastSequencer.toString(16).toUpperCase().padStart(18, '0');
};

/** One record of a queue's, topic's or function's message (S3 user guide, "Event message structure", version 2.1). */
export const eventRecord = (event: ObjectEvent, configurationId: string, bucket: BucketContext) => ({
  eventVersion: '2.1',
  eventSource: 'aws:s3',
  awsRegion: bucket.region,
  eventTime: event.time.toISOString(),
  eventName: event.eventName,
  userIdentity: { principalId: `AWS:${event.principal}` },
  requestParameters: { sourceIPAddress: event.sourceIp },
  responseElements: { 'x-amz-request-id': event.requestId, 'x-amz-id-2': event.hostId },
  s3: {
    s3SchemaVersion: '1.0',
    configurationId,
    bucket: {
      name: event.bucket,
      ownerIdentity: { principalId: bucket.ownerId },
      arn: `arn:aws:s3:::${event.bucket}`,
    },
    object: {
      key: encodedKey(event.key),
      ...(event.size === undefined ? {} : { size: event.size }),
      ...(event.eTag === undefined ? {} : { eTag: event.eTag }),
      sequencer: event.sequencer,
    },
  },
});

// The EventBridge `reason` of each event (S3 user guide, "EventBridge event message structure", "Event message detail
// field").
const REASONS: Record<string, string> = {
  'ObjectCreated:Put': 'PutObject',
  'ObjectCreated:Copy': 'CopyObject',
  'ObjectCreated:CompleteMultipartUpload': 'CompleteMultipartUpload',
  'ObjectRemoved:Delete': 'DeleteObject',
};

/**
 * The event S3 puts on the default bus for a bucket with EventBridge enabled (S3 user guide, "EventBridge event message
 * structure": detail-type "Object Created" / "Object Deleted", source aws.s3, the key not encoded).
 */
export const eventBridgeEvent = (event: ObjectEvent, bucket: BucketContext) => {
  const created = event.eventName.startsWith('ObjectCreated:');
  return {
    version: '0' as const,
    id: randomUUID(),
    'detail-type': created ? 'Object Created' : 'Object Deleted',
    source: 'aws.s3',
    account: bucket.accountId,
    time: `${event.time.toISOString().slice(0, 19)}Z`,
    region: bucket.region,
    resources: [`arn:aws:s3:::${event.bucket}`],
    detail: {
      version: '0',
      bucket: { name: event.bucket },
      object: {
        key: event.key,
        ...(event.size === undefined ? {} : { size: event.size }),
        ...(event.eTag === undefined ? {} : { etag: event.eTag }),
        sequencer: event.sequencer,
      },
      'request-id': event.requestId,
      requester: event.requester,
      'source-ip-address': event.sourceIp,
      reason: REASONS[event.eventName] ?? event.eventName,
      ...(created ? {} : { 'deletion-type': 'Permanently Deleted' }),
    },
  };
};
