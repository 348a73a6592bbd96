import { call, runtimeForSuite } from 'sam-local-runtime/testing';

/**
 * Issue 24, through `npm start`: an order placed with POST /v1/orders is one trace at `/_local/traces`, found by the
 * `X-Amzn-Trace-Id` the answer carries: API Gateway's stage segment with its authorizer and integration, the
 * functions (their Powertools Tracer subsegments sent to the runtime's X-Ray daemon), the Step Functions call and
 * the workflow's states, each with a duration. The functions' EMF metrics show at `/_local/metrics`.
 */
interface Row {
  id: string;
  parentId?: string;
  name: string;
  kind: string;
  depth: number;
  durationMs?: number;
  detail: string;
  annotations: Record<string, string | number | boolean>;
}
interface Metric {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  latest: number;
  count: number;
}

const runtime = runtimeForSuite(['--config-env', 'prod', '--time-scale', '0.05']);
let key: string;
let token: string;

beforeAll(async () => {
  key = runtime.keyOf('PremiumApiKey');
  token = await runtime.token({ sub: 'trace-alice', scope: 'orders:read orders:write' });
}, 120_000);

/** What `find` answers, once it answers something (the workflow and the queue consumer run after the answer). */
const waitFor = async <T>(find: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

const placeOrder = () =>
  call(`${runtime.base}/v1/orders`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'x-api-key': key, Authorization: `Bearer ${token}` },
    body: JSON.stringify({ items: [{ sku: 'SKU-BOOK-001', quantity: 1 }], payment: { token: 'tok_flaky' } }),
  });

const traceOf = async (header: string) => {
  const answer = await call(`${runtime.info.restUrl}/_local/traces/${encodeURIComponent(header)}`);
  return { status: answer.status, body: answer.json() as { traceId?: string; rows?: Row[] } };
};

describe('traces at /_local/traces', () => {
  let header = '';
  let orderId = '';
  let rows: Row[] = [];

  beforeAll(async () => {
    const placed = await placeOrder();
    expect(placed.status).toBe(202);
    header = placed.headers.get('x-amzn-trace-id') ?? '';
    orderId = String(placed.json().orderId);
    // The workflow runs after the answer: wait until its last state is in the trace.
    rows = await waitFor(async () => {
      const found = (await traceOf(header)).body.rows ?? [];
      return found.some((row) => row.name === 'NotifySubscribers' && row.durationMs !== undefined) ? found : undefined;
    }, 'the workflow to finish');
  }, 60_000);

  it('the answer carries its trace header', () => {
    // A Lambda proxy answer keeps the Parent API Gateway gives it (recorded on AWS), now sampled: the stage traces.
    expect(header).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}(;Parent=[0-9a-f]{16})?;Sampled=1$/);
  });

  it("API Gateway's stage segment holds the authorizer and the integration, each with a duration", () => {
    const stage = rows.find((row) => row.kind === 'AWS::ApiGateway::Stage');
    expect(stage).toMatchObject({ name: 'OrdersApi/prod', depth: 0 });
    const children = rows.filter((row) => row.parentId === stage?.id);
    expect(children.map((row) => row.name)).toEqual(['Authorizer', 'Integration']);
    for (const row of [stage, ...children]) expect(row?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('the authorizer and the order function run under their subsegments, with their own Tracer subsegments', () => {
    const byId = new Map(rows.map((row) => [row.id, row]));
    const authorizer = rows.find((row) => row.kind === 'AWS::Lambda::Function' && /Authorizer/.test(row.name));
    expect(byId.get(authorizer?.parentId ?? '')?.name).toBe('Authorizer');
    const create = rows.find((row) => row.kind === 'AWS::Lambda::Function' && /OrdersCreate/.test(row.name));
    expect(byId.get(create?.parentId ?? '')?.name).toBe('Integration');
    // The Powertools Tracer's handler subsegment, with the cold start, the service and the order annotated.
    const handler = rows.find((row) => row.parentId === create?.id && row.name.startsWith('## '));
    expect(handler?.annotations).toMatchObject({ Service: 'orders-api', orderId });
    // The function's first invocation: a cold start, for Lambda (the runtime's segment) and for the Tracer alike.
    expect(create?.annotations.ColdStart).toBe(true);
    expect(handler?.annotations.ColdStart).toBe(true);
    expect(handler?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it("the function's Step Functions call is captured, and the workflow's states hang under it", () => {
    const sfnCall = rows.find((row) => row.kind === 'aws' && row.detail.includes('StartExecution'));
    expect(sfnCall?.durationMs).toBeGreaterThanOrEqual(0);
    const workflow = rows.find((row) => row.kind === 'AWS::StepFunctions::StateMachine');
    expect(workflow?.parentId).toBe(sfnCall?.id);
    expect(workflow?.name).toBe('orders-workflow-prod');
    const states = rows.filter((row) => row.parentId === workflow?.id && row.kind === 'state').map((row) => row.name);
    expect(states).toEqual([
      'ValidateOrder',
      'ReserveInventory',
      'ChargePayment',
      'BuildConfirmedEvent',
      'PublishOrderEvent',
      'NotifySubscribers',
      'OrderConfirmed',
    ]);
    for (const row of rows.filter((r) => r.parentId === workflow?.id)) expect(row.durationMs).toBeGreaterThanOrEqual(0);
    // The flaky payment is retried: two invocations of the charge function under ChargePayment.
    const charge = rows.find((row) => row.name === 'ChargePayment');
    const invocations = rows.filter((row) => row.parentId === charge?.id && row.kind === 'AWS::Lambda::Function');
    expect(invocations).toHaveLength(2);
  });

  it('the queue consumer continues the trace of the message the workflow sent', async () => {
    const all = await waitFor(async () => {
      const found = (await traceOf(header)).body.rows ?? [];
      const consumer = found.find(
        (row) => row.kind === 'AWS::Lambda::Function' && /OrderEvents/.test(row.name) && row.durationMs !== undefined,
      );
      return consumer ? found : undefined;
    }, 'the queue consumer');
    const consumer = all.find((row) => row.kind === 'AWS::Lambda::Function' && /OrderEvents/.test(row.name));
    expect(all.find((row) => row.id === consumer?.parentId)?.name).toBe('PublishOrderEvent');
  });

  it('lists the trace, and answers 404 for one it does not have', async () => {
    const list = await call(`${runtime.info.restUrl}/_local/traces`);
    expect((list.json().traces as { traceId: string }[]).map((trace) => trace.traceId)).toContain(
      header.slice('Root='.length, header.indexOf(';')),
    );
    expect((await traceOf('Root=1-00000000-000000000000000000000000')).status).toBe(404);
  });

  it('shows a waterfall page for a browser', async () => {
    const page = await call(`${runtime.info.restUrl}/_local/traces/${encodeURIComponent(header)}`, {
      headers: { Accept: 'text/html' },
    });
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('data-span="ChargePayment"');
  });
});

describe('metrics at /_local/metrics', () => {
  it('shows OrdersPlaced (by channel) after an order, and prints EMF lines compactly', async () => {
    const metricsOf = async () => (await call(`${runtime.info.restUrl}/_local/metrics`)).json().metrics as Metric[];
    const before = (await metricsOf()).find((m) => m.name === 'OrdersPlaced' && m.dimensions.channel === 'v1');
    expect((await placeOrder()).status).toBe(202);
    const placed = await waitFor(async () => {
      const found = (await metricsOf()).find((m) => m.name === 'OrdersPlaced' && m.dimensions.channel === 'v1');
      return found && found.count > (before?.count ?? 0) ? found : undefined;
    }, 'OrdersPlaced');
    expect(placed).toMatchObject({
      namespace: 'OrdersApi',
      latest: 1,
      dimensions: { service: 'orders-api', stage: 'prod', channel: 'v1' },
    });
    const output = runtime.output();
    expect(output).toMatch(
      /\[OrderValidateFunction[^\]]*\] \[metrics\] OrdersApi: OrdersPlaced=1 Count \{service=orders-api, stage=prod\}/,
    );
    expect(output).not.toMatch(/\] \{"_aws"/);
  }, 60_000);
});
