import {
  CreateStreamCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
  type PutRecordCommandOutput,
  PutRecordsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KinesisStreamEvent } from 'aws-lambda';
import { eventually } from '../../src/testing/eventually.ts';
import { call } from '../../src/testing/harness.ts';
import { signedHeaders } from '../../src/testing/sign.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * Kinesis Data Streams, black-box: the runtime runs tests/fixtures/kinesis-streams/template.yaml; records are put
 * with the AWS SDK v3 Kinesis client (which speaks HTTP/2), through a REST API `kinesis:action/PutRecord`
 * integration and an HTTP API Kinesis-PutRecord integration, and reach the functions the streams are mapped to,
 * which record each event they get in a queue.
 */
interface Seen {
  label: string;
  failed: boolean;
  event: KinesisStreamEvent;
}

describe('Kinesis', () => {
  const runtime = fixtureRuntime('kinesis-streams', [], { env: { SAM_LOCAL_RUNTIME_TEST_FAULTS: '1' } });
  let kinesis: KinesisClient;
  let sqs: SQSClient;
  let seenUrl: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    kinesis = new KinesisClient(runtime.clientConfig('kinesis'));
    sqs = new SQSClient(runtime.clientConfig('sqs'));
    const queues = (await (await fetch(`${runtime.info.restUrl}/_local/queues`)).json()) as { name: string }[];
    const name = queues.find((queue) => queue.name.includes('SeenQueue'))?.name ?? '';
    seenUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
  }, 120_000);

  afterAll(() => {
    kinesis?.destroy();
    sqs?.destroy();
  });

  /** Every event recorded so far (kept), once `until` holds of them (within 20 s: a loaded CI machine is slow). */
  const events = async (until: (all: Seen[]) => boolean): Promise<Seen[]> => {
    const met = await eventually(async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: seenUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      for (const message of Messages) {
        seen.push(JSON.parse(message.Body ?? '{}') as Seen);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: seenUrl, ReceiptHandle: message.ReceiptHandle }));
      }
      return until(seen);
    }, 20_000);
    // Not met in time: say so here, rather than as a surprising list of events in the test's own assertion.
    expect({ met, seen: met ? [] : seen.map((entry) => [entry.label, entry.failed]) }).toEqual({ met: true, seen: [] });
    return seen;
  };

  /** The stream's generated name (`<stack>-<LogicalId>-<suffix>`), from the streams page. */
  const streamName = async (logicalId: string): Promise<string> => {
    const page = (await (await fetch(`${runtime.info.restUrl}/_local/streams`)).json()) as { name: string }[];
    const found = page.find((stream) => stream.name.includes(`-${logicalId}-`));
    if (!found) throw new Error(`no stream ${logicalId}`);
    return found.name;
  };

  const dataOf = (entry: Seen) =>
    entry.event.Records.map((record) => Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
  const of = (label: string) => seen.filter((entry) => entry.label === label);
  const delivered = (label: string) => of(label).flatMap(dataOf);

  it('creates the template streams, an ON_DEMAND one with 4 shards, and names what it does not run', async () => {
    expect((await kinesis.send(new ListShardsCommand({ StreamName: 'clicks' }))).Shards).toHaveLength(2);
    const page = (await (await fetch(`${runtime.info.restUrl}/_local/streams`)).json()) as {
      name: string;
      shards: string[];
    }[];
    expect(page.find((stream) => stream.name.includes('PartialStream'))?.shards).toHaveLength(4);
    expect(runtime.output()).toMatch(/\[kinesis\] PartialStream: ON_DEMAND stream with 4 shards/);
    expect(runtime.output()).toMatch(/FlakyFunction\.Events\.Flaky\.ParallelizationFactor: each shard is read/);
    expect(runtime.output()).toMatch(
      /PartialFunction\.Events\.Unpositioned: StartingPosition must be one of TRIM_HORIZON, LATEST, AT_TIMESTAMP/,
    );
    expect(runtime.output()).not.toMatch(/ClicksFunction\.Events\.Clicks \(Kinesis\): not run/);
    expect(runtime.output()).not.toMatch(/ClicksStream \(AWS::Kinesis::Stream\)/);
    await expect(kinesis.send(new ListShardsCommand({ StreamName: 'nope' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('hands the records put with the SDK to the function in order, in the Kinesis event shape', async () => {
    const puts: PutRecordCommandOutput[] = [];
    for (const text of ['one', 'two', 'three']) {
      puts.push(
        await kinesis.send(
          new PutRecordCommand({ StreamName: 'clicks', Data: Buffer.from(text), PartitionKey: 'sdk-user' }),
        ),
      );
    }
    await events(() => delivered('clicks').includes('three'));
    expect(delivered('clicks').filter((text) => ['one', 'two', 'three'].includes(text))).toEqual([
      'one',
      'two',
      'three',
    ]);
    const record = of('clicks')
      .flatMap((entry) => entry.event.Records)
      .find((candidate) => candidate.kinesis.sequenceNumber === puts[0]?.SequenceNumber);
    expect(record).toEqual({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: 'sdk-user',
        sequenceNumber: puts[0]?.SequenceNumber,
        data: Buffer.from('one').toString('base64'),
        approximateArrivalTimestamp: expect.any(Number),
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${puts[0]?.ShardId}:${puts[0]?.SequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: expect.stringMatching(/^arn:aws:iam::\d{12}:role\/\S*ClicksFunctionRole/),
      awsRegion: runtime.info.region,
      eventSourceARN: `arn:aws:kinesis:${runtime.info.region}:${runtime.info.credentials.accountId}:stream/clicks`,
    });
  });

  it("a function's own Kinesis client reaches the local stream (AWS_ENDPOINT_URL_KINESIS, HTTP/2)", async () => {
    const lambda = new LambdaClient(runtime.clientConfig('lambda'));
    try {
      const { Payload, FunctionError } = await lambda.send(
        new InvokeCommand({ FunctionName: 'PutFunction', Payload: JSON.stringify({ text: 'from a function' }) }),
      );
      expect(FunctionError).toBeUndefined();
      expect(JSON.parse(Buffer.from(Payload ?? []).toString())).toEqual({
        shardId: expect.stringMatching(/^shardId-/),
        sequenceNumber: expect.any(String),
      });
    } finally {
      lambda.destroy();
    }
    await events(() => delivered('clicks').includes('from a function'));
  });

  it('retries a failing batch as it was, the shard waiting, until MaximumRetryAttempts runs out', async () => {
    const name = await streamName('FlakyStream');
    const flaky = await kinesis.send(
      new PutRecordCommand({ StreamName: name, Data: Buffer.from('poison'), PartitionKey: 'p' }),
    );
    await events(() => of('flaky').some((entry) => entry.failed));
    await kinesis.send(new PutRecordCommand({ StreamName: name, Data: Buffer.from('after'), PartitionKey: 'p' }));
    await events(() => delivered('flaky').includes('after'));
    // Three attempts (MaximumRetryAttempts 2) of the same batch, then the record after it.
    expect(of('flaky').map((entry) => [entry.failed, ...dataOf(entry)])).toEqual([
      [true, 'poison'],
      [true, 'poison'],
      [true, 'poison'],
      [false, 'after'],
    ]);
    expect(of('flaky')[2]?.event.Records[0]?.kinesis.sequenceNumber).toBe(flaky.SequenceNumber);
    expect(runtime.output()).toMatch(
      /\[kinesis\] \S+FlakyStream\S*\/shardId-\d+ → FlakyFunction: 1 records, 1 failed \(skipped after 2 retries/,
    );
  }, 60_000);

  it('with ReportBatchItemFailures resumes at the first failed record, not before', async () => {
    const name = await streamName('PartialStream');
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: name,
        Records: ['p1', 'reject-once', 'p3'].map((text) => ({ Data: Buffer.from(text), PartitionKey: 'same' })),
      }),
    );
    await events(() => delivered('partial').filter((text) => text === 'p3').length >= 2);
    expect(of('partial').map(dataOf)).toEqual([
      ['p1', 'reject-once', 'p3'],
      ['reject-once', 'p3'],
    ]);
  });

  it('with BisectBatchOnFunctionError splits a failing batch until the poisoned record stands alone, then skips it', async () => {
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: await streamName('BisectStream'),
        Records: ['b1', 'b2', 'poison', 'b4'].map((text) => ({ Data: Buffer.from(text), PartitionKey: 'same' })),
      }),
    );
    await events(() => of('bisect').some((entry) => !entry.failed && dataOf(entry).includes('b4')));
    // Splitting spends no retry; the poisoned record alone is tried twice (MaximumRetryAttempts 1), then skipped.
    expect(of('bisect').map((entry) => [entry.failed, ...dataOf(entry)])).toEqual([
      [true, 'b1', 'b2', 'poison', 'b4'],
      [false, 'b1', 'b2'],
      [true, 'poison', 'b4'],
      [true, 'poison'],
      [true, 'poison'],
      [false, 'b4'],
    ]);
  });

  it('FilterCriteria hands the function only the records its pattern matches', async () => {
    const name = await streamName('FilteredStream');
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: name,
        Records: [{ kind: 'order', n: 1 }, { kind: 'noise' }, 'not json', { kind: 'order', n: 2 }].map((value) => ({
          Data: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
          PartitionKey: 'same',
        })),
      }),
    );
    await events(() => delivered('clicks').includes('{"kind":"order","n":2}'));
    const fromOrders = of('clicks')
      .flatMap((entry) => entry.event.Records)
      .filter((record) => record.eventSourceARN.endsWith(`/${name}`))
      .map((record) => Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
    expect(fromOrders).toEqual(['{"kind":"order","n":1}', '{"kind":"order","n":2}']);
  });

  it('AT_TIMESTAMP on a shard with no record yet starts, and hands over the records put since the time', async () => {
    const name = await streamName('TimedStream');
    await kinesis.send(new PutRecordCommand({ StreamName: name, Data: Buffer.from('timed'), PartitionKey: 'k' }));
    await events(() => delivered('clicks').includes('timed'));
    const record = of('clicks')
      .flatMap((entry) => entry.event.Records)
      .find((candidate) => candidate.eventSourceARN.endsWith(`/${name}`));
    expect(Buffer.from(record?.kinesis.data ?? '', 'base64').toString()).toBe('timed');
  });

  it('a REST API kinesis:action/PutRecord integration puts the record the function gets', async () => {
    const rest = runtime.info.apis.find((api) => api.logicalId === 'ClicksApi')?.url;
    const body = JSON.stringify({ user: 'rest-user', page: '/home' });
    const answer = await call(`${rest}/clicks`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ shard: expect.stringMatching(/^shardId-/), sequence: expect.any(String) });
    await events(() => delivered('clicks').includes(body));
    const record = of('clicks')
      .flatMap((entry) => entry.event.Records)
      .find((candidate) => candidate.kinesis.partitionKey === 'rest-user');
    expect(record?.kinesis.sequenceNumber).toBe((answer.json() as { sequence: string }).sequence);
  });

  it('an HTTP API Kinesis-PutRecord integration puts the record the function gets', async () => {
    const http = runtime.info.apis.find((api) => api.logicalId === 'ClicksHttpApi')?.url;
    const answer = await call(`${http}/clicks`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: 'http-user', data: Buffer.from('from http').toString('base64') }),
    });
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({
      ShardId: expect.stringMatching(/^shardId-/),
      SequenceNumber: expect.any(String),
    });
    await events(() => delivered('clicks').includes('from http'));
    const missing = await call(`${http}/clicks`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ data: 'eA==' }),
    });
    expect(missing.status).toBe(400);
  });

  it('answers a stream named like a property of arrays (length, map) with Kinesis errors, never a 500', async () => {
    // kinesalite keeps its stream stores in an array indexed by name: found by the fuzz (StreamName "length").
    for (const StreamName of ['length', 'map', 'constructor']) {
      await expect(
        kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: 'k', Data: Buffer.from('x') })),
      ).rejects.toBeInstanceOf(ResourceNotFoundException);
    }
    await expect(kinesis.send(new CreateStreamCommand({ StreamName: 'length', ShardCount: 1 }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/cannot hold a stream named length/),
    });
    // And the endpoint goes on serving.
    expect((await kinesis.send(new ListShardsCommand({ StreamName: 'clicks' }))).Shards).toHaveLength(2);
  });

  it('refuses an unsigned request; a throw inside kinesalite costs that request a 500, not the runtime', async () => {
    const url = runtime.serviceUrl('kinesis');
    const body = JSON.stringify({ StreamName: 'clicks' });
    const headers = { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Kinesis_20131202.ListShards' };
    const unsigned = await call(url, { method: 'POST', body, headers });
    expect(unsigned.status).toBe(400);
    expect(unsigned.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    const post = async (target: string) =>
      call(url, {
        method: 'POST',
        body,
        headers: await signedHeaders(url, runtime.info.credentials, runtime.info.region, 'POST', body, {
          service: 'kinesis',
          headers: { ...headers, 'X-Amz-Target': target },
        }),
      });
    const thrown = await post('LocalRuntimeFault.Throw');
    expect(thrown.status).toBe(500);
    expect(thrown.json()).toMatchObject({ __type: 'InternalFailure' });
    expect((await post('Kinesis_20131202.ListShards')).status).toBe(200);
  });

  it('a crash of the emulation costs the request it was serving: the streams come back and are read again', async () => {
    const url = runtime.serviceUrl('kinesis');
    const body = '{}';
    const headers = await signedHeaders(url, runtime.info.credentials, runtime.info.region, 'POST', body, {
      service: 'kinesis',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'LocalRuntimeFault.Crash' },
    });
    await expect(call(url, { method: 'POST', body, headers })).rejects.toThrow();
    expect(
      await runtime.waitForOutput(
        /\[kinesis\] .*restarted on port \d+: the template's streams are back, empty/,
        10_000,
      ),
    ).toBe(true);
    await kinesis.send(
      new PutRecordCommand({ StreamName: 'clicks', Data: Buffer.from('after the crash'), PartitionKey: 'sdk-user' }),
    );
    await events(() => delivered('clicks').includes('after the crash'));
    expect(runtime.exited()).toBe(false);
    expect(runtime.output()).not.toMatch(/unexpected error|Uncaught|ERR_UNHANDLED_REJECTION|^Node\.js v\d+/m);
  });
});
