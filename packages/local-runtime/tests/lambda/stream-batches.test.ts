import { afterEach, describe, expect, it } from '@jest/globals';
import { DYNAMODB_RECORD, recordFilterOf } from '../../src/lambda/event-sources/record-filter.ts';
import {
  drainShard,
  type StreamBatchReport,
  type StreamBatchSettings,
} from '../../src/lambda/event-sources/stream-batches.ts';
import { streamBatchSettingsOf } from '../../src/lambda/event-sources/stream-mappings.ts';
import type { InvokeOutcome } from '../../src/lambda/function-pool.ts';
import type { TemplateObject } from '../../src/template/load.ts';
import { eventually } from '../../src/testing/eventually.ts';
import { errorOutcome, okOutcome } from '../invoke-outcomes.ts';

/** A record of the in-memory shard: its sequence number is `seq-<id>`. */
interface TestRecord {
  id: string;
  arrivedAt: number;
  bytes: number;
}

const stops: AbortController[] = [];
const drains: Promise<void>[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) stop.abort();
  await Promise.all(drains.splice(0));
});

/**
 * An in-memory shard holding `ids` and a drain of it whose function behaves as `behaviour` says: what it was invoked
 * with, what it reported, and the last record done with.
 */
const drain = (
  ids: (string | Partial<TestRecord>)[],
  settings: Partial<StreamBatchSettings>,
  behaviour: (ids: string[], call: number) => InvokeOutcome,
  retentionSeconds?: number,
) => {
  const now = Date.now() / 1000;
  const shard: TestRecord[] = ids.map((id) => ({
    arrivedAt: now,
    bytes: 0,
    ...(typeof id === 'string' ? { id } : id),
    id: typeof id === 'string' ? id : String(id.id),
  }));
  const batches: string[][] = [];
  const reports: StreamBatchReport[] = [];
  const done: string[] = [];
  let position = 0;
  let calls = 0;
  const stop = new AbortController();
  stops.push(stop);
  drains.push(
    drainShard(
      {
        mark: () => shard.length,
        read: async (limit) => {
          const read = shard.slice(position, position + limit);
          position += read.length;
          return read;
        },
        wait: (_mark, ms, signal) =>
          new Promise((resolve) => {
            const timer = setTimeout(resolve, ms ?? 20);
            signal.addEventListener('abort', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
        doneWith: (records) => done.push(...records.map((record) => record.id)),
      },
      {
        sequenceOf: (record) => `seq-${record.id}`,
        arrivedAt: (record) => record.arrivedAt,
        filtered: (record) => ({ dynamodb: { Keys: { id: { S: record.id } } } }),
        bytesOf: (record) => record.bytes,
        ...(retentionSeconds === undefined ? {} : { retentionSeconds }),
        invoke: async (records) => {
          const invoked = records.map((record) => record.id);
          batches.push(invoked);
          calls += 1;
          return behaviour(invoked, calls);
        },
      },
      { ...DEFAULTS, ...settings },
      (report) => reports.push(report),
      stop.signal,
    ),
  );
  return { batches, reports, done };
};

/** A mapping's settings when its properties set none. */
const DEFAULTS = streamBatchSettingsOf('Fn.Events.Stream', {}, DYNAMODB_RECORD, {}, []) as StreamBatchSettings;

const failing = (id: string) => (ids: string[]) => (ids.includes(id) ? errorOutcome('Error', id) : okOutcome(null));

describe('stream mapping settings', () => {
  it("default to Lambda's: BatchSize 100, no batching window, no retry or age limit, no partial responses", () => {
    // In the order of the Lambda API reference, CreateEventSourceMapping.
    const { batchSize, batchingWindowSeconds, bisectBatchOnFunctionError, filter } = DEFAULTS;
    expect([batchSize, batchingWindowSeconds, bisectBatchOnFunctionError, filter]).toEqual([100, 0, false, undefined]);
    const { maximumRecordAgeSeconds, maximumRetryAttempts, reportBatchItemFailures } = DEFAULTS;
    expect([maximumRecordAgeSeconds, maximumRetryAttempts, reportBatchItemFailures]).toEqual([-1, -1, false]);
  });

  it('are refused out of the ranges CreateEventSourceMapping accepts, and name the settings not run', () => {
    const problem = (properties: TemplateObject) => streamBatchSettingsOf('S', properties, DYNAMODB_RECORD, {}, []);
    expect(problem({ BatchSize: 0 })).toBe('S: BatchSize must be from 1 to 10000');
    expect(problem({ MaximumBatchingWindowInSeconds: 301 })).toBe(
      'S: MaximumBatchingWindowInSeconds must be from 0 to 300',
    );
    expect(problem({ MaximumRetryAttempts: -2 })).toBe('S: MaximumRetryAttempts must be from -1 to 10000');
    expect(problem({ MaximumRecordAgeInSeconds: 59 })).toBe(
      'S: MaximumRecordAgeInSeconds must be -1 or from 60 to 604800',
    );
    const notes: string[] = [];
    const settings = streamBatchSettingsOf(
      'S',
      {
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: 'true',
        TumblingWindowInSeconds: 5,
      },
      DYNAMODB_RECORD,
      { TumblingWindowInSeconds: () => 'not run', DestinationConfig: () => 'not run either' },
      notes,
    );
    expect(settings).toMatchObject({ reportBatchItemFailures: true, bisectBatchOnFunctionError: true });
    expect(notes).toEqual(['S.TumblingWindowInSeconds: not run']);
  });
});

describe('stream batches', () => {
  it('retries a failing batch, the shard waiting, then discards it after MaximumRetryAttempts and goes on', async () => {
    const { batches, reports, done } = drain(['a', 'b'], { batchSize: 1, maximumRetryAttempts: 2 }, failing('a'));
    expect(await eventually(() => done.includes('b'))).toBe(true);
    expect(batches).toEqual([['a'], ['a'], ['a'], ['b']]);
    expect(reports.map(({ outcome, next }) => `${outcome}/${next}`)).toEqual([
      'error/retry',
      'error/retry',
      'error/discarded',
      'ok/done',
    ]);
    expect(reports[2]).toMatchObject({ size: 1, failed: 1, discarded: 1 });
    expect(done).toEqual(['a', 'b']);
  });

  it('keeps retrying a failing batch with MaximumRetryAttempts -1, nothing after it delivered', async () => {
    const { batches, done } = drain(['a', 'b'], { batchSize: 1 }, failing('a'));
    expect(await eventually(() => batches.length >= 4)).toBe(true);
    expect(batches.flat()).not.toContain('b');
    expect(done).toEqual([]);
  });

  it('ends a batch retried without limit when its records expire from the stream, and goes on', async () => {
    // 'b' reached the stream later: it is still there when 'a' has expired.
    const later = { id: 'b', arrivedAt: Date.now() / 1000 + 60 };
    const { batches, reports, done } = drain(['a', later], { batchSize: 1 }, failing('a'), 1);
    expect(await eventually(() => done.includes('b'))).toBe(true);
    expect(batches.length).toBeGreaterThan(2);
    expect(new Set(batches.slice(0, -1).flat())).toEqual(new Set(['a']));
    expect(batches.at(-1)).toEqual(['b']);
    expect(reports.map((report) => report.next)).not.toContain('discarded');
  });

  it('splits a failing batch in two with BisectBatchOnFunctionError, spending no retry on a split', async () => {
    const { batches, reports, done } = drain(
      ['a', 'b', 'c', 'd'],
      { bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 },
      failing('c'),
    );
    expect(await eventually(() => done.includes('d'))).toBe(true);
    expect(batches).toEqual([['a', 'b', 'c', 'd'], ['a', 'b'], ['c', 'd'], ['c'], ['d']]);
    expect(reports.map((report) => report.next)).toEqual(['retry', 'done', 'retry', 'discarded', 'done']);
  });

  it('with ReportBatchItemFailures, is done with the records before the lowest failed one and retries from it', async () => {
    const { batches, reports, done } = drain(['a', 'b', 'c', 'd'], { reportBatchItemFailures: true }, (_ids, call) =>
      okOutcome(call === 1 ? { batchItemFailures: [{ itemIdentifier: 'seq-d' }, { itemIdentifier: 'seq-b' }] } : {}),
    );
    expect(await eventually(() => done.includes('d'))).toBe(true);
    expect(batches).toEqual([
      ['a', 'b', 'c', 'd'],
      ['b', 'c', 'd'],
    ]);
    expect(reports[0]).toMatchObject({ outcome: 'partial', failed: 2, next: 'retry' });
  });

  it('fails the whole batch when a reported identifier is not in it, and does not split for a partial failure', async () => {
    const { batches, reports } = drain(
      ['a', 'b'],
      { reportBatchItemFailures: true, bisectBatchOnFunctionError: true },
      (_ids, call) =>
        okOutcome(
          call === 1
            ? { batchItemFailures: [{ itemIdentifier: 'seq-a' }, { itemIdentifier: 'nope' }] }
            : call === 2
              ? { batchItemFailures: [{ itemIdentifier: 'seq-a' }] }
              : null,
        ),
    );
    expect(await eventually(() => batches.length >= 4)).toBe(true);
    // The bad identifier: the whole batch failed (split in two); then a valid partial response: retried, not split.
    expect(batches).toEqual([['a', 'b'], ['a'], ['a'], ['b']]);
    expect(reports[0]).toMatchObject({ outcome: 'invalid-response', failed: 2 });
    expect(reports[1]).toMatchObject({ outcome: 'partial', failed: 1 });
  });

  it('passes over the records older than MaximumRecordAgeInSeconds: never delivered, but done with', async () => {
    const old = Date.now() / 1000 - 120;
    const { batches, done } = drain(['a', { id: 'b', arrivedAt: old }, 'c'], { maximumRecordAgeSeconds: 60 }, () =>
      okOutcome(null),
    );
    expect(await eventually(() => done.includes('c'))).toBe(true);
    expect(batches).toEqual([['a', 'c']]);
    expect(done).toEqual(['a', 'b', 'c']);
  });

  it('delivers only the records FilterCriteria matches, and a batch of none invokes nothing', async () => {
    const filter = recordFilterOf(
      { Filters: [{ Pattern: JSON.stringify({ dynamodb: { Keys: { id: { S: [{ prefix: 'keep' }] } } } }) }] },
      DYNAMODB_RECORD,
    );
    const { batches, reports, done } = drain(['drop-1', 'keep-1', 'drop-2', 'drop-3'], { batchSize: 2, filter }, () =>
      okOutcome(null),
    );
    expect(await eventually(() => done.includes('drop-3'))).toBe(true);
    expect(batches).toEqual([['keep-1']]);
    expect(reports).toHaveLength(1);
  });

  it('stops a batch growing before the 6 MB payload limit', async () => {
    const mb = 1024 * 1024;
    const { batches, done } = drain(
      [
        { id: 'a', bytes: 4 * mb },
        { id: 'b', bytes: 3 * mb },
        { id: 'c', bytes: 1 * mb },
      ],
      {},
      () => okOutcome(null),
    );
    expect(await eventually(() => done.includes('c'))).toBe(true);
    expect(batches).toEqual([['a'], ['b', 'c']]);
  });
});
