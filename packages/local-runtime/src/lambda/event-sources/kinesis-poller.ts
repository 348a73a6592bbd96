import type { KinesisStreamEvent } from 'aws-lambda';
import type { Json } from '../../services/stepfunctions/task-services.ts';
import { abortableWait } from '../../shared/abortable-wait.ts';
import type { InvokeOutcome } from '../function-pool.ts';
import { kinesisRecord, recordBytes, type ShardSource, type StreamRecord } from './kinesis-records.ts';
import type { RecordFilter } from './record-filter.ts';
import { failedRecords } from './sqs-poller.ts';

export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

export interface KinesisEventSourceMapping {
  /** Where it comes from in the template, e.g. `OrderStreamFunction.Events.Orders`. */
  source: string;
  functionId: string;
  streamName: string;
  streamArn: string;
  startingPosition: StartingPosition;
  /** AT_TIMESTAMP's time, in seconds since the epoch. */
  startingTimestamp?: number;
  batchSize: number;
  batchingWindowSeconds: number;
  /** Retries of a failing batch before its records are skipped (already capped: see event-sources.ts). */
  maximumRetryAttempts: number;
  reportBatchItemFailures: boolean;
  bisectBatchOnFunctionError: boolean;
  /** The function's role, in each record's invokeIdentityArn. */
  invokeIdentityArn: string;
  /** -1: no limit but the stream's retention. */
  maximumRecordAgeSeconds: number;
  /** FilterCriteria: a record it does not match is passed over, never delivered. */
  filter?: RecordFilter;
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

// Lambda's payload limit for a synchronous invocation: a batch stops growing before it.
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
// An idle shard is read again when a put writes to its stream (the local Kinesis says so), or after this long: reading
// every shard every 200 ms cost a template of ten shards a tenth of a core while nothing happened.
const IDLE_POLL_MS = 5000;
// Between retries of a failing batch: doubling from 100 ms up to 5 s.
const retryDelay = (attempt: number) => Math.min(100 * 2 ** (attempt - 1), 5000);

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
 * each shard is read in order, one batch at a time, and the function invoked synchronously with it. A batch that
 * fails is retried, the shard waiting behind it, until it succeeds or MaximumRetryAttempts runs out (its records are
 * then skipped); with ReportBatchItemFailures the retry resumes at the first failed record, with
 * BisectBatchOnFunctionError a failing batch is split in two and its halves retried.
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
   * Reads the shard from `reader.iterator` and hands its records to the function, batch after batch, until the
   * mapping stops, moving `reader.checkpoint` past each record done with. Throws when the stream cannot be read.
   */
  private async drain(reader: ShardReader, source: ShardSource, signal: AbortSignal): Promise<void> {
    const { batchSize, batchingWindowSeconds } = this.mapping;
    const buffer: StreamRecord[] = [];
    let windowCloses: number | undefined;
    let limit = batchSize;
    let attempts = 0;
    const generation = this.generation;
    const stale = () => this.generation !== generation || signal.aborted;
    const doneWith = (records: StreamRecord[]) => {
      reader.checkpoint = records.at(-1)?.SequenceNumber ?? reader.checkpoint;
    };
    while (!stale()) {
      // A failing batch is retried as it was: nothing more is read until it is done with.
      const seen = this.kinesis.putsTo(this.mapping.streamName);
      if (buffer.length < batchSize && attempts === 0 && limit === batchSize) {
        const answer = await this.kinesis.call('GetRecords', {
          ShardIterator: reader.iterator ?? '',
          Limit: Math.min(10_000, batchSize - buffer.length),
        });
        if (stale()) return;
        reader.iterator = String(answer.NextShardIterator);
        let records = recordsOf(answer);
        const { notBefore } = reader;
        if (notBefore !== undefined) {
          // A shard's records arrive in order: once one is at or after the time, all the rest are.
          const first = records.findIndex((record) => record.ApproximateArrivalTimestamp >= notBefore);
          doneWith(first < 0 ? records : records.slice(0, first));
          if (first >= 0) reader.notBefore = undefined;
          records = first < 0 ? [] : records.slice(first);
        }
        buffer.push(...records);
      }
      if (buffer.length === 0) {
        await this.kinesis.nextPut(this.mapping.streamName, seen, IDLE_POLL_MS, signal);
        continue;
      }
      if (buffer.length < batchSize && batchingWindowSeconds > 0) {
        windowCloses ??= Date.now() + batchingWindowSeconds * 1000;
        if (Date.now() < windowCloses) {
          await this.kinesis.nextPut(this.mapping.streamName, seen, windowCloses - Date.now(), signal);
          continue;
        }
      }
      windowCloses = undefined;
      const batch = this.batchOf(buffer, limit);
      const result = await this.process(batch, source);
      if (stale()) return;
      if (result.kind === 'ok') {
        doneWith(buffer.splice(0, batch.length));
        attempts = 0;
        limit = batchSize;
        continue;
      }
      // Records before the first failed one are done: the retry starts there.
      doneWith(buffer.splice(0, result.firstFailed));
      const remaining = batch.length - result.firstFailed;
      // Splitting is not a retry: only a batch of one record that still fails counts against MaximumRetryAttempts.
      if (result.kind === 'error' && this.mapping.bisectBatchOnFunctionError && remaining > 1) {
        limit = Math.ceil(remaining / 2);
        continue;
      }
      attempts += 1;
      if (attempts > this.mapping.maximumRetryAttempts) {
        const skipped = buffer.splice(0, remaining);
        doneWith(skipped);
        this.report({
          mapping: this.mapping,
          shardId: source.shardId,
          size: skipped.length,
          failed: skipped.length,
          outcome: 'skipped',
          durationMs: 0,
        });
        attempts = 0;
        limit = batchSize;
        continue;
      }
      await abortableWait(retryDelay(attempts), signal);
    }
  }

  private batchOf(buffer: StreamRecord[], limit: number): StreamRecord[] {
    const batch: StreamRecord[] = [];
    let bytes = 0;
    for (const record of buffer) {
      if (batch.length >= limit || (batch.length > 0 && bytes + recordBytes(record) > MAX_PAYLOAD_BYTES)) break;
      batch.push(record);
      bytes += recordBytes(record);
    }
    return batch;
  }

  /**
   * Whether a record goes to the function: not older than MaximumRecordAgeInSeconds, and matched by FilterCriteria
   * (a Kinesis filter sees the record's `kinesis` fields, `data` as the JSON it holds).
   */
  private wanted(record: StreamRecord, source: ShardSource): boolean {
    const { maximumRecordAgeSeconds, filter } = this.mapping;
    if (
      maximumRecordAgeSeconds >= 0 &&
      record.ApproximateArrivalTimestamp < Date.now() / 1000 - maximumRecordAgeSeconds
    ) {
      return false;
    }
    return filter?.(kinesisRecord(record, source).kinesis) ?? true;
  }

  /**
   * Invokes the function with the records of one batch it wants: ok, or where in the batch the failure starts (the
   * records before it are done with) and whether the function failed.
   */
  private async process(
    batch: StreamRecord[],
    source: ShardSource,
  ): Promise<{ kind: 'ok' } | { kind: 'error' | 'partial'; firstFailed: number }> {
    const wanted = batch.filter((record) => this.wanted(record, source));
    if (wanted.length === 0) return { kind: 'ok' };
    const started = performance.now();
    const event: KinesisStreamEvent = { Records: wanted.map((record) => kinesisRecord(record, source)) };
    const outcome = await this.invoke(this.mapping.functionId, event);
    const { failed, valid } = failedRecords(
      wanted,
      (record) => record.SequenceNumber,
      outcome,
      this.mapping.reportBatchItemFailures,
    );
    this.report({
      mapping: this.mapping,
      shardId: source.shardId,
      size: wanted.length,
      failed: failed.length,
      outcome: valid ? outcome.status : 'invalid-response',
      durationMs: performance.now() - started,
    });
    if (failed.length === 0) return { kind: 'ok' };
    const failedSet = new Set(failed);
    const firstFailed = batch.findIndex((record) => failedSet.has(record));
    return { kind: outcome.status === 'ok' && valid ? 'partial' : 'error', firstFailed };
  }
}
