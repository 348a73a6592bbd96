import { SfnError, validationError } from './errors.ts';
import { closeExecution, describeExecution, EXECUTION_STATUSES, listedExecution } from './executions.ts';
import { historyEventOutput } from './history.ts';
import type { Registry } from './registry.ts';
import { checkLength, optionalString, page, type Request, requiredString } from './requests.ts';
import { beginExecution, startExecution } from './start-execution.ts';
import type { LocalStateMachine } from './state-machine.ts';

export type Operation = (registry: Registry, request: Request, log: (line: string) => void) => unknown;

const listedMachine = (machine: LocalStateMachine) => ({
  stateMachineArn: machine.seed.arn,
  name: machine.seed.name,
  type: machine.type,
  creationDate: machine.createdAt / 1000,
});

/** The operations of the local endpoint (API reference, "Actions"); the rest answer UnknownOperationException. */
export const operations: Record<string, Operation> = {
  StartExecution: (registry, request, log) => startExecution(registry, log, request),

  /**
   * StartSyncExecution (API reference, "StartSyncExecution"): EXPRESS machines only (a STANDARD one answers
   * StateMachineTypeNotSupported); the call answers when the execution has ended, with its status, output or error
   * and cause, and billing details. DescribeExecution refuses its (express) ARN, as in Step Functions; the runtime's
   * executions page still lists it.
   */
  StartSyncExecution: async (registry, request, log) => {
    const machine = registry.machine(requiredString(request, 'stateMachineArn'));
    if (machine.type !== 'EXPRESS') {
      throw new SfnError(
        'StateMachineTypeNotSupported',
        'This operation is not supported by this type of state machine',
      );
    }
    const { execution, run } = beginExecution(registry, log, request);
    await run;
    const stopDate = execution.stopDate ?? Date.now();
    const billed = Math.max(100, Math.ceil((stopDate - execution.startDate) / 100) * 100);
    return {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      startDate: execution.startDate / 1000,
      stopDate: stopDate / 1000,
      status: execution.status,
      ...(execution.error === undefined ? {} : { error: execution.error }),
      ...(execution.cause === undefined ? {} : { cause: execution.cause }),
      input: execution.input,
      inputDetails: { included: true },
      ...(execution.output === undefined ? {} : { output: execution.output, outputDetails: { included: true } }),
      billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: billed },
    };
  },

  DescribeExecution: (registry, request) =>
    describeExecution(registry.standardExecution(requiredString(request, 'executionArn'))),

  ListExecutions: (registry, request) => {
    const arn = requiredString(request, 'stateMachineArn');
    const status = optionalString(request, 'statusFilter');
    // PENDING_REDRIVE is a valid filter; no local execution is ever in that state.
    const statuses = [...EXECUTION_STATUSES, 'PENDING_REDRIVE'];
    if (status !== undefined && !statuses.includes(status)) {
      throw validationError(
        `Value '${status}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${statuses.join(', ')}]`,
      );
    }
    const machine = registry.machine(arn);
    if (machine.type === 'EXPRESS') {
      throw new SfnError(
        'StateMachineTypeNotSupported',
        'This operation is not supported by this type of state machine',
      );
    }
    // Newest first, as Step Functions lists them (started in the same millisecond: the later start first).
    const all = [...registry.executions.values()]
      .filter((execution) => execution.stateMachineArn === machine.seed.arn && (!status || execution.status === status))
      .reverse()
      .sort((a, b) => b.startDate - a.startDate);
    const { items, nextToken } = page(all, request);
    return { executions: items.map(listedExecution), ...(nextToken ? { nextToken } : {}) };
  },

  /**
   * StopExecution: a running execution ends ABORTED with the given error and cause; one that has ended is left as it
   * is and the call still succeeds.
   */
  StopExecution: (registry, request) => {
    const execution = registry.standardExecution(requiredString(request, 'executionArn'));
    const error = optionalString(request, 'error');
    const cause = optionalString(request, 'cause');
    if (error !== undefined && error.length > 256) checkLength('error', error, 256, { sensitive: true });
    if (cause !== undefined && cause.length > 32_768) checkLength('cause', cause, 32_768, { sensitive: true });
    const stopped = closeExecution(execution, {
      status: 'ABORTED',
      ...(error === undefined ? {} : { error }),
      ...(cause === undefined ? {} : { cause }),
    });
    if (stopped) execution.abort?.();
    return { stopDate: (stopped ? (execution.stopDate ?? Date.now()) : Date.now()) / 1000 };
  },

  GetExecutionHistory: (registry, request) => {
    const execution = registry.standardExecution(requiredString(request, 'executionArn'));
    const includeData = request.includeExecutionData !== false;
    const events = request.reverseOrder === true ? [...execution.history.events].reverse() : execution.history.events;
    const { items, nextToken } = page(events, request);
    return {
      events: items.map((event) => historyEventOutput(event, includeData)),
      ...(nextToken ? { nextToken } : {}),
    };
  },

  DescribeStateMachine: (registry, request) => {
    const machine = registry.machine(requiredString(request, 'stateMachineArn'));
    return {
      ...listedMachine(machine),
      status: 'ACTIVE',
      definition: machine.seed.definition,
      roleArn: machine.seed.roleArn ?? '',
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  },

  /**
   * DeleteStateMachine (API reference, "DeleteStateMachine"): answers `{}` (recording test_apigateway_stepfunctions.py::
   * test_apigateway_with_step_function_integration[DeleteStateMachine]); a machine that does not exist is no error
   * (the action lists none but InvalidArn and ValidationException). Executions already running finish; the machine is
   * back at the next start of the runtime, as the template declares it.
   */
  DeleteStateMachine: (registry, request) => {
    registry.deleteMachine(requiredString(request, 'stateMachineArn'));
    return {};
  },

  ListStateMachines: (registry, request) => {
    const all = [...registry.machines.values()].sort((a, b) => a.seed.name.localeCompare(b.seed.name));
    const { items, nextToken } = page(all, request);
    return { stateMachines: items.map(listedMachine), ...(nextToken ? { nextToken } : {}) };
  },
};
