import { describe, expect, it } from '@jest/globals';
import type { KinesisEventSourceMapping, StreamSource } from '../../src/lambda/event-sources/kinesis-poller.ts';
import { KinesisPoller } from '../../src/lambda/event-sources/kinesis-poller.ts';
import type { Json } from '../../src/services/stepfunctions/task-services.ts';
import { abortableWait } from '../../src/shared/abortable-wait.ts';
import { eventually } from '../../src/testing/eventually.ts';
import { okOutcome } from '../invoke-outcomes.ts';

const MAPPING: KinesisEventSourceMapping = {
  source: 'Fn.Events.Stream',
  functionId: 'Fn',
  streamName: 'orders',
  streamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/orders',
  startingPosition: 'LATEST',
  invokeIdentityArn: 'arn:aws:iam::123456789012:role/FnRole',
  batchSize: 100,
  batchingWindowSeconds: 0,
  reportBatchItemFailures: false,
  maximumRetryAttempts: 100,
  bisectBatchOnFunctionError: false,
  maximumRecordAgeSeconds: -1,
};

describe('the Kinesis poller', () => {
  it('does not read on with an iterator of the streams from before they were made anew', async () => {
    const calls: string[] = [];
    let answerFirstRead: (answer: Record<string, Json>) => void = () => {};
    const kinesis: StreamSource = {
      call: async (action, input) => {
        if (action === 'ListShards') return { Shards: [{ ShardId: 'shardId-000000000000' }] };
        if (action === 'GetShardIterator') {
          calls.push(`GetShardIterator ${String(input.ShardIteratorType)}`);
          return { ShardIterator: `iterator-${calls.length}` };
        }
        calls.push(`GetRecords ${String(input.ShardIterator)}`);
        if (calls.length === 2) return new Promise((resolve) => (answerFirstRead = resolve));
        return { Records: [], NextShardIterator: `after-${String(input.ShardIterator)}` };
      },
      putsTo: () => 0,
      nextPut: (_stream, _since, _ms, signal) => abortableWait(10, signal),
    };
    const poller = new KinesisPoller(
      MAPPING,
      kinesis,
      async () => okOutcome(null),
      'eu-west-1',
      () => {},
    );
    await poller.start();
    try {
      expect(await eventually(() => calls.length === 2)).toBe(true);
      // The streams are made anew while the first read is under way: its answer names the old stream.
      poller.streamsRecreated();
      answerFirstRead({ Records: [], NextShardIterator: 'stale' });
      expect(await eventually(() => calls.length >= 4)).toBe(true);
      expect(calls.slice(0, 4)).toEqual([
        'GetShardIterator LATEST',
        'GetRecords iterator-1',
        'GetShardIterator TRIM_HORIZON',
        'GetRecords iterator-3',
      ]);
    } finally {
      await poller.stop();
    }
  });
});
