import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { call, eventually, runtimeForSuite } from 'sam-local-runtime/testing';

/**
 * The whole order flow on `npm start` (samconfig env `prod`, whose usage plan lets 1,000 events through quickly), with
 * the real functions, the template's mapping templates and the real AWS SDK clients against the local endpoints.
 * `--time-scale 0.05` makes the queue's 180 s visibility timeout 9 s (still far above a batch's processing time, or
 * a slow machine would see honest at-least-once redeliveries) and the workflow's retry intervals 50 ms.
 */
const runtime = runtimeForSuite(['--config-env', 'prod', '--time-scale', '0.05']);
let key: string;
let writer: string;
let sfn: SFNClient;
let sqs: SQSClient;
let dynamodb: DynamoDBClient;
let machineArn: string;

beforeAll(async () => {
  key = runtime.keyOf('PremiumApiKey');
  writer = await runtime.token({ sub: 'alice', scope: 'orders:read orders:write' });
  // The local endpoints take the local credentials, as the functions sign with them.
  sfn = new SFNClient(runtime.clientConfig('stepfunctions'));
  sqs = new SQSClient(runtime.clientConfig('sqs'));
  dynamodb = new DynamoDBClient(runtime.clientConfig('dynamodb'));
  const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
  machineArn = stateMachines?.[0]?.stateMachineArn ?? '';
}, 120_000);

afterAll(async () => {
  sfn?.destroy();
  sqs?.destroy();
  dynamodb?.destroy();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  call(`${runtime.base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'x-api-key': key, ...headers },
    body: JSON.stringify(body),
  });
const get = (path: string) => call(`${runtime.base}${path}`, { headers: { Authorization: `Bearer ${writer}` } });

const finished = async (orderId: string): Promise<DescribeExecutionOutput> => {
  const executionArn = `${machineArn.replace(':stateMachine:', ':execution:')}:${orderId}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING' || Date.now() > deadline) return execution;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/**
 * The consumer's structured log lines (`Order event delivered`), one per event it processed: the runtime prints
 * them under the function's name (`[OrderEventsFunction] {...}`, Powertools writes JSON, not Lambda's text format).
 */
const deliveries = (): { eventId: string; orderId: string; type: string }[] =>
  runtime
    .output()
    .split('\n')
    .filter((line) => line.startsWith('[OrderEventsFunction] ') && line.includes('"Order event delivered"'))
    .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as { eventId: string; orderId: string; type: string });

const order = (token: string) => ({
  items: [{ sku: 'SKU-BOOK-001', quantity: 1 }],
  payment: { token },
});

describe('an order placed locally runs the whole way', () => {
  it('POST /v1/orders (Lambda) → workflow succeeds after a retried payment → order event consumed', async () => {
    const placed = await post('/v1/orders', order('tok_flaky'), {
      Authorization: `Bearer ${writer}`,
      'Idempotency-Key': 'flow-v1',
    });
    expect(placed.status).toBe(202);
    const orderId = String(placed.json().orderId);
    const execution = await finished(orderId);
    expect(execution.status).toBe('SUCCEEDED');
    // tok_flaky fails the first attempt; the Retry on PaymentUnavailableError charges it with $$.State.RetryCount 1.
    expect(JSON.parse(execution.output ?? '{}')).toMatchObject({ orderId, paymentId: expect.stringMatching(/^pay_/) });
    expect(runtime.output()).toMatch(new RegExp(`"Payment charged".*"orderId":"${orderId}".*"attempt":1`));
    expect(
      await eventually(() => deliveries().some((d) => d.orderId === orderId && d.type === 'order.confirmed'), 20_000),
    ).toBe(true);
    const v2 = await get(`/v2/orders/${orderId}`);
    expect(v2.status).toBe(200);
    expect(v2.json()).toMatchObject({ orderId, status: 'CONFIRMED' });
  });

  it('POST /v2/orders (direct StartExecution from the mapping template) → same flow, visible through /v1', async () => {
    const placed = await post('/v2/orders', order('tok_visa'), { Authorization: `Bearer ${writer}` });
    expect(placed.status).toBe(202);
    const orderId = String(placed.json().orderId);
    expect((await finished(orderId)).status).toBe('SUCCEEDED');
    expect(
      await eventually(() => deliveries().some((d) => d.orderId === orderId && d.type === 'order.confirmed'), 20_000),
    ).toBe(true);
    const v1 = await get(`/v1/orders/${orderId}`);
    expect(v1.status).toBe(200);
    expect(v1.json()).toMatchObject({ id: orderId, state: 'CONFIRMED' });
  });

  it('a declined payment ends in the failure state, with the reason visible through the API', async () => {
    const placed = await post('/v2/orders', order('tok_declined'), { Authorization: `Bearer ${writer}` });
    const orderId = String(placed.json().orderId);
    const execution = await finished(orderId);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'PaymentDeclinedError' });
    expect(JSON.parse(execution.cause ?? '{}')).toMatchObject({ errorType: 'PaymentDeclinedError' });
    const v2 = await get(`/v2/orders/${orderId}`);
    expect(v2.json()).toMatchObject({ orderId, status: 'FAILED', failureReason: expect.stringContaining('declined') });
    expect(
      await eventually(() => deliveries().some((d) => d.orderId === orderId && d.type === 'order.failed'), 20_000),
    ).toBe(true);
  });

  it('a reused execution name with other input is refused by Step Functions (ExecutionAlreadyExists → 409)', async () => {
    // The mapping template names the execution after the request id; the SDK shows the service refusing a duplicate.
    const placed = await post('/v2/orders', order('tok_visa'), { Authorization: `Bearer ${writer}` });
    const orderId = String(placed.json().orderId);
    await finished(orderId);
    const again = await sfn
      .send(new StartExecutionCommand({ stateMachineArn: machineArn, name: orderId, input: '{"other":true}' }))
      .catch((error: unknown) => error);
    expect(again).toMatchObject({ name: 'ExecutionAlreadyExists', $metadata: { httpStatusCode: 400 } });
  });
});

describe('POST /v1/events: 1,000 partner events, some of them poison', () => {
  it('ends every accepted event either processed once or in the DLQ, none lost, none twice', async () => {
    const table = await runtime.tableName();
    // A poison event: its order has a subscriber whose push always fails (a malformed connection id, which the
    // @connections API refuses with 400 rather than 410 Gone), so the consumer reports the record failed every time,
    // until the queue's redrive policy moves it to the DLQ.
    const poisonOrders = Array.from({ length: 5 }, (_, i) => `ord_poison${String(i).padStart(16, '0')}`);
    for (const orderId of poisonOrders) {
      await dynamodb.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            pk: { S: `CONN#not a connection ${orderId}` },
            sk: { S: `SUB#${orderId}` },
            orderId: { S: orderId },
            connectionId: { S: `not a connection ${orderId}` },
          },
        }),
      );
    }
    const events = Array.from({ length: 1000 }, (_, i) => ({
      orderId:
        i % 100 === 7 ? (poisonOrders[((i / 100) % 5) | 0] as string) : `ord_event${String(i).padStart(17, '0')}`,
      type: 'order.shipped',
      occurredAt: '2026-11-25T10:00:00Z',
      ...(i % 2 === 0 ? { detail: { carrier: `carrier-${i}` } } : {}),
    }));
    const accepted = new Map<string, string>();
    let next = 0;
    const sender = async () => {
      while (next < events.length) {
        const event = events[next++] as (typeof events)[number];
        for (;;) {
          const answer = await post('/v1/events', event);
          if (answer.status === 429) {
            await new Promise((resolve) => setTimeout(resolve, 50));
            continue;
          }
          expect(answer.status).toBe(202);
          accepted.set(String(answer.json().eventId), event.orderId);
          break;
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, sender));
    expect(accepted.size).toBe(1000);
    const poison = [...accepted].filter(([, orderId]) => poisonOrders.includes(orderId)).map(([eventId]) => eventId);
    expect(poison).toHaveLength(10);

    const dead = new Map<string, number>();
    const dlqUrl = `${runtime.serviceUrl('sqs')}/${runtime.info.credentials.accountId}/${
      ((await (await fetch(`${runtime.info.restUrl}/_local/queues`)).json()) as { name: string }[]).find((queue) =>
        queue.name.includes('DeadLetter'),
      )?.name
    }`;
    const settled = await eventually(() => {
      const done = new Set(deliveries().map((d) => d.eventId));
      return [...accepted.keys()].every((eventId) => done.has(eventId) || poison.includes(eventId));
    }, 60_000);
    expect(settled).toBe(true);
    const deadline = Date.now() + 60_000;
    while (dead.size < poison.length && Date.now() < deadline) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const message of Messages ?? []) {
        const eventId = (JSON.parse(message.Body ?? '{}') as { eventId: string }).eventId;
        dead.set(eventId, (dead.get(eventId) ?? 0) + 1);
      }
    }
    const processed = new Map<string, number>();
    for (const delivery of deliveries()) {
      if (accepted.has(delivery.eventId)) processed.set(delivery.eventId, (processed.get(delivery.eventId) ?? 0) + 1);
    }
    const twice = [...processed].filter(([, count]) => count > 1);
    expect(twice).toEqual([]);
    expect([...dead.keys()].sort()).toEqual([...poison].sort());
    const lost = [...accepted.keys()].filter((eventId) => !processed.has(eventId) && !dead.has(eventId));
    expect(lost).toEqual([]);
    expect(processed.size + dead.size).toBe(1000);
  }, 180_000);
});
