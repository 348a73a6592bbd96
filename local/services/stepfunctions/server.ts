import { randomUUID } from 'node:crypto';
import { awsJsonHandler } from '../shared/aws-json.ts';
import { type LocalService, listenService } from '../shared/local-service.ts';
import { missing, SfnError } from './errors.ts';
import { describeExecution, type Execution, listedExecution } from './executions.ts';
import { LocalStateMachine, type StateMachineSeed } from './state-machine.ts';
import type { TaskServices } from './task-handlers.ts';

export type { StateMachineSeed } from './state-machine.ts';

export interface StepFunctionsService extends LocalService {
  executions(): Execution[];
  machines(): LocalStateMachine[];
}

type Request = Record<string, unknown>;

// Execution names (API reference, StartExecution: name): 1-80 characters, none of whitespace, brackets, wildcards,
// special characters or control characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what the rule forbids.
const INVALID_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;
const MAX_INPUT_BYTES = 262_144;

class Registry {
  readonly machines = new Map<string, LocalStateMachine>();
  readonly executions = new Map<string, Execution>();
}

const field = (request: Request, name: string): string => {
  const value = request[name];
  if (value === undefined || value === null) throw missing(name);
  if (typeof value !== 'string') throw new SfnError('SerializationException', `${name} must be a string`);
  return value;
};

const machineOf = (registry: Registry, arn: string): LocalStateMachine => {
  if (!/^arn:[^:]+:states:[^:]+:\d{12}:stateMachine:[^:]+$/.test(arn))
    throw new SfnError('InvalidArn', `Invalid Arn: '${arn}'`);
  const machine = registry.machines.get(arn);
  if (!machine) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
  return machine;
};

const executionOf = (registry: Registry, arn: string): Execution => {
  if (!/^arn:[^:]+:states:[^:]+:\d{12}:(execution|express):[^:]+:[^:]+$/.test(arn)) {
    throw new SfnError('InvalidArn', `Invalid Arn: '${arn}'`);
  }
  const execution = registry.executions.get(arn);
  if (!execution) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
  return execution;
};

const logEnd = (log: (line: string) => void) => (execution: Execution) => {
  const seconds = (((execution.stopDate ?? Date.now()) - execution.startDate) / 1000).toFixed(1);
  const why = execution.error ? ` ${execution.error}: ${(execution.cause ?? '').slice(0, 200)}` : '';
  log(
    `[stepfunctions] ${execution.executionArn.split(':').slice(-2).join('/')} ${execution.status} (${seconds} s)${why}`,
  );
};

const start = (registry: Registry, log: (line: string) => void, request: Request) => {
  const machine = machineOf(registry, field(request, 'stateMachineArn'));
  const name = request.name === undefined ? randomUUID() : field(request, 'name');
  if (name.length < 1 || name.length > 80 || INVALID_NAME.test(name))
    throw new SfnError('InvalidName', `Invalid Name: '${name}'`);
  const input = request.input === undefined ? '{}' : field(request, 'input');
  if (Buffer.byteLength(input) > MAX_INPUT_BYTES) {
    throw new SfnError(
      'ValidationException',
      `1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to ${MAX_INPUT_BYTES}`,
    );
  }
  try {
    JSON.parse(input);
  } catch (error) {
    throw new SfnError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(error as Error).message}'`);
  }
  const kind = machine.type === 'EXPRESS' ? 'express' : 'execution';
  const executionArn = `${machine.seed.arn.replace(':stateMachine:', `:${kind}:`)}:${name}`;
  const existing = registry.executions.get(executionArn);
  if (existing) {
    // A STANDARD StartExecution is idempotent while the execution runs with the same input; otherwise the name is
    // taken (API reference, StartExecution: "Idempotency").
    if (existing.status === 'RUNNING' && existing.input === input && machine.type === 'STANDARD') {
      return { executionArn, startDate: existing.startDate / 1000 };
    }
    throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
  }
  const execution: Execution = {
    executionArn,
    stateMachineArn: machine.seed.arn,
    name,
    status: 'RUNNING',
    startDate: Date.now(),
    input,
  };
  registry.executions.set(executionArn, execution);
  log(`[stepfunctions] ${machine.seed.name}/${name} RUNNING`);
  machine.run(execution, logEnd(log));
  return { executionArn, startDate: execution.startDate / 1000 };
};

const operations: Record<string, (registry: Registry, request: Request, log: (line: string) => void) => unknown> = {
  StartExecution: (registry, request, log) => start(registry, log, request),
  DescribeExecution: (registry, request) => describeExecution(executionOf(registry, field(request, 'executionArn'))),
  ListExecutions: (registry, request) => {
    const machine = machineOf(registry, field(request, 'stateMachineArn'));
    const status = request.statusFilter;
    const max = Math.min(Number(request.maxResults ?? 100) || 100, 1000);
    const from =
      typeof request.nextToken === 'string' ? Number(Buffer.from(request.nextToken, 'base64').toString()) : 0;
    const all = [...registry.executions.values()]
      .filter((execution) => execution.stateMachineArn === machine.seed.arn && (!status || execution.status === status))
      .sort((a, b) => b.startDate - a.startDate);
    const page = all.slice(from, from + max);
    const next = from + max < all.length ? Buffer.from(String(from + max)).toString('base64') : undefined;
    return { executions: page.map(listedExecution), ...(next ? { nextToken: next } : {}) };
  },
  StopExecution: (registry, request) => {
    const execution = executionOf(registry, field(request, 'executionArn'));
    if (execution.status === 'RUNNING') {
      Object.assign(execution, {
        status: 'ABORTED',
        stopDate: Date.now(),
        ...(typeof request.error === 'string' ? { error: request.error } : {}),
        ...(typeof request.cause === 'string' ? { cause: request.cause } : {}),
      });
      execution.abort?.();
    }
    return { stopDate: (execution.stopDate ?? Date.now()) / 1000 };
  },
  DescribeStateMachine: (registry, request) => {
    const machine = machineOf(registry, field(request, 'stateMachineArn'));
    return {
      stateMachineArn: machine.seed.arn,
      name: machine.seed.name,
      status: 'ACTIVE',
      definition: machine.seed.definition,
      roleArn: machine.seed.roleArn ?? '',
      type: machine.type,
      creationDate: machine.createdAt / 1000,
    };
  },
  ListStateMachines: (registry) => ({
    stateMachines: [...registry.machines.values()].map((machine) => ({
      stateMachineArn: machine.seed.arn,
      name: machine.seed.name,
      type: machine.type,
      creationDate: machine.createdAt / 1000,
    })),
  }),
};

/**
 * The local Step Functions endpoint: AWS JSON 1.0 (`X-Amz-Target: AWSStepFunctions.<Operation>`), the template's state
 * machines run by aws-local-stepfunctions with Lambda tasks on the local functions and SQS tasks on the local queues.
 */
export const startStepFunctionsService = async (
  options: TaskServices & {
    stateMachines: StateMachineSeed[];
    region: string;
    accountId: string;
    host?: string;
    port?: number;
    log?: (line: string) => void;
    timeScale?: number;
  },
): Promise<StepFunctionsService> => {
  const log = options.log ?? (() => {});
  const registry = new Registry();
  for (const seed of options.stateMachines) {
    const machine = new LocalStateMachine(seed, options, options.timeScale ?? 1);
    registry.machines.set(seed.arn, machine);
    for (const task of machine.unsupportedTasks)
      log(`[stepfunctions] ${seed.name}: task ${task} cannot run locally (it fails with States.Runtime)`);
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
    }),
    { ...(options.host ? { host: options.host } : {}), ...(options.port === undefined ? {} : { port: options.port }) },
  );
  return {
    ...service,
    executions: () => [...registry.executions.values()],
    machines: () => [...registry.machines.values()],
    close: async () => {
      for (const execution of registry.executions.values()) {
        if (execution.status === 'RUNNING') {
          execution.status = 'ABORTED';
          execution.abort?.();
        }
      }
      await service.close();
    },
  };
};
