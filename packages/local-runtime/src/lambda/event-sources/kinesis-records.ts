import type { KinesisStreamRecord } from 'aws-lambda';

/** A record as GetRecords returns it (Kinesis API reference, "Record"). */
export interface StreamRecord {
  SequenceNumber: string;
  PartitionKey: string;
  /** Base64, as the JSON protocol carries a blob. */
  Data: string;
  /** Seconds since the epoch, with milliseconds as the fraction. */
  ApproximateArrivalTimestamp: number;
}

/** Where a shard's records come from and go to: what each of their records names. */
export interface ShardSource {
  shardId: string;
  streamArn: string;
  region: string;
  /** The function's execution role, which Lambda reads the stream as. */
  invokeIdentityArn: string;
}

/**
 * One record of a Kinesis event, as Lambda builds it (Lambda developer guide, "Using Lambda with Kinesis Data
 * Streams", example event): the data stays base64, the arrival time in fractional seconds, the event id names the
 * shard and the sequence number.
 */
export const kinesisRecord = (record: StreamRecord, source: ShardSource): KinesisStreamRecord => ({
  kinesis: {
    kinesisSchemaVersion: '1.0',
    partitionKey: record.PartitionKey,
    sequenceNumber: record.SequenceNumber,
    data: record.Data,
    approximateArrivalTimestamp: record.ApproximateArrivalTimestamp,
  },
  eventSource: 'aws:kinesis',
  eventVersion: '1.0',
  eventID: `${source.shardId}:${record.SequenceNumber}`,
  eventName: 'aws:kinesis:record',
  invokeIdentityArn: source.invokeIdentityArn,
  awsRegion: source.region,
  eventSourceARN: source.streamArn,
});

/** The record's size as it counts toward the 6 MB payload of a synchronous invocation. */
export const recordBytes = (record: StreamRecord): number =>
  record.Data.length + record.PartitionKey.length + record.SequenceNumber.length + 400;
