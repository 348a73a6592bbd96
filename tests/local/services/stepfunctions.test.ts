import { readFileSync } from 'node:fs';
import {
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  ExecutionAlreadyExists,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { InvokeOutcome } from '../../../local/lambda/function-pool.ts';
import { type StepFunctionsService, startStepFunctionsService } from '../../../local/services/stepfunctions/server.ts';
import { errorOutcome, okOutcome } from '../invoke-outcomes.ts';

const ACCOUNT = '123456789012';
const ARN = `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:orders`;
const fn = (name: string) => `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:${name}`;

// The real workflow, with the substitutions SAM would make.
const definition = readFileSync('statemachine/order-workflow.asl.json', 'utf8')
  .replaceAll('${OrderValidateFunctionArn}', fn('validate'))
  .replaceAll('${OrderReserveFunctionArn}', fn('reserve'))
  .replaceAll('${OrderChargeFunctionArn}', fn('charge'))
  .replaceAll('${OrderNotifyFunctionArn}', fn('notify'))
  .replaceAll('${OrderEventsQueueUrl}', 'http://127.0.0.1:1/123456789012/events');

const sent: { QueueUrl: string; MessageBody: string }[] = [];
const invoked: { target: string; payload: Record<string, unknown> }[] = [];
let chargeFailures: { errorType: string; times: number } | undefined;
let slow = false;

const ok = okOutcome;

const invokeLambda = async (target: string, payload: unknown): Promise<InvokeOutcome> => {
  const body = payload as Record<string, unknown>;
  invoked.push({ target, payload: body });
  if (target === fn('charge')) {
    if (slow) await new Promise((resolve) => setTimeout(resolve, 2000));
    if (chargeFailures && chargeFailures.times > 0) {
      chargeFailures.times -= 1;
      return errorOutcome(chargeFailures.errorType, 'payment says no');
    }
    return ok({ ...(body.order as object), paymentId: 'pay_1', attempt: body.attempt });
  }
  if (target === fn('notify')) return ok({ delivered: 0 });
  return ok({ ...body, total: { amount: 100, currency: 'EUR' }, channel: 'v1' });
};

let service: StepFunctionsService;
let sfn: SFNClient;

beforeAll(async () => {
  service = await startStepFunctionsService({
    stateMachines: [{ name: 'orders', arn: ARN, definition }],
    invokeLambda,
    sendMessage: async (input) => {
      sent.push(input);
      return { MessageId: `m-${sent.length}`, MD5OfMessageBody: 'x' };
    },
    region: 'eu-west-1',
    accountId: ACCOUNT,
    timeScale: 0.001,
  });
  sfn = new SFNClient({
    region: 'eu-west-1',
    endpoint: service.url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});

afterAll(async () => {
  sfn.destroy();
  await service.close();
});

beforeEach(() => {
  sent.length = 0;
  invoked.length = 0;
  chargeFailures = undefined;
  slow = false;
});

const run = async (name: string, input: unknown = { orderId: name }): Promise<DescribeExecutionOutput> => {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: ARN, name, input: JSON.stringify(input) }),
  );
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') return execution;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('local Step Functions running the order workflow', () => {
  it('runs the Lambda tasks and publishes the confirmed event to the queue', async () => {
    const execution = await run('ok-1');
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output ?? '{}')).toMatchObject({ orderId: 'ok-1', paymentId: 'pay_1' });
    expect(invoked.map((call) => call.target)).toEqual([fn('validate'), fn('reserve'), fn('charge'), fn('notify')]);
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]?.MessageBody ?? '{}')).toMatchObject({ orderId: 'ok-1', type: 'order.confirmed' });
  });

  it('retries PaymentUnavailableError with $$.State.RetryCount counting the attempts', async () => {
    chargeFailures = { errorType: 'PaymentUnavailableError', times: 2 };
    const execution = await run('retry-1');
    expect(execution.status).toBe('SUCCEEDED');
    const charges = invoked.filter((call) => call.target === fn('charge'));
    expect(charges.map((call) => call.payload.attempt)).toEqual([0, 1, 2]);
  });

  it('catches a declined payment: failure event, notify, then the Fail state with the Lambda error as cause', async () => {
    chargeFailures = { errorType: 'PaymentDeclinedError', times: 1 };
    const execution = await run('declined-1');
    expect(execution).toMatchObject({ status: 'FAILED', error: 'PaymentDeclinedError' });
    expect(JSON.parse(execution.cause ?? '{}')).toEqual({
      errorType: 'PaymentDeclinedError',
      errorMessage: 'payment says no',
      trace: [],
    });
    expect(JSON.parse(sent[0]?.MessageBody ?? '{}')).toMatchObject({
      type: 'order.failed',
      detail: { error: 'PaymentDeclinedError' },
    });
    expect(invoked.at(-1)?.payload).toMatchObject({ status: 'FAILED' });
  });

  it('refuses a reused name with other input, and answers the running one again with the same input', async () => {
    await run('dup-1');
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'dup-1', input: '{"other":1}' })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    slow = true;
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'same-1', input: '{}' }));
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'same-1', input: '{}' }));
    expect(again.executionArn).toBe(first.executionArn);
    await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn, error: 'Stopped', cause: 'test' }));
    const stopped = await sfn.send(new DescribeExecutionCommand({ executionArn: first.executionArn }));
    expect(stopped).toMatchObject({ status: 'ABORTED', error: 'Stopped', cause: 'test' });
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: ARN, statusFilter: 'ABORTED' }));
    expect(executions?.map((execution) => execution.name)).toEqual(['same-1']);
  });

  it('answers bad requests with the AWS errors', async () => {
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: `${ARN}-nope`, input: '{}' })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: ARN, input: '{"a": "it\\\'s"}' })),
    ).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'has space' })),
    ).rejects.toMatchObject({ name: 'InvalidName' });
    const raw = (target: string, body: unknown) =>
      fetch(service.url, {
        method: 'POST',
        headers: { 'X-Amz-Target': target, 'Content-Type': 'application/x-amz-json-1.0' },
        body: JSON.stringify(body),
      });
    const unknown = await raw('AWSStepFunctions.Explode', {});
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
    // What `$util.escapeJavaScript` makes of an apostrophe, `\'`, is no JSON escape: the request does not parse.
    const escaped = await fetch(service.url, {
      method: 'POST',
      headers: { 'X-Amz-Target': 'AWSStepFunctions.StartExecution', 'Content-Type': 'application/x-amz-json-1.0' },
      body: `{"stateMachineArn": "${ARN}", "input": "{\\"customerId\\": \\"o\\'neil\\"}"}`,
    });
    expect(escaped.status).toBe(400);
    expect(await escaped.json()).toMatchObject({ __type: 'SerializationException' });
    const missing = await raw('AWSStepFunctions.StartExecution', {});
    expect(await missing.json()).toEqual({
      __type: 'ValidationException',
      message:
        "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null",
    });
  });
});
