import { abortableWait } from '../../shared/abortable-wait.ts';
import type { InvokeOutcome } from '../function-pool.ts';
import { failedRecords } from './batch-item-failures.ts';
import type { RecordFilter } from './record-filter.ts';

/** The settings of a stream event source mapping (DynamoDB stream or Kinesis) that decide how batches are run. */
export interface StreamBatchSettings {
  batchSize: number;
  batchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  /** -1: no limit (retried until the records leave the stream). */
  maximumRetryAttempts: number;
  bisectBatchOnFunctionError: boolean;
  /** -1: no limit but the stream's retention. */
  maximumRecordAgeSeconds: number;
  /** FilterCriteria: a record it does not match is passed over, never delivered. */
  filter?: RecordFilter;
}

/** One shard's records, in order, as the batch engine reads them. */
export interface ShardRecords<R, Mark> {
  /** What has arrived so far: taken before a read, so that `wait` misses no record that arrives after the read. */
  mark(): Mark;
  /** Up to `limit` records after those read before ([] when there are none yet). May throw: the drain throws. */
  read(limit: number): Promise<R[]>;
  /** Resolves when a record may have arrived since `mark`, after `ms` (when given), or when `signal` aborts. */
  wait(mark: Mark, ms: number | undefined, signal: AbortSignal): Promise<void>;
  /** These records (the oldest not yet done with, in order) are done: delivered, passed over or discarded. */
  doneWith(records: R[]): void;
}

/** What the engine needs to know of a source's record, and how the function is invoked with a batch. */
export interface StreamRecordsOf<R> {
  /** The record's sequence number: what a `batchItemFailures` item identifier names. */
  sequenceOf: (record: R) => string;
  /** When the record reached the stream, in seconds since the epoch (MaximumRecordAgeInSeconds). */
  arrivedAt: (record: R) => number;
  /** What FilterCriteria patterns are matched against. */
  filtered: (record: R) => object;
  /**
   * How long the stream keeps a record, when the engine is to pass over the records it no longer has: a batch retried
   * without limit (MaximumRetryAttempts -1) ends when its records expire.
   */
  retentionSeconds?: number;
  /** The record's size toward the invocation's payload limit, when the source counts it. */
  bytesOf?: (record: R) => number;
  invoke: (records: R[]) => Promise<InvokeOutcome>;
}

export interface StreamBatchReport {
  /** Records the function was invoked with. */
  size: number;
  /** Of them, those that failed (all of them unless a valid partial batch response names fewer). */
  failed: number;
  outcome: InvokeOutcome['status'] | 'invalid-response' | 'partial';
  /** What happens next: the batch is done, retried (or split), or given up after its retries. */
  next: 'done' | 'retry' | 'discarded';
  /** With `discarded`: the records given up (those of the batch from the first failed one, passed-over ones too). */
  discarded?: number;
  durationMs: number;
}

// Lambda's payload limit for a synchronous invocation: a batch stops growing before it.
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
// Between retries of a failing batch: doubling from 100 ms up to 10 s (Lambda does not document its back-off).
const retryDelay = (attempt: number) => Math.min(100 * 2 ** (attempt - 1), 10_000);

const batchOf = <R>(buffer: R[], limit: number, bytesOf: ((record: R) => number) | undefined): R[] => {
  const batch: R[] = [];
  let bytes = 0;
  for (const record of buffer) {
    const size = bytesOf?.(record) ?? 0;
    if (batch.length >= limit || (batch.length > 0 && bytes + size > MAX_PAYLOAD_BYTES)) break;
    batch.push(record);
    bytes += size;
  }
  return batch;
};

type Processed = { kind: 'ok' } | { kind: 'error' | 'partial'; firstFailed: number; bisect: boolean };

/**
 * Invokes the function with the records of `batch` it is to see (not older than MaximumRecordAgeInSeconds, matched by
 * FilterCriteria, still in the stream): ok, or where in `batch` the failure starts (the records before it are done
 * with) and whether the batch is to be split; reports the invocation and what comes next.
 */
const processBatch = async <R>(
  batch: R[],
  settings: StreamBatchSettings,
  records: StreamRecordsOf<R>,
  attempts: number,
  report: (batch: StreamBatchReport) => void,
): Promise<Processed> => {
  const { maximumRecordAgeSeconds, filter, reportBatchItemFailures } = settings;
  const now = Date.now() / 1000;
  const oldest = Math.max(
    maximumRecordAgeSeconds < 0 ? Number.NEGATIVE_INFINITY : now - maximumRecordAgeSeconds,
    records.retentionSeconds === undefined ? Number.NEGATIVE_INFINITY : Math.floor(now - records.retentionSeconds),
  );
  const wanted = batch.filter(
    (record) => records.arrivedAt(record) >= oldest && (filter?.(records.filtered(record)) ?? true),
  );
  if (wanted.length === 0) return { kind: 'ok' };
  const started = performance.now();
  const outcome = await records.invoke(wanted);
  const { failed, valid } = failedRecords(wanted, records.sequenceOf, outcome, reportBatchItemFailures);
  const kind = outcome.status === 'ok' && valid ? 'partial' : 'error';
  const failedSet = new Set(failed);
  // Split when more than one of the records invoked failed; splitting is not a retry.
  const bisect = kind === 'error' && settings.bisectBatchOnFunctionError && failed.length > 1;
  const { maximumRetryAttempts } = settings;
  const spent = maximumRetryAttempts >= 0 && !bisect && attempts + 1 > maximumRetryAttempts;
  const firstFailed = batch.findIndex((record) => failedSet.has(record));
  report({
    size: wanted.length,
    failed: failed.length,
    outcome: !valid
      ? 'invalid-response'
      : failed.length === 0
        ? 'ok'
        : outcome.status === 'ok'
          ? 'partial'
          : outcome.status,
    next: failed.length === 0 ? 'done' : spent ? 'discarded' : 'retry',
    ...(failed.length > 0 && spent ? { discarded: batch.length - firstFailed } : {}),
    durationMs: performance.now() - started,
  });
  if (failed.length === 0) return { kind: 'ok' };
  return { kind, firstFailed, bisect };
};

/**
 * Runs a shard's batches as Lambda does for stream sources (Lambda developer guide, "Using Lambda with Kinesis Data
 * Streams" and "Using Lambda with DynamoDB", "Error handling"): one batch at a time, in order, of up to BatchSize
 * records gathered for up to MaximumBatchingWindowInSeconds, the function invoked synchronously with it. A batch that
 * fails is retried as it was, the shard waiting behind it, until it succeeds or MaximumRetryAttempts are spent (its
 * records are then discarded, reported, not sent to an on-failure destination). With ReportBatchItemFailures the
 * records before the lowest sequence number reported failed are done with and the retry starts there (a bad
 * identifier fails the whole batch); with BisectBatchOnFunctionError a failing batch is split in two, which spends
 * no retry. Returns once `stopped()`; throws when the shard cannot be read (its caller reads it again).
 *
 * Where the DynamoDB stream and Kinesis loops this replaces differed, and what is kept:
 * - A retry is of the batch's own records, from the lowest failed one ("Lambda retries all records starting from that
 *   checkpoint": developer guide, "Configuring partial batch response with Kinesis Data Streams and Lambda", the same
 *   page for DynamoDB); the DynamoDB loop read the stream again and could add records that arrived meanwhile.
 * - A retry goes at once (after its back-off), without waiting for the batching window again, as the DynamoDB loop
 *   did: the window is how long records are gathered (MaximumBatchingWindowInSeconds), and a retry gathers none. The
 *   Kinesis loop waited the window again before each retry.
 * - A failed batch is split when more than one of the records it was invoked with failed (the DynamoDB rule); the
 *   Kinesis loop counted the passed-over records too.
 * - The back-off between retries is DynamoDB's, as the README states it (up to 10 s; Kinesis's went up to 5 s):
 *   Lambda documents neither.
 */
export const drainShard = async <R, Mark>(
  shard: ShardRecords<R, Mark>,
  records: StreamRecordsOf<R>,
  settings: StreamBatchSettings,
  report: (batch: StreamBatchReport) => void,
  signal: AbortSignal,
  stopped: () => boolean = () => signal.aborted,
): Promise<void> => {
  const { batchSize, batchingWindowSeconds } = settings;
  const buffer: R[] = [];
  let windowCloses: number | undefined;
  let limit = batchSize;
  let attempts = 0;
  while (!stopped()) {
    const mark = shard.mark();
    // A failing batch (or a half of it) is retried as it was: nothing more is read, nor waited for, until it is done.
    const gathering = attempts === 0 && limit === batchSize;
    if (gathering && buffer.length < batchSize) {
      const read = await shard.read(batchSize - buffer.length);
      if (stopped()) return;
      buffer.push(...read);
    }
    if (buffer.length === 0) {
      await shard.wait(mark, undefined, signal);
      continue;
    }
    if (gathering && buffer.length < batchSize && batchingWindowSeconds > 0) {
      windowCloses ??= Date.now() + batchingWindowSeconds * 1000;
      if (Date.now() < windowCloses) {
        await shard.wait(mark, windowCloses - Date.now(), signal);
        continue;
      }
    }
    windowCloses = undefined;
    const batch = batchOf(buffer, limit, records.bytesOf);
    const result = await processBatch(batch, settings, records, attempts, report);
    if (stopped()) return;
    if (result.kind === 'ok') {
      shard.doneWith(buffer.splice(0, batch.length));
      attempts = 0;
      limit = batchSize;
      continue;
    }
    if (result.firstFailed > 0) shard.doneWith(buffer.splice(0, result.firstFailed));
    const remaining = batch.length - result.firstFailed;
    // Splitting is not a retry: only a batch of one record that still fails counts against MaximumRetryAttempts.
    if (result.bisect) {
      limit = Math.ceil(remaining / 2);
      continue;
    }
    attempts += 1;
    if (settings.maximumRetryAttempts >= 0 && attempts > settings.maximumRetryAttempts) {
      shard.doneWith(buffer.splice(0, remaining));
      attempts = 0;
      limit = batchSize;
      continue;
    }
    await abortableWait(retryDelay(attempts), signal);
  }
};
