import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  type SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { type StepFunctionsService, startStepFunctionsService } from '../../src/services/stepfunctions/server.ts';
import { signedHeaders } from '../../src/testing/sign.ts';
import { authFor, testKey } from './local-auth.ts';
import {
  ACCOUNT,
  FakeServices,
  failed,
  finished,
  functionArn,
  gate,
  historyOf,
  machineArn,
  ok,
  orderWorkflow,
  QUEUE_URL,
  REGION,
  runToEnd,
  sfnClient,
} from './stepfunctions-fixture.ts';

const ORDERS = machineArn('orders-workflow-test');
// Retry intervals and waits run a thousand times faster: ChargePayment's 1 s, 2 s, 4 s become 1, 2, 4 ms.
const TIME_SCALE = 0.001;

const fakes = new FakeServices();
const logged: string[] = [];
let service: StepFunctionsService;
let sfn: SFNClient;

/** The order functions as the workflow expects them; charge fails with `chargeFailures` first. */
let chargeFailures: string[] = [];
const orderFunctions = () => {
  fakes.functions = {
    validate: (order) => ok({ ...order, total: { amount: 100, currency: 'EUR' }, channel: 'v1' }),
    reserve: (order) => ok({ ...order, reservationId: 'res_1' }),
    charge: (payload) => {
      const failure = chargeFailures.shift();
      if (failure) return failed(failure, 'payment says no');
      return ok({ ...(payload.order as object), paymentId: 'pay_1', attempt: payload.attempt });
    },
    notify: () => ok({ delivered: 0 }),
  };
};

beforeAll(async () => {
  service = await startStepFunctionsService({
    stateMachines: [{ name: 'orders-workflow-test', arn: ORDERS, definition: orderWorkflow() }],
    invokeLambda: fakes.invokeLambda,
    sendMessage: fakes.sendMessage,
    region: REGION,
    auth: authFor(REGION),
    accountId: ACCOUNT,
    timeScale: TIME_SCALE,
    log: (line) => logged.push(line),
  });
  sfn = sfnClient(service.url);
});

afterAll(async () => {
  sfn.destroy();
  await service.close();
});

afterEach(async () => {
  await service.waitForIdle();
  fakes.reset();
  chargeFailures = [];
  logged.length = 0;
  orderFunctions();
});

orderFunctions();

describe('the order workflow on the local Step Functions endpoint', () => {
  it('runs validate, reserve, charge and notify, and sends one order.confirmed event', async () => {
    const execution = await runToEnd(sfn, ORDERS, 'ord_ok', { orderId: 'ord_ok', items: [{ sku: 'A', qty: 1 }] });

    expect(execution).toMatchObject({ status: 'SUCCEEDED', name: 'ord_ok', stateMachineArn: ORDERS });
    expect(execution.executionArn).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:execution:orders-workflow-test:ord_ok`);
    expect(execution.startDate).toBeInstanceOf(Date);
    expect(execution.stopDate?.getTime()).toBeGreaterThanOrEqual(execution.startDate?.getTime() ?? 0);
    expect(JSON.parse(execution.output ?? '')).toMatchObject({ orderId: 'ord_ok', paymentId: 'pay_1', attempt: 0 });
    expect(fakes.invoked.map((call) => call.target)).toEqual(
      ['validate', 'reserve', 'charge', 'notify'].map(functionArn),
    );
    expect(fakes.calls('notify')[0]?.payload).toEqual({ orderId: 'ord_ok', status: 'CONFIRMED' });
    expect(fakes.sent).toHaveLength(1);
    expect(fakes.sent[0]?.QueueUrl).toBe(QUEUE_URL);
    // The Pass state builds the event as JSON; the SQS task sends it as JSON text.
    expect(JSON.parse(fakes.sent[0]?.MessageBody ?? '')).toMatchObject({
      orderId: 'ord_ok',
      type: 'order.confirmed',
      source: 'workflow',
      detail: { total: { amount: 100, currency: 'EUR' }, channel: 'v1' },
    });
    expect(logged).toContain('[stepfunctions] orders-workflow-test/ord_ok RUNNING');
    expect(logged.at(-1)).toMatch(/^\[stepfunctions\] orders-workflow-test\/ord_ok SUCCEEDED \(\d+\.\d s\)$/);
  });

  it('records the history: states entered and exited, each task scheduled, started and succeeded', async () => {
    const { executionArn } = await runToEnd(sfn, ORDERS, 'ord_history', { orderId: 'ord_history' });
    const events = await historyOf(sfn, executionArn);

    expect(events.slice(0, 6).map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    expect(events[2]?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      region: REGION,
    });
    expect(JSON.parse(events[2]?.taskScheduledEventDetails?.parameters ?? '')).toEqual({
      FunctionName: functionArn('validate'),
      Payload: { orderId: 'ord_history' },
    });
    // lambda:invoke answers Invoke's response, the function's result in Payload (OutputPath $.Payload keeps it).
    expect(JSON.parse(events[4]?.taskSucceededEventDetails?.output ?? '')).toMatchObject({
      ExecutedVersion: '$LATEST',
      StatusCode: 200,
      Payload: { orderId: 'ord_history', channel: 'v1' },
      SdkHttpMetadata: { HttpStatusCode: 200 },
      SdkResponseMetadata: { RequestId: 'r' },
    });
    const sqsResult = events.find(
      (event) => event.type === 'TaskSucceeded' && event.taskSucceededEventDetails?.resourceType === 'sqs',
    );
    expect(JSON.parse(sqsResult?.taskSucceededEventDetails?.output ?? '')).toMatchObject({
      MessageId: 'm-1',
      MD5OfMessageBody: 'd41d8cd98f00b204e9800998ecf8427e',
      SdkHttpMetadata: { HttpStatusCode: 200 },
    });
    expect(
      events.filter((event) => event.type?.endsWith('StateEntered')).map((e) => e.stateEnteredEventDetails?.name),
    ).toEqual([
      'ValidateOrder',
      'ReserveInventory',
      'ChargePayment',
      'BuildConfirmedEvent',
      'PublishOrderEvent',
      'NotifySubscribers',
      'OrderConfirmed',
    ]);
  });

  it('catches a declined payment: order.failed event, failure notice, then FAILED with the Lambda error', async () => {
    chargeFailures = ['PaymentDeclinedError'];
    const execution = await runToEnd(sfn, ORDERS, 'ord_declined', { orderId: 'ord_declined' });

    expect(execution).toMatchObject({ status: 'FAILED', error: 'PaymentDeclinedError' });
    // The Cause is the function's error payload, as Lambda returned it.
    expect(JSON.parse(execution.cause ?? '')).toEqual({
      errorType: 'PaymentDeclinedError',
      errorMessage: 'payment says no',
      trace: [],
    });
    expect(fakes.calls('charge')).toHaveLength(1); // PaymentDeclinedError is not retried
    expect(fakes.sent).toHaveLength(1);
    expect(JSON.parse(fakes.sent[0]?.MessageBody ?? '')).toMatchObject({
      orderId: 'ord_declined',
      type: 'order.failed',
      detail: { error: 'PaymentDeclinedError', cause: execution.cause },
    });
    expect(fakes.calls('notify')[0]?.payload).toEqual({
      orderId: 'ord_declined',
      status: 'FAILED',
      error: 'PaymentDeclinedError',
      failureReason: execution.cause,
    });
    expect(logged).toContain(
      '[stepfunctions] orders-workflow-test/ord_declined ChargePayment caught → BuildFailureEvent',
    );
    expect(logged.at(-1)).toMatch(/ord_declined FAILED \(\d+\.\d s\) PaymentDeclinedError: \{/);
  });

  it('retries PaymentUnavailableError as the Retry says, $$.State.RetryCount counting the attempts', async () => {
    chargeFailures = ['PaymentUnavailableError', 'PaymentUnavailableError'];
    const execution = await runToEnd(sfn, ORDERS, 'ord_retried', { orderId: 'ord_retried' });

    expect(execution.status).toBe('SUCCEEDED');
    expect(fakes.calls('charge').map((call) => call.payload.attempt)).toEqual([0, 1, 2]);
    expect(JSON.parse(execution.output ?? '')).toMatchObject({ paymentId: 'pay_1', attempt: 2 });
    expect(logged.filter((line) => line.includes('ChargePayment attempt'))).toEqual([
      expect.stringContaining('ord_retried ChargePayment attempt 1 failed: PaymentUnavailableError:'),
      expect.stringContaining('ord_retried ChargePayment attempt 2 failed: PaymentUnavailableError:'),
    ]);
    const history = await historyOf(sfn, execution.executionArn);
    expect(history.filter((event) => event.type === 'TaskFailed')).toHaveLength(2);
    expect(history.filter((event) => event.taskScheduledEventDetails?.parameters?.includes('"attempt"'))).toHaveLength(
      3,
    );
  });

  it('gives up after MaxAttempts retries and lets the Catch take the last error', async () => {
    chargeFailures = Array(4).fill('PaymentUnavailableError');
    const execution = await runToEnd(sfn, ORDERS, 'ord_unavailable', { orderId: 'ord_unavailable' });

    expect(execution).toMatchObject({ status: 'FAILED', error: 'PaymentUnavailableError' });
    expect(fakes.calls('charge')).toHaveLength(4); // the first attempt and MaxAttempts 3 retries
    expect(JSON.parse(fakes.sent[0]?.MessageBody ?? '')).toMatchObject({ type: 'order.failed' });
  });

  it('is idempotent for the same name and input while running, and refuses the name otherwise', async () => {
    const hold = gate();
    fakes.functions.validate = async (order) => {
      await hold.opened;
      return ok(order);
    };
    const input = JSON.stringify({ orderId: 'ord_dup' });
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: ORDERS, name: 'ord_dup', input }));
    // Same name and input (spacing aside) while it runs: the same execution, not a second one.
    const again = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: ORDERS, name: 'ord_dup', input: '{ "orderId": "ord_dup" }' }),
    );
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: ORDERS, name: 'ord_dup', input: '{"orderId":"other"}' })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);

    hold.release();
    await finished(sfn, first.executionArn);
    expect(fakes.calls('validate')).toHaveLength(1);
    // Once it has ended, the name is taken whatever the input.
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: ORDERS, name: 'ord_dup', input })),
    ).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
      message: `Execution Already Exists: '${first.executionArn}'`,
    });
  });

  it('stops a running execution: ABORTED with the given error and cause, and nothing after the task in flight', async () => {
    const hold = gate();
    fakes.functions.charge = async (payload) => {
      await hold.opened;
      return ok(payload.order);
    };
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: ORDERS, name: 'ord_stopped', input: '{"orderId":"ord_stopped"}' }),
    );
    while (fakes.calls('charge').length === 0) await new Promise((resolve) => setTimeout(resolve, 2));

    const { stopDate } = await sfn.send(
      new StopExecutionCommand({ executionArn, error: 'Customer.Cancelled', cause: 'the customer changed their mind' }),
    );
    expect(stopDate).toBeInstanceOf(Date);
    const stopped = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(stopped).toMatchObject({
      status: 'ABORTED',
      error: 'Customer.Cancelled',
      cause: 'the customer changed their mind',
    });
    expect(stopped.stopDate).toEqual(stopDate);

    hold.release();
    await service.waitForIdle();
    expect(fakes.sent).toHaveLength(0);
    expect(fakes.calls('notify')).toHaveLength(0);
    const history = await historyOf(sfn, executionArn);
    expect(history.slice(-2).map((event) => event.type)).toEqual(['TaskStateAborted', 'ExecutionAborted']);
    expect(history.at(-1)?.executionAbortedEventDetails).toEqual({
      error: 'Customer.Cancelled',
      cause: 'the customer changed their mind',
    });
    // Stopping an execution that has ended changes nothing, and succeeds.
    await sfn.send(new StopExecutionCommand({ executionArn }));
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: 'ABORTED' });

    const { executions } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: ORDERS, statusFilter: 'ABORTED' }),
    );
    expect(executions?.map((execution) => execution.name)).toEqual(['ord_stopped']);
  });
});

describe('the Step Functions API', () => {
  const raw = async (target: string, body: string) => {
    const headers = { 'X-Amz-Target': target, 'Content-Type': 'application/x-amz-json-1.0' };
    const response = await fetch(service.url, {
      method: 'POST',
      headers: await signedHeaders(service.url, testKey, REGION, 'POST', body, { service: 'states', headers }),
      body,
    });
    return { status: response.status, body: await response.json() };
  };

  it('answers an unknown operation with UnknownOperationException', async () => {
    expect(await raw('AWSStepFunctions.Explode', '{}')).toEqual({
      status: 400,
      body: { __type: 'UnknownOperationException', message: 'Unknown operation AWSStepFunctions.Explode' },
    });
  });

  it('answers a missing required member with the ValidationException AWS words', async () => {
    expect(await raw('AWSStepFunctions.StartExecution', '{}')).toEqual({
      status: 400,
      body: {
        __type: 'ValidationException',
        message:
          "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null",
      },
    });
  });

  it('answers a body that is not JSON with SerializationException', async () => {
    // What `$util.escapeJavaScript` makes of an apostrophe, `\'`, is no JSON escape: the request does not parse.
    const body = `{"stateMachineArn": "${ORDERS}", "input": "{\\"customerId\\": \\"o\\'neil\\"}"}`;
    expect(await raw('AWSStepFunctions.StartExecution', body)).toMatchObject({
      status: 400,
      body: { __type: 'SerializationException' },
    });
  });

  it('refuses unknown machines and executions, bad ARNs, names and input', async () => {
    const start = (input: { stateMachineArn?: string; name?: string; input?: string }) =>
      sfn.send(new StartExecutionCommand({ stateMachineArn: ORDERS, ...input }));
    await expect(start({ stateMachineArn: machineArn('nope') })).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
      message: `State Machine Does Not Exist: '${machineArn('nope')}'`,
    });
    await expect(start({ stateMachineArn: machineArn('nope') })).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(start({ stateMachineArn: 'orders' })).rejects.toBeInstanceOf(InvalidArn);
    await expect(start({ input: '{"orderId":' })).rejects.toBeInstanceOf(InvalidExecutionInput);
    await expect(start({ name: 'has space' })).rejects.toBeInstanceOf(InvalidName);
    await expect(start({ name: 'a/b' })).rejects.toBeInstanceOf(InvalidName);
    await expect(start({ name: 'x'.repeat(81) })).rejects.toMatchObject({
      name: 'ValidationException',
      message: `1 validation error detected: Value '${'x'.repeat(81)}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80`,
    });
    await expect(start({ input: JSON.stringify({ blob: 'x'.repeat(262_144) }) })).rejects.toMatchObject({
      name: 'ValidationException',
    });
    const missing = `arn:aws:states:${REGION}:${ACCOUNT}:execution:orders-workflow-test:never`;
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn: missing }))).rejects.toBeInstanceOf(
      ExecutionDoesNotExist,
    );
    await expect(
      sfn.send(new ListExecutionsCommand({ stateMachineArn: ORDERS, statusFilter: 'DONE' as 'ABORTED' })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    expect(fakes.invoked).toHaveLength(0);
  });

  it('names an execution with a UUID when no name is given, and lists executions a page at a time', async () => {
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: ORDERS, input: '{"orderId":"p1"}' }));
    expect(first.executionArn).toMatch(/:execution:orders-workflow-test:[0-9a-f-]{36}$/);
    await finished(sfn, first.executionArn);
    await runToEnd(sfn, ORDERS, 'ord_page_2', { orderId: 'p2' });

    const page1 = await sfn.send(new ListExecutionsCommand({ stateMachineArn: ORDERS, maxResults: 1 }));
    expect(page1.executions?.map((execution) => execution.name)).toEqual(['ord_page_2']);
    expect(page1.nextToken).toEqual(expect.any(String));
    const page2 = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: ORDERS, maxResults: 1, nextToken: page1.nextToken }),
    );
    expect(page2.executions?.[0]?.executionArn).toBe(first.executionArn);
    await expect(
      sfn.send(new ListExecutionsCommand({ stateMachineArn: ORDERS, nextToken: 'forged' })),
    ).rejects.toMatchObject({ name: 'InvalidToken' });
  });

  it('describes and lists the state machines', async () => {
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: ORDERS }));
    expect(described).toMatchObject({ name: 'orders-workflow-test', status: 'ACTIVE', type: 'STANDARD' });
    expect(JSON.parse(described.definition ?? '')).toMatchObject({ StartAt: 'ValidateOrder' });
    const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
    expect(stateMachines?.map((machine) => machine.stateMachineArn)).toEqual([ORDERS]);
  });
});

describe('DeleteStateMachine', () => {
  it('answers {} as AWS does (test_apigateway_with_step_function_integration[DeleteStateMachine]) and forgets it', async () => {
    const doomed = machineArn('doomed');
    const own = await startStepFunctionsService({
      stateMachines: [{ name: 'doomed', arn: doomed, definition: orderWorkflow() }],
      invokeLambda: fakes.invokeLambda,
      sendMessage: fakes.sendMessage,
      region: REGION,
      auth: authFor(REGION),
      accountId: ACCOUNT,
      log: () => {},
    });
    const call = async (target: string, body: unknown) => {
      const text = JSON.stringify(body);
      const headers = { 'X-Amz-Target': `AWSStepFunctions.${target}`, 'Content-Type': 'application/x-amz-json-1.0' };
      const response = await fetch(own.url, {
        method: 'POST',
        headers: await signedHeaders(own.url, testKey, REGION, 'POST', text, { service: 'states', headers }),
        body: text,
      });
      return { status: response.status, body: await response.json() };
    };
    try {
      expect(await call('DeleteStateMachine', { stateMachineArn: doomed })).toEqual({ status: 200, body: {} });
      expect(await call('DescribeStateMachine', { stateMachineArn: doomed })).toMatchObject({
        status: 400,
        body: { __type: 'StateMachineDoesNotExist' },
      });
      // Deleting again is no error; a malformed ARN is.
      expect(await call('DeleteStateMachine', { stateMachineArn: doomed })).toEqual({ status: 200, body: {} });
      expect(await call('DeleteStateMachine', { stateMachineArn: 'nope' })).toMatchObject({
        status: 400,
        body: { __type: 'InvalidArn' },
      });
    } finally {
      await own.close();
    }
  });
});
