import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { Execution } from './executions.ts';
import { type StateContext, trackStateContext } from './state-context.ts';
import { type TaskServices, taskHandlers } from './task-handlers.ts';

export interface StateMachineSeed {
  name: string;
  arn: string;
  /** The ASL document, DefinitionSubstitutions already applied. */
  definition: string;
  type?: 'STANDARD' | 'EXPRESS';
  roleArn?: string;
}

interface RetryDefinition {
  IntervalSeconds?: number;
}

interface AnyState {
  Type?: string;
  Seconds?: number;
  Retry?: RetryDefinition[];
}

/**
 * One state machine of the template, run by aws-local-stepfunctions with local task handlers. `timeScale` shortens
 * Wait states and retry intervals (1 = as written, with backoff and jitter; otherwise each retrier waits its
 * IntervalSeconds scaled, without backoff, as the library's overrides allow).
 */
export class LocalStateMachine {
  readonly seed: StateMachineSeed;
  readonly createdAt = Date.now();
  readonly unsupportedTasks: string[] = [];
  private readonly definition: StateMachineDefinition;
  private readonly handlers: ReturnType<typeof taskHandlers>;
  private readonly timeScale: number;

  constructor(seed: StateMachineSeed, services: TaskServices, timeScale: number) {
    this.seed = seed;
    this.timeScale = timeScale;
    let parsed: StateMachineDefinition;
    try {
      parsed = JSON.parse(seed.definition) as StateMachineDefinition;
      new StateMachine(parsed); // validates the ASL now, so a bad definition fails at start with its name
    } catch (error) {
      throw new Error(`State machine ${seed.name}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    this.definition = parsed;
    this.handlers = taskHandlers(parsed.States as never, services, this.unsupportedTasks);
  }

  get type(): 'STANDARD' | 'EXPRESS' {
    return this.seed.type ?? 'STANDARD';
  }

  private overrides() {
    if (this.timeScale === 1) return { taskResourceLocalHandlers: this.handlers };
    const waits: Record<string, number> = {};
    const retries: Record<string, number[]> = {};
    for (const [name, state] of Object.entries(this.definition.States as Record<string, AnyState>)) {
      if (state.Type === 'Wait' && typeof state.Seconds === 'number')
        waits[name] = state.Seconds * 1000 * this.timeScale;
      if (state.Retry)
        retries[name] = state.Retry.map((retrier) => (retrier.IntervalSeconds ?? 1) * 1000 * this.timeScale);
    }
    return { taskResourceLocalHandlers: this.handlers, waitTimeOverrides: waits, retryIntervalOverrides: retries };
  }

  /** Runs an execution to its end, updating the record as it goes; never rejects. */
  run(execution: Execution, onEnd: (execution: Execution) => void): void {
    const machine = new StateMachine(this.definition, { validationOptions: { checkArn: false } });
    const state: StateContext = { Name: '', EnteredTime: '', RetryCount: 0 };
    trackStateContext(machine, state);
    const run = machine.run(JSON.parse(execution.input), {
      overrides: this.overrides(),
      context: {
        Execution: {
          Id: execution.executionArn,
          Name: execution.name,
          RoleArn: this.seed.roleArn ?? '',
          StartTime: new Date(execution.startDate).toISOString(),
          RedriveCount: 0,
        },
        StateMachine: { Id: this.seed.arn, Name: this.seed.name },
        State: state,
      } as never,
    });
    execution.abort = run.abort;
    run.result
      .then(
        (output) => {
          Object.assign(execution, { status: 'SUCCEEDED', output: JSON.stringify(output ?? null) });
        },
        (error: unknown) => {
          if (execution.status === 'ABORTED') return;
          if (error instanceof ExecutionAbortedError) execution.status = 'ABORTED';
          else if (error instanceof ExecutionTimeoutError) {
            Object.assign(execution, {
              status: 'TIMED_OUT',
              error: 'States.Timeout',
              cause: 'The execution timed out.',
            });
          } else {
            const failure =
              error instanceof ExecutionError && error.cause instanceof Error ? error.cause : (error as Error);
            Object.assign(execution, { status: 'FAILED', error: failure.name, cause: failure.message });
          }
        },
      )
      .finally(() => {
        execution.stopDate ??= Date.now();
        delete execution.abort;
        onEnd(execution);
      });
  }
}
