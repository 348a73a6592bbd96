import type { KinesisStreamEvent } from 'aws-lambda';
import type { Json } from '../../services/stepfunctions/task-services.ts';
import { abortableWait } from '../../shared/abortable-wait.ts';
import type { InvokeOutcome } from '../function-pool.ts';
import { kinesisRecord, recordBytes, type ShardSource, type StreamRecord } from './kinesis-records.ts';
import { drainShard, type StreamBatchSettings } from './stream-batches.ts';

export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

export interface KinesisEventSourceMapping extends StreamBatchSettings {
  /** Where it comes from in the template, e.g. `OrderStreamFunction.Events.Orders`. */
  source: string;
  functionId: string;
  streamName: string;
  streamArn: string;
  startingPosition: StartingPosition;
  /** AT_TIMESTAMP's time, in seconds since the epoch. */
  startingTimestamp?: number;
  /** The function's role, in each record's invokeIdentityArn. */
  invokeIdentityArn: string;
}

export interface KinesisBatchReport {
  mapping: KinesisEventSourceMapping;
  shardId: string;
  size: number;
  failed: number;
  outcome: InvokeOutcome['status'] | 'invalid-response' | 'skipped';
  durationMs: number;
}

/** The local Kinesis as a poller uses it: its API, and word of the puts to a stream (see KinesisService). */
export interface StreamSource {
  call: (action: string, input: Record<string, Json>) => Promise<Record<string, Json>>;
  putsTo: (stream: string) => number;
  nextPut: (stream: string, since: number, ms: number, signal: AbortSignal) => Promise<void>;
}
type Invoke = (functionId: string, event: KinesisStreamEvent) => Promise<InvokeOutcome>;

// An idle shard is read again when a put writes to its stream (the local Kinesis says so), or after this long: reading
// every shard every 200 ms cost a template of ten shards a tenth of a core while nothing happened.
const IDLE_POLL_MS = 5000;

/** Where a shard is read from, and the last record done with (succeeded or skipped): where reading resumes. */
interface ShardReader {
  iterator?: string | undefined;
  checkpoint?: string | undefined;
  /** The stream was made anew: read it from its first record. */
  fromStart?: boolean;
  /** AT_TIMESTAMP's time (seconds): the records that arrived before it are passed over. */
  notBefore?: number | undefined;
}

const recordsOf = (answer: Record<string, Json>): StreamRecord[] =>
  Array.isArray(answer.Records) ? (answer.Records as unknown as StreamRecord[]) : [];

/**
 * Runs one Kinesis event source mapping as Lambda does (developer guide, "Using Lambda with Kinesis Data Streams"):
 * each shard of the stream is read in order and its records run in batches by the rules of stream batches
 * (stream-batches.ts); records a batch gives up after MaximumRetryAttempts are skipped, with a report.
 */
export class KinesisPoller {
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly readers: ShardReader[] = [];
  /** Counts the times the streams were made anew: a shard's reading started before one stops. */
  private generation = 0;
  private readonly mapping: KinesisEventSourceMapping;
  private readonly kinesis: StreamSource;
  private readonly invoke: Invoke;
  private readonly region: string;
  private readonly report: (batch: KinesisBatchReport) => void;

  constructor(
    mapping: KinesisEventSourceMapping,
    kinesis: StreamSource,
    invoke: Invoke,
    region: string,
    report: (batch: KinesisBatchReport) => void,
  ) {
    this.mapping = mapping;
    this.kinesis = kinesis;
    this.invoke = invoke;
    this.region = region;
    this.report = report;
  }

  /**
   * Starts reading each shard the stream has now (shards made later by resharding are not followed), from iterators
   * taken before it resolves: a record put once the runtime is up is after LATEST.
   */
  async start(): Promise<void> {
    const { Shards } = await this.kinesis.call('ListShards', { StreamName: this.mapping.streamName });
    const shards = Array.isArray(Shards) ? Shards.map((shard) => String((shard as Record<string, Json>).ShardId)) : [];
    const readers = await Promise.all(
      shards.map(async (shardId) => ({ shardId, reader: { iterator: await this.iterator(shardId, {}) } })),
    );
    for (const { shardId, reader } of readers) {
      this.readers.push(reader);
      this.loops.push(this.shard(shardId, reader));
    }
  }

  /**
   * The streams were deleted and created again (a reset, a restart of the emulation): each shard is read anew from
   * its first record. Its old iterators and checkpoint must not be used: kinesalite numbers a new stream's records
   * as it numbered the deleted one's (the same sequence numbers, made within the same second), so they would be
   * past the new records and miss them, without an error.
   */
  streamsRecreated(): void {
    this.generation += 1;
    for (const reader of this.readers) {
      reader.iterator = undefined;
      reader.checkpoint = undefined;
      reader.fromStart = true;
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }

  private async iterator(shardId: string, reader: ShardReader): Promise<string> {
    const { streamName, startingPosition, startingTimestamp } = this.mapping;
    const take = async (input: Record<string, Json>) =>
      String(
        (await this.kinesis.call('GetShardIterator', { StreamName: streamName, ShardId: shardId, ...input }))
          .ShardIterator,
      );
    if (reader.fromStart) {
      const iterator = await take({ ShardIteratorType: 'TRIM_HORIZON' });
      reader.fromStart = false;
      return iterator;
    }
    if (reader.checkpoint !== undefined) {
      return take({ ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: reader.checkpoint });
    }
    if (startingPosition === 'AT_TIMESTAMP') {
      // kinesalite's AT_TIMESTAMP never answers on a shard with no record since that time, and refuses a time to
      // come: the shard is read from its start instead, and the records that arrived before the time passed over.
      reader.notBefore = startingTimestamp ?? 0;
      return take({ ShardIteratorType: 'TRIM_HORIZON' });
    }
    return take({ ShardIteratorType: startingPosition });
  }

  private async shard(shardId: string, reader: ShardReader): Promise<void> {
    const { signal } = this.abort;
    const source: ShardSource = {
      shardId,
      streamArn: this.mapping.streamArn,
      region: this.region,
      invokeIdentityArn: this.mapping.invokeIdentityArn,
    };
    while (!signal.aborted) {
      try {
        const generation = this.generation;
        const iterator = reader.iterator ?? (await this.iterator(shardId, reader));
        // Taken from the streams as they were before they were made anew: read them again.
        if (generation !== this.generation) continue;
        reader.iterator = iterator;
        await this.drain(reader, source, signal);
      } catch (error) {
        if (signal.aborted) return;
        // Read again after the last record done with (or from the starting position: LATEST is taken anew).
        console.error(`[event source ${this.mapping.source}] reading ${shardId} failed; retrying`, error);
        reader.iterator = undefined;
        await abortableWait(1000, signal);
      }
    }
  }

  /**
   * Reads the shard from `reader.iterator` and hands its records to the function by the rules of stream batches
   * (stream-batches.ts) until the mapping stops or the streams are made anew, moving `reader.checkpoint` past each
   * record done with. Throws when the stream cannot be read.
   */
  private async drain(reader: ShardReader, source: ShardSource, signal: AbortSignal): Promise<void> {
    const { streamName, functionId } = this.mapping;
    const generation = this.generation;
    const stale = () => this.generation !== generation || signal.aborted;
    const doneWith = (records: StreamRecord[]) => {
      reader.checkpoint = records.at(-1)?.SequenceNumber ?? reader.checkpoint;
    };
    const read = async (limit: number): Promise<StreamRecord[]> => {
      const answer = await this.kinesis.call('GetRecords', {
        ShardIterator: reader.iterator ?? '',
        Limit: Math.min(10_000, limit),
      });
      // The streams were made anew meanwhile: the reader is theirs now (the drain stops before it invokes anything).
      if (stale()) return [];
      reader.iterator = String(answer.NextShardIterator);
      const records = recordsOf(answer);
      const { notBefore } = reader;
      if (notBefore === undefined) return records;
      // A shard's records arrive in order: once one is at or after the time, all the rest are.
      const first = records.findIndex((record) => record.ApproximateArrivalTimestamp >= notBefore);
      doneWith(first < 0 ? records : records.slice(0, first));
      if (first >= 0) reader.notBefore = undefined;
      return first < 0 ? [] : records.slice(first);
    };
    const report = (batch: Omit<KinesisBatchReport, 'mapping' | 'shardId'>) =>
      this.report({ mapping: this.mapping, shardId: source.shardId, ...batch });
    await drainShard(
      {
        mark: () => this.kinesis.putsTo(streamName),
        read,
        wait: (seen, ms, signal) => this.kinesis.nextPut(streamName, seen, ms ?? IDLE_POLL_MS, signal),
        doneWith,
      },
      {
        sequenceOf: (record) => record.SequenceNumber,
        arrivedAt: (record) => record.ApproximateArrivalTimestamp,
        // A Kinesis filter sees the record's `kinesis` fields, `data` as the JSON it holds.
        filtered: (record) => kinesisRecord(record, source).kinesis,
        bytesOf: recordBytes,
        invoke: (records) =>
          this.invoke(functionId, { Records: records.map((record) => kinesisRecord(record, source)) }),
      },
      this.mapping,
      ({ size, failed, outcome, discarded, durationMs }) => {
        report({ size, failed, outcome: outcome === 'partial' ? 'ok' : outcome, durationMs });
        if (discarded !== undefined) {
          report({ size: discarded, failed: discarded, outcome: 'skipped', durationMs: 0 });
        }
      },
      signal,
      stale,
    );
  }
}
