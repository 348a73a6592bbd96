import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { TraceStore } from '../../traces/trace-store.ts';
import { workflowTrace } from '../../traces/workflow-trace.ts';
import type { AslStates } from './definition.ts';
import { runnableDefinition } from './definition.ts';
import { executionFailure } from './errors.ts';
import { tapRun } from './event-tap.ts';
import { logEnded, stateLogger } from './execution-log.ts';
import { closeExecution, type Execution } from './executions.ts';
import { HistoryRecorder } from './history-recorder.ts';
import { enterState, retryState, stateContext } from './state-context.ts';
import { taskHandlers, unsupportedTasks } from './task-handlers.ts';
import type { TaskServices } from './task-services.ts';
import { rememberValid, validatedBefore } from './validated-definitions.ts';

const VALIDATION = { checkArn: true, checkPaths: true } as const;
const VALIDATION_KEY = JSON.stringify(VALIDATION);

export interface StateMachineSeed {
  name: string;
  arn: string;
  /** The ASL document, DefinitionSubstitutions already applied. */
  definition: string;
  type?: 'STANDARD' | 'EXPRESS';
  roleArn?: string;
}

/** One state machine of the template, run by aws-local-stepfunctions with local task handlers. */
export class LocalStateMachine {
  readonly seed: StateMachineSeed;
  readonly createdAt = Date.now();
  /** Task states the local runtime cannot run (`Name (Resource)`): they fail with `States.Runtime`. */
  readonly unsupportedTasks: string[];
  private readonly runnable: StateMachineDefinition;
  private readonly services: TaskServices;
  private readonly region: string;
  private readonly traces: TraceStore | undefined;

  /** Throws, naming the machine, when the definition is not valid ASL. */
  constructor(
    seed: StateMachineSeed,
    options: { services: TaskServices; region: string; timeScale: number; traces?: TraceStore },
  ) {
    this.seed = seed;
    this.services = options.services;
    this.region = options.region;
    this.traces = options.traces;
    let definition: StateMachineDefinition;
    try {
      definition = JSON.parse(seed.definition) as StateMachineDefinition;
      // Validated once as written; runs use the rewritten copy (fractional seconds are not valid ASL) unvalidated.
      if (!validatedBefore(seed.definition, VALIDATION_KEY)) {
        new StateMachine(definition, { validationOptions: VALIDATION });
        rememberValid(seed.definition, VALIDATION_KEY);
      }
    } catch (error) {
      throw new Error(`State machine ${seed.name}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    this.runnable = runnableDefinition(definition, options.timeScale);
    this.unsupportedTasks = unsupportedTasks(definition as AslStates, options.services);
  }

  get type(): 'STANDARD' | 'EXPRESS' {
    return this.seed.type ?? 'STANDARD';
  }

  /** Runs an execution to its end, keeping its record and history current; resolves when it has ended. */
  run(execution: Execution, log: (line: string) => void): Promise<void> {
    const machine = new StateMachine(this.runnable, { validationOptions: { noValidate: true } });
    const state = stateContext();
    const recorder = new HistoryRecorder(execution.history, {
      region: this.region,
      roleArn: this.seed.roleArn ?? '',
      stopped: () => ({
        ...(execution.error === undefined ? {} : { error: execution.error }),
        ...(execution.cause === undefined ? {} : { cause: execution.cause }),
      }),
    });
    const logState = stateLogger(log, execution);
    const trace = workflowTrace(execution.traceHeader, this.traces, execution);
    let ended = false;
    tapRun(machine, {
      event: (event) => {
        // After the first end (an abort, say), the library may still report the state that was in flight.
        if (ended) return;
        ended = /^Execution(Succeeded|Failed|Aborted|Timeout)$/.test(event.type);
        recorder.event(event);
        logState(event);
        if (event.type === 'StateExited' || event.type === 'StateFailed') {
          trace?.exited(event.state.name, event.type === 'StateFailed');
        }
      },
      entered: (name) => {
        enterState(state, name);
        trace?.entered(name);
      },
      retried: () => retryState(state),
    });
    const run = machine.run(execution.inputValue as Parameters<StateMachine['run']>[0], {
      overrides: {
        taskResourceLocalHandlers: taskHandlers(
          this.runnable as AslStates,
          this.services,
          (name, resource, input) => recorder.task(name, resource, input),
          trace ? (name, run) => trace.inState(name, run) : undefined,
        ),
      },
      context: {
        Execution: {
          Id: execution.executionArn,
          Name: execution.name,
          RoleArn: this.seed.roleArn ?? '',
          RedriveCount: 0,
        },
        StateMachine: { Id: this.seed.arn, Name: this.seed.name },
        State: state,
      },
    });
    execution.abort = run.abort;
    return run.result
      .then(
        (output) => {
          closeExecution(execution, { status: 'SUCCEEDED', output: JSON.stringify(output ?? null) });
        },
        (error: unknown) => {
          if (error instanceof ExecutionAbortedError) {
            closeExecution(execution, { status: 'ABORTED' });
          } else if (error instanceof ExecutionTimeoutError) {
            // A state machine's TimeoutSeconds (developer guide, "Amazon States Language": TimeoutSeconds).
            closeExecution(execution, {
              status: 'TIMED_OUT',
              error: 'States.Timeout',
              cause: 'The execution timed out.',
            });
          } else {
            const failure = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
            const { name, message } = failure instanceof Error ? failure : { name: 'Error', message: String(failure) };
            closeExecution(execution, { status: 'FAILED', ...executionFailure(name, message) });
          }
        },
      )
      .finally(() => {
        trace?.end(execution.status);
        delete execution.abort;
        logEnded(log, execution);
      });
  }
}
