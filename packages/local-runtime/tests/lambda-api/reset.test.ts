import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type LocalRuntime, startLocalRuntime } from '../../src/index.ts';
import { FIXTURE } from './start-lambda-process.ts';

/**
 * The programmatic API in a test suite: two runtimes of one template side by side in one process (ports 0, nothing
 * shared), and `reset()` putting one back to the template's initial state between tests, without a restart.
 */
const region = 'us-east-1';
let first: LocalRuntime;
let second: LocalRuntime;

const start = () =>
  startLocalRuntime({
    templatePath: FIXTURE,
    port: 0,
    wsPort: 0,
    watch: false,
    buildDir: mkdtempSync(join(tmpdir(), 'local-runtime-reset-')),
    log: () => {},
  });

const clientsOf = (runtime: LocalRuntime) => {
  const url = (name: string) => runtime.services.find((service) => service.name === name)?.url ?? '';
  const { accessKeyId, secretAccessKey } = runtime.info.credentials;
  const credentials = { accessKeyId, secretAccessKey };
  return {
    lambda: new LambdaClient({ endpoint: url('lambda'), region, credentials }),
    sqs: new SQSClient({ endpoint: url('sqs'), region, credentials }),
    dynamodb: new DynamoDBClient({ endpoint: url('dynamodb'), region, credentials }),
  };
};

/** Messages in every queue, by queue name, and items in the table. */
const stateOf = async (runtime: LocalRuntime) => {
  const { sqs, dynamodb, lambda } = clientsOf(runtime);
  try {
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
    const queues: Record<string, number> = {};
    for (const QueueUrl of QueueUrls) {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      queues[QueueUrl.split('/').at(-1) ?? ''] = Number(Attributes.ApproximateNumberOfMessages);
    }
    const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: runtime.stack.ref('Table') }));
    return { queues, items: Items.map((item) => item.id?.S) };
  } finally {
    for (const client of [sqs, dynamodb, lambda]) client.destroy();
  }
};

beforeAll(async () => {
  [first, second] = await Promise.all([start(), start()]);
}, 120_000);

afterAll(() => Promise.all([first?.stop(), second?.stop()]));

it('runs two runtimes side by side with nothing shared', async () => {
  expect(first.restUrl).not.toBe(second.restUrl);
  const { lambda } = clientsOf(first);
  try {
    const answer = await lambda.send(new InvokeCommand({ FunctionName: 'SendFunction', Payload: '{"id":"a-1"}' }));
    expect(answer.FunctionError).toBeUndefined();
  } finally {
    lambda.destroy();
  }
  const queue = first.stack.getAtt('Queue', 'QueueName');
  expect(await stateOf(first)).toEqual({ queues: { [String(queue)]: 1 }, items: ['a-1'] });
  expect(await stateOf(second)).toEqual({ queues: { [String(queue)]: 0 }, items: [] });
});

it('reset() empties queues and tables, drops queues made since, and the functions run on', async () => {
  const { sqs, lambda } = clientsOf(first);
  try {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'made-by-a-test' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' }));
    await lambda.send(new InvokeCommand({ FunctionName: 'SendFunction', Payload: '{"id":"a-2"}' }));
    const queue = String(first.stack.getAtt('Queue', 'QueueName'));
    expect((await stateOf(first)).queues).toMatchObject({ 'made-by-a-test': 1, [queue]: expect.any(Number) });

    await first.reset();
    expect(await stateOf(first)).toEqual({ queues: { [queue]: 0 }, items: [] });

    // The same ports and URLs, and the functions write to the emptied queue and table again.
    await lambda.send(new InvokeCommand({ FunctionName: 'SendFunction', Payload: '{"id":"a-3"}' }));
    expect(await stateOf(first)).toEqual({ queues: { [queue]: 1 }, items: ['a-3'] });
    // The other runtime was not touched.
    expect((await stateOf(second)).items).toEqual([]);
  } finally {
    sqs.destroy();
    lambda.destroy();
  }
});

it('reset() gives a usage plan its quota back', async () => {
  const gateway = await startLocalRuntime({
    templatePath: fileURLToPath(new URL('../fixtures/gateway/template.yaml', import.meta.url)),
    port: 0,
    wsPort: 0,
    watch: false,
    buildDir: mkdtempSync(join(tmpdir(), 'local-runtime-reset-')),
    log: () => {},
  });
  try {
    const limited = () =>
      fetch(`${gateway.info.apis[0]?.url}/limited`, { headers: { 'x-api-key': 'quota-key-value-0123456789' } });
    for (let i = 0; i < 3; i++) expect((await limited()).status).toBe(200);
    expect((await limited()).status).toBe(429);
    await gateway.reset();
    expect((await limited()).status).toBe(200);
  } finally {
    await gateway.stop();
  }
}, 60_000);
