import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { type StepFunctionsService, startStepFunctionsService } from '../../src/services/stepfunctions/server.ts';
import { authFor } from './local-auth.ts';
import {
  ACCOUNT,
  FakeServices,
  functionArn,
  gate,
  historyOf,
  machineArn,
  ok,
  orderWorkflow,
  REGION,
  runToEnd,
  sfnClient,
  timedOut,
} from './stepfunctions-fixture.ts';

const ORDERS = machineArn('orders');
const FAN_OUT = machineArn('fan-out');
const UNSUPPORTED = machineArn('unsupported');

/** Parallel branches and a Map processor (whose Tasks need handlers too), a Wait, and a Task on a function ARN. */
const fanOut = {
  StartAt: 'Pause',
  States: {
    Pause: { Type: 'Wait', Seconds: 30, Next: 'Fan' },
    Fan: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Direct', States: { Direct: { Type: 'Task', Resource: functionArn('echo'), End: true } } },
        {
          StartAt: 'Each',
          States: {
            Each: {
              Type: 'Map',
              ItemsPath: '$.items',
              ItemProcessor: {
                StartAt: 'Double',
                States: {
                  Double: {
                    Type: 'Task',
                    Resource: 'arn:aws:states:::lambda:invoke',
                    Parameters: { FunctionName: 'double', 'Payload.$': '$' },
                    OutputPath: '$.Payload',
                    End: true,
                  },
                },
              },
              End: true,
            },
          },
        },
      ],
      End: true,
    },
  },
};

/** A Task the local runtime cannot run, behind a Catch on States.ALL, which States.Runtime gets past. */
const unsupported = {
  StartAt: 'Put',
  States: {
    Put: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:putItem',
      Parameters: { TableName: 'orders', Item: {} },
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Recovered' }],
      End: true,
    },
    Recovered: { Type: 'Succeed' },
  },
};

const fakes = new FakeServices();
const logged: string[] = [];
let service: StepFunctionsService;
let sfn: SFNClient;

const orderFunctions = () => {
  fakes.functions = {
    validate: (order) => ok({ ...order, total: { amount: 5, currency: 'EUR' }, channel: 'v2' }),
    reserve: (order) => ok(order),
    charge: (payload) => ok(payload.order),
    notify: () => ok({ delivered: 1 }),
    echo: (payload) => ok({ echoed: payload.items }),
    double: (value) => ok((value as unknown as number) * 2),
  };
};

beforeAll(async () => {
  service = await startStepFunctionsService({
    stateMachines: [
      { name: 'orders', arn: ORDERS, definition: orderWorkflow() },
      { name: 'fan-out', arn: FAN_OUT, definition: JSON.stringify(fanOut) },
      { name: 'unsupported', arn: UNSUPPORTED, definition: JSON.stringify(unsupported) },
    ],
    invokeLambda: fakes.invokeLambda,
    sendMessage: fakes.sendMessage,
    region: REGION,
    auth: authFor(REGION),
    accountId: ACCOUNT,
    timeScale: 0.001,
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
  orderFunctions();
});

orderFunctions();

describe('Lambda tasks', () => {
  it('fails a timed-out function with Sandbox.Timedout, which the workflow catches', async () => {
    fakes.functions.validate = () => timedOut();
    const execution = await runToEnd(sfn, ORDERS, 'timeout-1', { orderId: 'timeout-1' });

    expect(execution).toMatchObject({ status: 'FAILED', error: 'Sandbox.Timedout' });
    expect(JSON.parse(execution.cause ?? '')).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: 'RequestId: req-timeout Error: Task timed out after 3.00 seconds',
    });
    expect(fakes.calls('validate')).toHaveLength(1); // only Lambda service exceptions are retried
    expect(JSON.parse(fakes.sent[0]?.MessageBody ?? '')).toMatchObject({
      type: 'order.failed',
      detail: { error: 'Sandbox.Timedout' },
    });
  });

  it('fails a task on a missing function with Lambda.ResourceNotFoundException', async () => {
    delete fakes.functions.reserve;
    const execution = await runToEnd(sfn, ORDERS, 'missing-1', { orderId: 'missing-1' });

    expect(execution).toMatchObject({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException' });
    expect(execution.cause).toMatch(
      /^Function not found: arn:aws:lambda:eu-west-1:123456789012:function:reserve \(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: [0-9a-f-]+; Proxy: null\)$/,
    );
  });

  it('retries a Lambda service exception as the Retry on Lambda.ServiceException says', async () => {
    let failures = 1;
    fakes.functions.validate = (order) => {
      if (failures-- > 0) throw Object.assign(new Error('Service unavailable'), { name: 'ServiceException' });
      return ok({ ...order, total: { amount: 5, currency: 'EUR' }, channel: 'v2' });
    };
    const execution = await runToEnd(sfn, ORDERS, 'service-1', { orderId: 'service-1' });

    expect(execution.status).toBe('SUCCEEDED');
    expect(fakes.calls('validate')).toHaveLength(2);
    const history = await historyOf(sfn, execution.executionArn);
    expect(history.find((event) => event.type === 'TaskFailed')?.taskFailedEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      error: 'Lambda.ServiceException',
    });
  });

  it('runs Tasks inside Parallel branches and Map processors, and a function ARN Resource gets the raw payload', async () => {
    const execution = await runToEnd(sfn, FAN_OUT, 'fan-1', { items: [1, 2, 3] });

    expect(execution.status).toBe('SUCCEEDED');
    // The function ARN Task's result is the function's answer itself; lambda:invoke's is kept by OutputPath $.Payload.
    expect(JSON.parse(execution.output ?? '')).toEqual([{ echoed: [1, 2, 3] }, [2, 4, 6]]);
    expect(fakes.calls('echo')[0]?.payload).toEqual({ items: [1, 2, 3] });
    const history = await historyOf(sfn, execution.executionArn);
    const types = history.map((event) => event.type);
    expect(types).toEqual(expect.arrayContaining(['WaitStateEntered', 'ParallelStateStarted', 'MapIterationStarted']));
    expect(types).toEqual(expect.arrayContaining(['LambdaFunctionScheduled', 'LambdaFunctionSucceeded']));
    // Every task attempt is recorded, nested ones included (three Map iterations running the same state at once).
    expect(history.filter((event) => event.type === 'TaskSucceeded')).toHaveLength(3);
  });

  it('scales Wait states and retry intervals by timeScale, keeping the backoff', async () => {
    const slow = await startStepFunctionsService({
      stateMachines: [
        { name: 'orders', arn: ORDERS, definition: orderWorkflow() },
        { name: 'fan-out', arn: FAN_OUT, definition: JSON.stringify(fanOut) },
      ],
      invokeLambda: fakes.invokeLambda,
      sendMessage: fakes.sendMessage,
      region: REGION,
      auth: authFor(REGION),
      accountId: ACCOUNT,
      timeScale: 0.02,
    });
    const client = sfnClient(slow.url);
    try {
      let failures = 2;
      fakes.functions.charge = (payload) =>
        failures-- > 0
          ? {
              ...timedOut(),
              status: 'error',
              error: { errorType: 'PaymentUnavailableError', errorMessage: '', trace: [] },
            }
          : ok(payload.order);
      // ChargePayment retries after 1 s then 2 s (BackoffRate 2): 60 ms in all at a fiftieth of real time.
      let started = Date.now();
      expect((await runToEnd(client, ORDERS, 'slow-retry', { orderId: 'slow-retry' })).status).toBe('SUCCEEDED');
      expect(Date.now() - started).toBeGreaterThanOrEqual(58);
      // A 30 s Wait lasts 600 ms.
      started = Date.now();
      expect((await runToEnd(client, FAN_OUT, 'slow-wait', { items: [] })).status).toBe('SUCCEEDED');
      expect(Date.now() - started).toBeGreaterThanOrEqual(590);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      client.destroy();
      await slow.close();
    }
  });
});

describe('SQS tasks', () => {
  it('fails with SQS.<Code>Exception once the Retry on States.TaskFailed is spent', async () => {
    fakes.sendFailure = Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist' });
    const execution = await runToEnd(sfn, ORDERS, 'no-queue-1', { orderId: 'no-queue-1' });

    expect(execution).toMatchObject({ status: 'FAILED', error: 'SQS.QueueDoesNotExistException' });
    expect(execution.cause).toMatch(
      /^The specified queue does not exist\. \(Service: AmazonSQS; Status Code: 400; Error Code: QueueDoesNotExist;/,
    );
    expect(fakes.sent).toHaveLength(4); // PublishOrderEvent: the first attempt and 3 retries, then no Catch
    expect(fakes.calls('notify')).toHaveLength(0);
  });

  it('sends a string MessageBody as it is, and other SendMessage parameters along', async () => {
    const definition = JSON.stringify({
      StartAt: 'Send',
      States: {
        Send: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage',
          Parameters: { QueueUrl: 'q', 'MessageBody.$': '$.text', DelaySeconds: 5, Ignored: true },
          End: true,
        },
      },
    });
    const own = await startStepFunctionsService({
      stateMachines: [{ name: 'send', arn: machineArn('send'), definition }],
      invokeLambda: fakes.invokeLambda,
      sendMessage: fakes.sendMessage,
      region: REGION,
      auth: authFor(REGION),
      accountId: ACCOUNT,
    });
    const client = sfnClient(own.url);
    try {
      const execution = await runToEnd(client, machineArn('send'), 'send-1', { text: 'plain text' });
      expect(fakes.sent).toEqual([{ QueueUrl: 'q', MessageBody: 'plain text', DelaySeconds: 5 }]);
      expect(JSON.parse(execution.output ?? '')).toMatchObject({
        MessageId: 'm-1',
        MD5OfMessageBody: 'd41d8cd98f00b204e9800998ecf8427e',
        SdkResponseMetadata: { RequestId: expect.any(String) },
      });
    } finally {
      client.destroy();
      await own.close();
    }
  });
});

describe('resources the local runtime cannot run', () => {
  it('names them at start, and fails with States.Runtime, which Catch on States.ALL does not take', async () => {
    expect(logged).toContain(
      '[stepfunctions] unsupported: task Put (arn:aws:states:::dynamodb:putItem) cannot run locally; it fails with States.Runtime',
    );
    const execution = await runToEnd(sfn, UNSUPPORTED, 'runtime-1', {});

    expect(execution).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: "The local runtime cannot run the Task resource 'arn:aws:states:::dynamodb:putItem'",
    });
  });
});

describe('timeouts and Express machines', () => {
  it('times a Task out after its TimeoutSeconds (catchable States.Timeout), and the execution after its own', async () => {
    const definition = JSON.stringify({
      StartAt: 'Slow',
      TimeoutSeconds: 2,
      States: {
        Slow: {
          Type: 'Task',
          Resource: functionArn('hang'),
          TimeoutSeconds: 1,
          Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'Slower' }],
          End: true,
        },
        Slower: { Type: 'Task', Resource: functionArn('hang'), End: true },
      },
    });
    const hold = gate();
    const own = await startStepFunctionsService({
      stateMachines: [
        { name: 'slow', arn: machineArn('slow'), definition },
        { name: 'quick', arn: machineArn('quick'), definition: JSON.stringify(unsupported), type: 'EXPRESS' },
      ],
      invokeLambda: fakes.invokeLambda,
      sendMessage: fakes.sendMessage,
      region: REGION,
      auth: authFor(REGION),
      accountId: ACCOUNT,
    });
    fakes.functions.hang = async () => {
      await hold.opened;
      return ok({});
    };
    const client = sfnClient(own.url);
    try {
      const execution = await runToEnd(client, machineArn('slow'), 'slow-1', {});
      expect(execution.status).toBe('TIMED_OUT');
      expect(fakes.calls('hang')).toHaveLength(2); // the timed-out task was caught, the next one outlived the execution
      const types = (await historyOf(client, execution.executionArn)).map((event) => event.type);
      expect(types).toContain('LambdaFunctionTimedOut');
      expect(types.at(-1)).toBe('ExecutionTimedOut');

      // Express executions: ARNs of their own, not kept for DescribeExecution or ListExecutions.
      const { executionArn } = await client.send(
        new StartExecutionCommand({ stateMachineArn: machineArn('quick'), name: 'q-1', input: '{}' }),
      );
      expect(executionArn).toMatch(/:express:quick:q-1:[0-9a-f-]{36}$/);
      await expect(client.send(new DescribeExecutionCommand({ executionArn }))).rejects.toMatchObject({
        name: 'InvalidArn',
      });
      await expect(
        client.send(new ListExecutionsCommand({ stateMachineArn: machineArn('quick') })),
      ).rejects.toMatchObject({ name: 'StateMachineTypeNotSupported' });
    } finally {
      hold.release();
      client.destroy();
      await own.close();
    }
  });
});

describe('closing the service', () => {
  it('aborts the executions still running', async () => {
    const own = await startStepFunctionsService({
      stateMachines: [{ name: 'orders', arn: ORDERS, definition: orderWorkflow() }],
      invokeLambda: fakes.invokeLambda,
      sendMessage: fakes.sendMessage,
      region: REGION,
      auth: authFor(REGION),
      accountId: ACCOUNT,
    });
    const hold = gate();
    fakes.functions.validate = async (order) => {
      await hold.opened;
      return ok(order);
    };
    const client = sfnClient(own.url);
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn: ORDERS, name: 'closing-1', input: '{}' }),
    );
    expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    client.destroy();

    await own.close();
    hold.release();
    expect(own.executions()).toEqual([expect.objectContaining({ name: 'closing-1', status: 'ABORTED' })]);
    expect(own.executions()[0]?.stopDate).toEqual(expect.any(Number));
  });
});
