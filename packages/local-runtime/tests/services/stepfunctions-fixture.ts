import { readFileSync } from 'node:fs';
import {
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { InvokeOutcome } from '../../src/lambda/function-pool.ts';
import type { SendMessage } from '../../src/services/stepfunctions/server.ts';
import { testKey } from './local-auth.ts';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const QUEUE_URL = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/order-events`;
export const functionArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
export const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;

/** The real workflow, with the DefinitionSubstitutions SAM would make. */
export const orderWorkflow = (): string =>
  readFileSync('statemachine/order-workflow.asl.json', 'utf8')
    .replaceAll('${OrderValidateFunctionArn}', functionArn('validate'))
    .replaceAll('${OrderReserveFunctionArn}', functionArn('reserve'))
    .replaceAll('${OrderChargeFunctionArn}', functionArn('charge'))
    .replaceAll('${OrderNotifyFunctionArn}', functionArn('notify'))
    .replaceAll('${OrderEventsQueueUrl}', QUEUE_URL);

/** The function a target names: `validate` for its ARN (qualified or not) or its name. */
export const functionName = (target: string): string => target.split(':function:')[1]?.split(':')[0] ?? target;

export type FakeFunction = (payload: Record<string, unknown>) => Promise<InvokeOutcome> | InvokeOutcome;

/** Stand-ins for the local Lambda runtime and queue, recording what the workflow asked of them. */
export class FakeServices {
  readonly invoked: { target: string; payload: Record<string, unknown> }[] = [];
  readonly sent: Parameters<SendMessage>[0][] = [];
  functions: Record<string, FakeFunction> = {};
  /** Throws instead of sending while set. */
  sendFailure: Error | undefined;

  readonly invokeLambda = async (target: string, payload: unknown): Promise<InvokeOutcome> => {
    const body = payload as Record<string, unknown>;
    this.invoked.push({ target, payload: body });
    const run = this.functions[functionName(target)];
    if (!run) throw Object.assign(new Error(`Function not found: ${target}`), { name: 'ResourceNotFoundException' });
    return run(body);
  };

  readonly sendMessage: SendMessage = async (input) => {
    this.sent.push(input);
    if (this.sendFailure) throw this.sendFailure;
    return { MessageId: `m-${this.sent.length}`, MD5OfMessageBody: 'd41d8cd98f00b204e9800998ecf8427e' };
  };

  calls(name: string) {
    return this.invoked.filter((call) => functionName(call.target) === name);
  }

  reset(): void {
    this.invoked.length = 0;
    this.sent.length = 0;
    this.sendFailure = undefined;
  }
}

export { errorOutcome as failed, okOutcome as ok } from '../invoke-outcomes.ts';

export const timedOut = (): InvokeOutcome => ({
  status: 'timeout',
  requestId: 'req-timeout',
  durationMs: 3000,
  coldStart: false,
});

export const sfnClient = (endpoint: string) => new SFNClient({ region: REGION, endpoint, credentials: testKey });

/** Polls DescribeExecution until the execution has ended. */
export const finished = async (sfn: SFNClient, executionArn: string | undefined): Promise<DescribeExecutionOutput> => {
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') return execution;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

export const runToEnd = async (sfn: SFNClient, stateMachineArn: string, name: string, input: unknown) => {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
  );
  return finished(sfn, executionArn);
};

export const historyOf = async (sfn: SFNClient, executionArn: string | undefined): Promise<HistoryEvent[]> =>
  (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];

/** A promise the test settles when it pleases: a function call that hangs until released. */
export const gate = () => {
  let release: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { opened, release };
};
