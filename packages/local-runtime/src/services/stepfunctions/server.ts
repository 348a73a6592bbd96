import type { TraceStore } from '../../traces/trace-store.ts';
import { awsJsonHandler } from '../shared/aws-json.ts';
import { type LocalService, listenService } from '../shared/local-service.ts';
import { requestVerifier, type ServiceAuth } from '../shared/request-auth.ts';
import { SfnError } from './errors.ts';
import { closeExecution, type Execution } from './executions.ts';
import { operations } from './operations.ts';
import { Registry } from './registry.ts';
import type { Request } from './requests.ts';
import { LocalStateMachine, type StateMachineSeed } from './state-machine.ts';
import type { TaskServices } from './task-services.ts';

export type { Execution } from './executions.ts';
export type { StateMachineSeed } from './state-machine.ts';
export type { CallDynamoDb, InvokeLambda, SendMessage } from './task-services.ts';

export interface StepFunctionsService extends LocalService {
  /** Every execution since start, for the runtime's status page. */
  executions(): Execution[];
  machines(): LocalStateMachine[];
  /** Resolves once no execution is running. */
  waitForIdle(): Promise<void>;
  /** Aborts what runs and forgets every execution (the state machines stay). */
  reset(): Promise<void>;
  /** Runs one operation in process, as the endpoint would (EventBridge and SNS targets start executions with it). */
  call(action: string, input: Request): Promise<unknown>;
}

export interface StepFunctionsOptions extends TaskServices {
  stateMachines: StateMachineSeed[];
  region: string;
  accountId: string;
  auth: ServiceAuth;
  host?: string;
  port?: number;
  log?: (line: string) => void;
  /** Multiplies Wait seconds and retry intervals (0.01: a hundred times faster); 1, real time, by default. */
  timeScale?: number;
  /** Where traced executions record their segments (an execution started with an X-Ray trace header). */
  traces?: TraceStore;
}

/**
 * The local Step Functions endpoint: AWS JSON 1.0 (`X-Amz-Target: AWSStepFunctions.<Operation>`), errors as HTTP 400
 * `{"__type": ..., "message": ...}`. The template's state machines run in aws-local-stepfunctions, their Lambda tasks
 * on the local functions and their SQS tasks on the local queues. Throws at start for a definition that is not valid
 * ASL, naming the machine.
 */
export const startStepFunctionsService = async (options: StepFunctionsOptions): Promise<StepFunctionsService> => {
  const log = options.log ?? (() => {});
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error(`timeScale must be a positive number, not ${timeScale}`);
  const services: TaskServices = {
    invokeLambda: options.invokeLambda,
    sendMessage: options.sendMessage,
    ...(options.callDynamoDb ? { callDynamoDb: options.callDynamoDb } : {}),
  };
  const registry = new Registry();
  for (const seed of options.stateMachines) {
    const machine = new LocalStateMachine(seed, {
      services,
      region: options.region,
      timeScale,
      ...(options.traces ? { traces: options.traces } : {}),
    });
    registry.machines.set(seed.arn, machine);
    for (const task of machine.unsupportedTasks) {
      log(`[stepfunctions] ${seed.name}: task ${task} cannot run locally; it fails with States.Runtime`);
    }
  }
  const service = await listenService(
    'stepfunctions',
    awsJsonHandler({
      targetPrefix: 'AWSStepFunctions',
      contentType: 'application/x-amz-json-1.0',
      operations: Object.fromEntries(
        Object.entries(operations).map(([name, run]) => [name, (input: Request) => run(registry, input, log)]),
      ),
      errorOf: (error) =>
        error instanceof SfnError ? { status: 400, type: error.code, message: error.message } : undefined,
      verify: requestVerifier(options.auth, 'states'),
    }),
    { ...(options.host ? { host: options.host } : {}), ...(options.port === undefined ? {} : { port: options.port }) },
  );
  const abortAll = () => {
    for (const execution of registry.executions.values()) {
      if (closeExecution(execution, { status: 'ABORTED' })) execution.abort?.();
    }
  };
  return {
    ...service,
    executions: () => [...registry.executions.values()],
    machines: () => [...registry.machines.values()],
    waitForIdle: () => registry.idle(),
    call: async (action, input) => {
      const operation = Object.hasOwn(operations, action) ? operations[action] : undefined;
      if (!operation)
        throw new SfnError('UnknownOperationException', `${action} is not an operation of the local endpoint`);
      return operation(registry, input, log);
    },
    reset: async () => {
      abortAll();
      await registry.idle();
      registry.executions.clear();
    },
    /** Aborts what still runs (as StopExecution would, without error or cause), then stops listening. */
    close: async () => {
      abortAll();
      await registry.idle();
      await service.close();
    },
  };
};
