import { afterEach, describe, expect, it } from '@jest/globals';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import {
  type DynamoDbStreamMapping,
  DynamoDbStreamPoller,
  type StreamBatchReport,
} from '../../src/lambda/event-sources/dynamodb-stream-poller.ts';
import { DYNAMODB_RECORD, recordFilterOf } from '../../src/lambda/event-sources/record-filter.ts';
import type { InvokeOutcome } from '../../src/lambda/function-pool.ts';
import { TableStream } from '../../src/services/dynamodb/stream-store.ts';
import { eventually } from '../../src/testing/eventually.ts';
import { errorOutcome, okOutcome } from '../invoke-outcomes.ts';

const ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/1970-01-01T00:00:00.000';

const running: DynamoDbStreamPoller[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((poller) => poller.stop()));
});

/** A stream with `ids` inserted, and a poller on it whose function behaves as `behaviour` says. */
const setUp = (
  ids: string[],
  settings: Partial<DynamoDbStreamMapping>,
  behaviour: (event: DynamoDBStreamEvent, call: number) => InvokeOutcome,
) => {
  const stream = new TableStream({ table: 'Orders', arn: ARN, viewType: 'NEW_IMAGE', region: 'eu-west-1' });
  for (const id of ids)
    stream.append({ table: 'Orders', keys: { id: { S: id } }, after: { id: { S: id } }, at: Date.now() });
  const batches: string[][] = [];
  const reports: StreamBatchReport[] = [];
  let calls = 0;
  const poller = new DynamoDbStreamPoller(
    {
      source: 'Fn.Events.Stream',
      functionId: 'Fn',
      stream,
      startingPosition: 'TRIM_HORIZON',
      batchSize: 100,
      batchingWindowSeconds: 0,
      reportBatchItemFailures: false,
      maximumRetryAttempts: -1,
      bisectBatchOnFunctionError: false,
      maximumRecordAgeSeconds: -1,
      ...settings,
    },
    async (_functionId, event) => {
      batches.push(event.Records.map((record) => String(record.dynamodb?.Keys?.id?.S)));
      calls += 1;
      return behaviour(event, calls);
    },
    (report) => reports.push(report),
  );
  poller.start();
  running.push(poller);
  return { stream, batches, reports };
};

const sequenceOf = (event: DynamoDBStreamEvent, id: string) =>
  event.Records.find((record) => record.dynamodb?.Keys?.id?.S === id)?.dynamodb?.SequenceNumber;

describe('the DynamoDB stream poller', () => {
  it('retries from the first record a ReportBatchItemFailures response names, then goes on', async () => {
    const { batches } = setUp(['a', 'b', 'c'], { reportBatchItemFailures: true }, (event, call) =>
      okOutcome(call === 1 ? { batchItemFailures: [{ itemIdentifier: sequenceOf(event, 'b') }] } : {}),
    );
    await eventually(async () => batches.length >= 2);
    expect(batches.slice(0, 2)).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c'],
    ]);
  });

  it('retries the whole batch when an identifier is not in it', async () => {
    const { batches, reports } = setUp(['a', 'b'], { reportBatchItemFailures: true }, (_event, call) =>
      okOutcome(call === 1 ? { batchItemFailures: [{ itemIdentifier: 'nope' }] } : null),
    );
    await eventually(async () => batches.length >= 2);
    expect(batches.slice(0, 2)).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(reports[0]).toMatchObject({ outcome: 'invalid-response', next: 'retry' });
  });

  it('gives a batch up after MaximumRetryAttempts retries and goes on with the next', async () => {
    const { batches, reports, stream } = setUp(['a'], { maximumRetryAttempts: 1, batchSize: 1 }, (event) =>
      event.Records[0]?.dynamodb?.Keys?.id?.S === 'a' ? errorOutcome('Error', 'boom') : okOutcome(null),
    );
    stream.append({ table: 'Orders', keys: { id: { S: 'b' } }, after: { id: { S: 'b' } }, at: Date.now() });
    await eventually(async () => batches.length >= 3);
    expect(batches.slice(0, 3)).toEqual([['a'], ['a'], ['b']]);
    expect(reports.map((report) => report.next).slice(0, 3)).toEqual(['retry', 'discarded', 'done']);
  });

  it('splits a failing batch in two with BisectBatchOnFunctionError, until the failing record is alone', async () => {
    const { batches } = setUp(
      ['a', 'b', 'c', 'd'],
      { bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 },
      (event) =>
        event.Records.some((record) => record.dynamodb?.Keys?.id?.S === 'c')
          ? errorOutcome('Error', 'c')
          : okOutcome(null),
    );
    await eventually(async () => batches.length >= 5);
    expect(batches).toEqual([['a', 'b', 'c', 'd'], ['a', 'b'], ['c', 'd'], ['c'], ['d']]);
  });

  it('delivers only the records a FilterCriteria pattern matches, and starts LATEST after what is there', async () => {
    const { batches, stream } = setUp(
      ['before-start'],
      {
        startingPosition: 'LATEST',
        filter: recordFilterOf(
          { Filters: [{ Pattern: JSON.stringify({ dynamodb: { Keys: { id: { S: [{ prefix: 'keep' }] } } } }) }] },
          DYNAMODB_RECORD,
        ),
      },
      () => okOutcome(null),
    );
    for (const id of ['drop-1', 'keep-1', 'drop-2', 'keep-2']) {
      stream.append({ table: 'Orders', keys: { id: { S: id } }, after: { id: { S: id } }, at: Date.now() });
    }
    await eventually(async () => batches.flat().includes('keep-2'));
    expect(batches.flat()).toEqual(['keep-1', 'keep-2']);
  });
});
