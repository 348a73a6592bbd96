import type { DynamoDBRecord } from 'aws-lambda';
import { type ItemChange, type StreamViewType, streamRecord } from './stream-records.ts';

// "DynamoDB Streams stores the data for 24 hours" (developer guide, "Change data capture for DynamoDB Streams").
export const RETENTION_MS = 24 * 60 * 60 * 1000;

// Sequence numbers are 21 to 40 digits (API reference, "StreamRecord"); starting at 10^20 keeps them 21 digits wide,
// so their string order is their numeric order.
const FIRST_SEQUENCE = 10n ** 20n;

/**
 * The stream of one table, kept in memory (one shard): its records in write order, each dropped 24 hours after it was
 * written. Records are not persisted with the table's data.
 */
export class TableStream {
  readonly table: string;
  readonly arn: string;
  readonly viewType: StreamViewType;
  readonly region: string;
  private readonly records: DynamoDBRecord[] = [];
  private next = FIRST_SEQUENCE;
  private waiters = new Set<() => void>();

  constructor(options: { table: string; arn: string; viewType: StreamViewType; region: string }) {
    this.table = options.table;
    this.arn = options.arn;
    this.viewType = options.viewType;
    this.region = options.region;
  }

  append(change: ItemChange): DynamoDBRecord {
    const record = streamRecord(change, this, String(this.next));
    this.next += 1n;
    this.records.push(record);
    this.trim(change.at);
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
    return record;
  }

  /** The sequence number the next record will have less one: LATEST starts after it. */
  latest(): string {
    return String(this.next - 1n);
  }

  /** Up to `max` records after `after` (all retained records when undefined: TRIM_HORIZON). */
  read(after: string | undefined, max: number, now = Date.now()): DynamoDBRecord[] {
    this.trim(now);
    const start =
      after === undefined
        ? 0
        : this.records.findIndex((record) => BigInt(record.dynamodb?.SequenceNumber ?? '0') > BigInt(after));
    return start < 0 ? [] : this.records.slice(start, start + max);
  }

  /** Resolves when a record is appended, or at once when `signal` aborts. */
  waitForRecords(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const wake = () => {
        signal.removeEventListener('abort', wake);
        this.waiters.delete(wake);
        resolve();
      };
      this.waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  private trim(now: number): void {
    const oldest = Math.floor((now - RETENTION_MS) / 1000);
    let drop = 0;
    while (drop < this.records.length && (this.records[drop]?.dynamodb?.ApproximateCreationDateTime ?? 0) < oldest) {
      drop += 1;
    }
    if (drop > 0) this.records.splice(0, drop);
  }
}
