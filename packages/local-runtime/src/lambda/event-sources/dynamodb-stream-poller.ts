import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { TableStream } from '../../services/dynamodb/stream-store.ts';
import type { InvokeOutcome } from '../function-pool.ts';
import type { RecordFilter } from './record-filter.ts';

export interface DynamoDbStreamMapping {
  /** Where it comes from in the template, e.g. `OrdersFunction.Events.Stream`. */
  source: string;
  functionId: string;
  stream: TableStream;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  batchSize: number;
  batchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  /** -1: until the records expire from the stream (24 hours). */
  maximumRetryAttempts: number;
  bisectBatchOnFunctionError: boolean;
  /** -1: no limit but the stream's retention. */
  maximumRecordAgeSeconds: number;
  /** FilterCriteria: a record it does not match is passed over, never delivered. */
  filter?: RecordFilter;
}

export interface StreamBatchReport {
  mapping: DynamoDbStreamMapping;
  size: number;
  outcome: InvokeOutcome['status'] | 'invalid-response' | 'partial';
  /** What happens next: the batch is done, retried, or given up after its retries. */
  next: 'done' | 'retry' | 'discarded';
  durationMs: number;
}

type Invoke = (functionId: string, event: DynamoDBStreamEvent) => Promise<InvokeOutcome>;

const sequenceOf = (record: DynamoDBRecord): string => record.dynamodb?.SequenceNumber ?? '';

/**
 * The first record the function reported failed, from its response with ReportBatchItemFailures (Lambda developer
 * guide, "Configuring partial batch response with DynamoDB and Lambda"): none when `batchItemFailures` is empty or
 * missing; the lowest sequence number otherwise; the whole batch (index 0, invalid) when an identifier is empty or not
 * in the batch, which Lambda treats as a complete failure.
 */
export const firstFailed = (
  batch: DynamoDBRecord[],
  result: unknown,
): { index: number; valid: boolean } | undefined => {
  const failures = (result as Partial<DynamoDBBatchResponse> | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return undefined;
  if (!Array.isArray(failures)) return { index: 0, valid: false };
  let index = Number.POSITIVE_INFINITY;
  for (const failure of failures) {
    const found = batch.findIndex(
      (record) => sequenceOf(record) === String((failure as { itemIdentifier?: unknown })?.itemIdentifier ?? ''),
    );
    if (found < 0 || sequenceOf(batch[found] as DynamoDBRecord) === '') return { index: 0, valid: false };
    index = Math.min(index, found);
  }
  return Number.isFinite(index) ? { index, valid: true } : undefined;
};

const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 10_000;

/**
 * Runs one DynamoDB stream event source mapping the way Lambda does with a table's (single, locally) shard: batches
 * in stream order, one at a time, each invoked synchronously. A batch that fails is retried whole, the stream waiting
 * behind it, until it succeeds, its MaximumRetryAttempts are spent (then it is discarded and logged: no OnFailure
 * destination locally), or its records expire; with ReportBatchItemFailures the retry starts at the first record
 * reported failed; with BisectBatchOnFunctionError a failed batch is split in two first, which spends no retry
 * (Lambda developer guide, "Using Lambda with DynamoDB": "Error handling").
 */
export class DynamoDbStreamPoller {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly mapping: DynamoDbStreamMapping;
  private readonly invoke: Invoke;
  private readonly report: (batch: StreamBatchReport) => void;
  /** Failed attempts of the batch at the head of the stream. */
  private attempts = 0;

  constructor(mapping: DynamoDbStreamMapping, invoke: Invoke, report: (batch: StreamBatchReport) => void) {
    this.mapping = mapping;
    this.invoke = invoke;
    this.report = report;
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private sleep(ms: number): Promise<void> {
    const { signal } = this.abort;
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Waits for a record, or until `ms` pass when given. */
  private async more(ms?: number): Promise<void> {
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    this.abort.signal.addEventListener('abort', onAbort, { once: true });
    const waits = [this.mapping.stream.waitForRecords(stop.signal)];
    if (ms !== undefined) waits.push(this.sleep(ms));
    await Promise.race(waits);
    stop.abort();
    this.abort.signal.removeEventListener('abort', onAbort);
  }

  private async run(): Promise<void> {
    const { stream, batchSize, batchingWindowSeconds, startingPosition } = this.mapping;
    const { signal } = this.abort;
    let position = startingPosition === 'LATEST' ? stream.latest() : undefined;
    let limit = batchSize;
    while (!signal.aborted) {
      try {
        let read = stream.read(position, limit);
        if (read.length === 0) {
          await this.more();
          continue;
        }
        // A first attempt waits for the batching window to fill the batch; a retry goes at once.
        const closes = Date.now() + batchingWindowSeconds * 1000;
        while (this.attempts === 0 && read.length < limit && Date.now() < closes && !signal.aborted) {
          await this.more(closes - Date.now());
          read = stream.read(position, limit);
        }
        if (signal.aborted) return;
        const outcome = await this.deliver(read);
        if (outcome.next === 'done') {
          position = sequenceOf(read[read.length - 1] as DynamoDBRecord);
          limit = batchSize;
          this.attempts = 0;
          continue;
        }
        if (outcome.resumeAt !== undefined && outcome.resumeAt > 0) {
          position = sequenceOf(read[outcome.resumeAt - 1] as DynamoDBRecord);
        }
        if (outcome.bisect) {
          limit = Math.ceil(read.length / 2);
          continue;
        }
        this.attempts += 1;
        const { maximumRetryAttempts } = this.mapping;
        if (maximumRetryAttempts >= 0 && this.attempts > maximumRetryAttempts) {
          position = sequenceOf(read[read.length - 1] as DynamoDBRecord);
          limit = batchSize;
          this.attempts = 0;
          continue;
        }
        await this.sleep(Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (this.attempts - 1)));
      } catch (error) {
        console.error(`[event source ${this.mapping.source}] poller failed; retrying`, error);
        await this.sleep(1000);
      }
    }
  }

  /** Invokes the function with the records of `read` that pass the filters and are not too old. */
  private async deliver(
    read: DynamoDBRecord[],
  ): Promise<{ next: StreamBatchReport['next']; resumeAt?: number; bisect?: boolean }> {
    const { functionId, filter, maximumRecordAgeSeconds, reportBatchItemFailures } = this.mapping;
    const oldest = maximumRecordAgeSeconds < 0 ? 0 : Date.now() / 1000 - maximumRecordAgeSeconds;
    const batch = read.filter(
      (record) => (record.dynamodb?.ApproximateCreationDateTime ?? 0) >= oldest && (filter?.(record) ?? true),
    );
    if (batch.length === 0) return { next: 'done' };
    const started = performance.now();
    const outcome = await this.invoke(functionId, { Records: batch });
    let status: StreamBatchReport['outcome'] = outcome.status;
    let resumeAt: number | undefined;
    if (outcome.status === 'ok') {
      const failed = reportBatchItemFailures ? firstFailed(batch, outcome.result) : undefined;
      if (failed === undefined) {
        const durationMs = performance.now() - started;
        this.report({ mapping: this.mapping, size: batch.length, outcome: 'ok', next: 'done', durationMs });
        return { next: 'done' };
      }
      status = failed.valid ? 'partial' : 'invalid-response';
      resumeAt = read.indexOf(batch[failed.index] as DynamoDBRecord);
    }
    const bisect = status !== 'partial' && this.mapping.bisectBatchOnFunctionError && batch.length > 1;
    const { maximumRetryAttempts } = this.mapping;
    const spent = maximumRetryAttempts >= 0 && !bisect && this.attempts + 1 > maximumRetryAttempts;
    this.report({
      mapping: this.mapping,
      size: batch.length,
      outcome: status,
      next: spent ? 'discarded' : 'retry',
      durationMs: performance.now() - started,
    });
    return { next: 'retry', ...(resumeAt === undefined ? {} : { resumeAt }), ...(bisect ? { bisect } : {}) };
  }
}
