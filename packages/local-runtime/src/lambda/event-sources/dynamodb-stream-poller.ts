import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { RETENTION_MS, type TableStream } from '../../services/dynamodb/stream-store.ts';
import { abortableWait } from '../../shared/abortable-wait.ts';
import type { InvokeOutcome } from '../function-pool.ts';
import { type StreamBatchReport as BatchOutcome, drainShard, type StreamBatchSettings } from './stream-batches.ts';

export interface DynamoDbStreamMapping extends StreamBatchSettings {
  /** Where it comes from in the template, e.g. `OrdersFunction.Events.Stream`. */
  source: string;
  functionId: string;
  stream: TableStream;
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
}

export interface StreamBatchReport {
  mapping: DynamoDbStreamMapping;
  size: number;
  outcome: BatchOutcome['outcome'];
  /** What happens next: the batch is done, retried, or given up after its retries. */
  next: BatchOutcome['next'];
  durationMs: number;
}

type Invoke = (functionId: string, event: DynamoDBStreamEvent) => Promise<InvokeOutcome>;

const sequenceOf = (record: DynamoDBRecord): string => record.dynamodb?.SequenceNumber ?? '';

/**
 * Runs one DynamoDB stream event source mapping the way Lambda does with a table's (single, locally) shard, by the
 * rules of stream batches (stream-batches.ts). MaximumRetryAttempts -1 retries a failing batch until its records
 * expire from the stream (24 hours).
 */
export class DynamoDbStreamPoller {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly mapping: DynamoDbStreamMapping;
  private readonly invoke: Invoke;
  private readonly report: (batch: StreamBatchReport) => void;

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

  private async run(): Promise<void> {
    const { stream, startingPosition, functionId } = this.mapping;
    const { signal } = this.abort;
    /** The last record done with: reading resumes after it. */
    let checkpoint = startingPosition === 'LATEST' ? stream.latest() : undefined;
    while (!signal.aborted) {
      let position = checkpoint;
      try {
        await drainShard(
          {
            mark: () => stream.latest(),
            read: async (limit) => {
              const read = stream.read(position, limit);
              position = read.length > 0 ? sequenceOf(read[read.length - 1] as DynamoDBRecord) : position;
              return read;
            },
            wait: async (mark, ms, signal) => {
              if (stream.latest() !== mark) return;
              if (ms === undefined) return stream.waitForRecords(signal);
              return abortableWait(ms, signal, (wake) => {
                const stop = new AbortController();
                stream.waitForRecords(stop.signal).then(wake);
                return () => stop.abort();
              });
            },
            doneWith: (records) => {
              if (records.length > 0) checkpoint = sequenceOf(records[records.length - 1] as DynamoDBRecord);
            },
          },
          {
            sequenceOf,
            arrivedAt: (record) => record.dynamodb?.ApproximateCreationDateTime ?? 0,
            filtered: (record) => record,
            // A failing batch is held while it is retried: its records leave it as they leave the stream.
            retentionSeconds: RETENTION_MS / 1000,
            invoke: (records) => this.invoke(functionId, { Records: records }),
          },
          this.mapping,
          ({ size, outcome, next, durationMs }) =>
            this.report({ mapping: this.mapping, size, outcome, next, durationMs }),
          signal,
        );
      } catch (error) {
        console.error(`[event source ${this.mapping.source}] poller failed; retrying`, error);
        await abortableWait(1000, signal);
      }
    }
  }
}
