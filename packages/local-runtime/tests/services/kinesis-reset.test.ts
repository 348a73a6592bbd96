import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListStreamsCommand,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { LocalRuntime } from '../../src/index.ts';
import { eventually } from '../../src/testing/eventually.ts';
import { inProcessRuntime } from '../fixture-runtime.ts';

/**
 * The local Kinesis and `reset()`: the template's streams come back empty, streams made since are gone, and the
 * event source mappings go on reading them. Started with `persistDir`, which the streams do not use: start-up says so.
 */
const persistDir = mkdtempSync(join(tmpdir(), 'local-runtime-kinesis-persist-'));
const lines: string[] = [];
let runtime: LocalRuntime;
let kinesis: KinesisClient;
let sqs: SQSClient;

beforeAll(async () => {
  const started = await inProcessRuntime('kinesis-streams', { persistDir, log: (line) => lines.push(line) });
  runtime = started.runtime;
  kinesis = new KinesisClient(started.clientConfig('kinesis'));
  sqs = new SQSClient(started.clientConfig('sqs'));
}, 90_000);

afterAll(async () => {
  kinesis?.destroy();
  sqs?.destroy();
  await runtime?.stop();
  rmSync(persistDir, { recursive: true, force: true });
});

const streamNames = async () => ((await kinesis.send(new ListStreamsCommand({}))).StreamNames ?? []).sort();

it('says at start-up that --persist does not keep the streams', () => {
  expect(lines).toContain('[kinesis] streams are kept in memory: --persist does not keep their records between runs');
});

it('reset() brings the template streams back empty, without those made since, and their mappings read on', async () => {
  const before = await streamNames();
  await kinesis.send(new PutRecordCommand({ StreamName: 'clicks', Data: Buffer.from('before'), PartitionKey: 'k' }));
  await kinesis.send(new CreateStreamCommand({ StreamName: 'made-by-a-test', ShardCount: 1 }));

  await runtime.reset();

  expect(await streamNames()).toEqual(before);
  for (const ShardId of ['shardId-000000000000', 'shardId-000000000001']) {
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: 'clicks', ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    expect((await kinesis.send(new GetRecordsCommand({ ShardIterator }))).Records).toEqual([]);
  }
  await kinesis.send(new PutRecordCommand({ StreamName: 'clicks', Data: Buffer.from('after'), PartitionKey: 'k' }));
  const queue = runtime.stack.getAtt('SeenQueue', 'QueueName');
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
  const seen: string[] = [];
  await eventually(async () => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    for (const message of Messages) {
      const { event } = JSON.parse(message.Body ?? '{}') as { event: { Records: { kinesis: { data: string } }[] } };
      seen.push(...event.Records.map((record) => Buffer.from(record.kinesis.data, 'base64').toString('utf8')));
    }
    return seen.includes('after');
  }, 10_000);
  expect(seen).toContain('after');
});
