import type { SQSEvent } from 'aws-lambda';
import type { ReceivedMessage } from '../../services/sqs/message.ts';
import type { Queue } from '../../services/sqs/queue.ts';
import type { InvokeOutcome } from '../function-pool.ts';
import { failedRecords } from './batch-item-failures.ts';
import type { RecordFilter } from './record-filter.ts';
import { sqsRecord } from './sqs-records.ts';

export interface SqsEventSourceMapping {
  /** Where it comes from in the template, e.g. `OrderEventsFunction.Events.OrderEvents`. */
  source: string;
  functionId: string;
  queue: Queue;
  batchSize: number;
  batchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  /** Batches in flight at once (ScalingConfig.MaximumConcurrency; Lambda starts with five pollers). */
  concurrency: number;
  /** FilterCriteria: a message it does not match is deleted, never delivered. */
  filter?: RecordFilter;
}

export interface BatchReport {
  mapping: SqsEventSourceMapping;
  size: number;
  failed: number;
  outcome: InvokeOutcome['status'] | 'invalid-response';
  durationMs: number;
}

type Invoke = (functionId: string, event: SQSEvent) => Promise<InvokeOutcome>;

// Lambda's payload limit for a synchronous invocation: a batch stops growing before it (developer guide, "Batching
// behavior").
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const LONG_POLL_SECONDS = 20;

/**
 * Runs one SQS event source mapping the way Lambda's pollers do: long-poll the queue, gather up to BatchSize records
 * or until the batching window closes, invoke the function synchronously, then delete what succeeded. What failed is
 * left alone: it returns when its visibility timeout runs out, and the queue's redrive policy moves it to the DLQ
 * after maxReceiveCount receives.
 */
export class SqsPoller {
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly mapping: SqsEventSourceMapping;
  private readonly invoke: Invoke;
  private readonly region: string;
  private readonly report: (batch: BatchReport) => void;

  constructor(mapping: SqsEventSourceMapping, invoke: Invoke, region: string, report: (batch: BatchReport) => void) {
    this.mapping = mapping;
    this.invoke = invoke;
    this.region = region;
    this.report = report;
  }

  start(): void {
    for (let i = 0; i < this.mapping.concurrency; i += 1) this.loops.push(this.loop());
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled(this.loops);
  }

  private async loop(): Promise<void> {
    const { signal } = this.abort;
    while (!signal.aborted) {
      try {
        const batch = await this.gather(signal);
        if (batch.length > 0) await this.process(batch);
      } catch (error) {
        console.error(`[event source ${this.mapping.source}] poller failed; retrying`, error);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private async gather(signal: AbortSignal): Promise<ReceivedMessage[]> {
    const { queue, batchSize, batchingWindowSeconds } = this.mapping;
    const batch = this.kept(
      await queue.receive({ max: Math.min(10, batchSize), waitSeconds: LONG_POLL_SECONDS, signal }),
    );
    if (batch.length === 0 || signal.aborted) return batch;
    const closes = Date.now() + batchingWindowSeconds * 1000;
    let bytes = batch.reduce((sum, received) => sum + Buffer.byteLength(received.message.body), 0);
    while (batch.length < batchSize && bytes < MAX_PAYLOAD_BYTES && !signal.aborted) {
      const remaining = closes - Date.now();
      if (remaining <= 0) break;
      const more = await queue.receive({
        max: Math.min(10, batchSize - batch.length),
        waitSeconds: remaining / 1000,
        signal,
      });
      batch.push(...this.kept(more));
      bytes += more.reduce((sum, received) => sum + Buffer.byteLength(received.message.body), 0);
    }
    return batch;
  }

  /**
   * The messages FilterCriteria lets through; the others are deleted from the queue, as Lambda deletes them ("Lambda
   * event filtering": filtered as each joins the batch, so a batching window fills with matching ones).
   */
  private kept(received: ReceivedMessage[]): ReceivedMessage[] {
    const { filter, queue } = this.mapping;
    if (!filter) return received;
    return received.filter((message) => {
      if (filter(sqsRecord(message, queue, this.region))) return true;
      queue.delete(message.receiptHandle);
      return false;
    });
  }

  private async process(batch: ReceivedMessage[]): Promise<void> {
    const { queue, functionId, reportBatchItemFailures } = this.mapping;
    const started = performance.now();
    const event: SQSEvent = { Records: batch.map((received) => sqsRecord(received, queue, this.region)) };
    const outcome = await this.invoke(functionId, event);
    const { failed, valid } = failedRecords(batch, (received) => received.message.id, outcome, reportBatchItemFailures);
    const failedSet = new Set(failed);
    for (const received of batch) if (!failedSet.has(received)) queue.delete(received.receiptHandle);
    this.report({
      mapping: this.mapping,
      size: batch.length,
      failed: failed.length,
      outcome: valid ? outcome.status : 'invalid-response',
      durationMs: performance.now() - started,
    });
  }
}
