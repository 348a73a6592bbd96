import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { recordFilterOf, SQS_BODY } from '../../src/lambda/event-sources/record-filter.ts';
import { type BatchReport, type SqsEventSourceMapping, SqsPoller } from '../../src/lambda/event-sources/sqs-poller.ts';
import type { InvokeOutcome } from '../../src/lambda/function-pool.ts';
import { QueueRegistry } from '../../src/services/sqs/registry.ts';
import { eventually } from '../../src/testing/eventually.ts';
import { errorOutcome, okOutcome } from '../invoke-outcomes.ts';

const ACCOUNT = '123456789012';

const setUp = (
  behaviour: (event: SQSEvent, call: number) => InvokeOutcome,
  mapping: Partial<SqsEventSourceMapping> = {},
) => {
  const registry = new QueueRegistry({
    baseUrl: 'http://127.0.0.1:1',
    region: 'eu-west-1',
    accountId: ACCOUNT,
    // Visibility timeouts of 1 s last 20 ms here.
    timeScale: 0.02,
  });
  const queue = registry.create({
    name: 'work',
    properties: {
      VisibilityTimeout: 1,
      RedrivePolicy: { deadLetterTargetArn: `arn:aws:sqs:eu-west-1:${ACCOUNT}:dlq`, maxReceiveCount: 3 },
    },
  });
  const dlq = registry.create({ name: 'dlq', properties: {} });
  const seen: SQSEvent[] = [];
  const reports: BatchReport[] = [];
  let calls = 0;
  const poller = new SqsPoller(
    {
      source: 'Fn.Events.Queue',
      functionId: 'Fn',
      queue,
      batchSize: 10,
      batchingWindowSeconds: 0,
      reportBatchItemFailures: true,
      concurrency: 1,
      ...mapping,
    },
    async (_functionId, event) => {
      seen.push(event);
      return behaviour(event, calls++);
    },
    'eu-west-1',
    (report) => reports.push(report),
  );
  return { registry, queue, dlq, poller, seen, reports };
};

const ok = okOutcome;
const failures = (ids: string[]): SQSBatchResponse => ({
  batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })),
});

const until = (check: () => boolean) => eventually(check, 5000, 5);

describe('SQS event source mapping', () => {
  it('delivers only the messages its FilterCriteria match and deletes the others from the queue', async () => {
    const filter = recordFilterOf({ Filters: [{ Pattern: '{"body":{"kind":["order"]}}' }] }, SQS_BODY);
    const { queue, poller, seen, registry } = setUp(() => ok(null), filter ? { filter } : {});
    for (const body of ['{"kind":"order","n":1}', '{"kind":"ping"}', 'plain text', '{"kind":"order","n":2}']) {
      queue.send({ body });
    }
    poller.start();
    expect(await until(() => seen.flatMap((event) => event.Records).length >= 2)).toBe(true);
    expect(await until(() => queue.counts().visible + queue.counts().inFlight === 0)).toBe(true);
    await poller.stop();
    registry.close();
    expect(seen.flatMap((event) => event.Records.map((record) => record.body))).toEqual([
      '{"kind":"order","n":1}',
      '{"kind":"order","n":2}',
    ]);
  });

  it('deletes what succeeded and returns only the reported failures to the queue', async () => {
    const { queue, poller, seen, registry } = setUp((event, call) =>
      call === 0 ? ok(failures([event.Records[1]?.messageId ?? ''])) : ok({ batchItemFailures: [] }),
    );
    for (const body of ['a', 'b', 'c']) queue.send({ body });
    poller.start();
    expect(await until(() => seen.length >= 2)).toBe(true);
    await poller.stop();
    registry.close();
    expect(seen[0]?.Records.map((record) => record.body)).toEqual(['a', 'b', 'c']);
    // Only b came back, after its visibility timeout, received a second time.
    expect(seen[1]?.Records.map((record) => [record.body, record.attributes.ApproximateReceiveCount])).toEqual([
      ['b', '2'],
    ]);
    expect(queue.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('gives the function the records Lambda would (source ARN, attributes, message attributes)', async () => {
    const { queue, poller, seen, registry } = setUp(() => ok(null));
    queue.send({ body: '{"x":1}', attributes: { kind: { DataType: 'String', StringValue: 'k' } } });
    poller.start();
    expect(await until(() => seen.length >= 1)).toBe(true);
    await poller.stop();
    registry.close();
    expect(seen[0]?.Records[0]).toMatchObject({
      body: '{"x":1}',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:eu-west-1:${ACCOUNT}:work`,
      awsRegion: 'eu-west-1',
      messageAttributes: { kind: { dataType: 'String', stringValue: 'k', stringListValues: [], binaryListValues: [] } },
      attributes: { ApproximateReceiveCount: '1', SenderId: expect.any(String) },
    });
  });

  it('returns the whole batch when the function throws, and the DLQ takes it after maxReceiveCount', async () => {
    const { queue, dlq, poller, seen, reports, registry } = setUp(() => errorOutcome('Error', 'boom'));
    queue.send({ body: 'poison' });
    queue.send({ body: 'also' });
    poller.start();
    expect(await until(() => dlq.counts().visible === 2)).toBe(true);
    await poller.stop();
    registry.close();
    expect(seen).toHaveLength(3);
    expect(reports.every((report) => report.failed === report.size)).toBe(true);
    expect(queue.counts().visible + queue.counts().inFlight).toBe(0);
  });

  it('treats a response naming a record not in the batch as a failure of the whole batch', async () => {
    const { queue, poller, reports, registry } = setUp((_event, call) =>
      call === 0 ? ok(failures(['not-in-this-batch'])) : ok(null),
    );
    queue.send({ body: 'a' });
    queue.send({ body: 'b' });
    poller.start();
    expect(await until(() => reports.length >= 2)).toBe(true);
    await poller.stop();
    registry.close();
    expect(reports[0]).toMatchObject({ size: 2, failed: 2, outcome: 'invalid-response' });
    expect(reports[1]).toMatchObject({ size: 2, failed: 0, outcome: 'ok' });
  });
});
