import { executionFailure } from './errors.ts';
import type { LibraryEvent } from './event-tap.ts';
import { data, type ExecutionHistory } from './history.ts';
import type { TaskEnd } from './task-handlers.ts';

/** How a Task's Resource appears in its history events: `lambda`/`invoke` for `arn:aws:states:::lambda:invoke`. */
const resourceOf = (resource: string) => {
  const integration = /^arn:[^:]+:states:::(.+):([^:]+)$/.exec(resource);
  return integration
    ? { resourceType: integration[1] ?? '', resource: integration[2] ?? '' }
    : { resourceType: 'lambda', resource };
};

const isFunctionArn = (resource: string) => /^arn:[^:]+:lambda:/.test(resource);

/**
 * Turns a run into Step Functions' execution history (API reference, "GetExecutionHistory", "HistoryEvent"):
 * `<Type>StateEntered`/`Exited` around each state, `TaskScheduled`, `TaskStarted` then `TaskSucceeded` or
 * `TaskFailed` for each task attempt (a retry schedules the task again), `LambdaFunction*` events for a Task whose
 * Resource is a function ARN, and the execution's own start and end. The machine's own states are recorded in order;
 * the states inside Parallel branches and Map iterations only as aws-local-stepfunctions forwards them, asynchronously:
 * after their tasks' own events, and not at all once the branch that carries them has ended (a Map's last
 * iterations, say). Their task events are complete.
 */
export class HistoryRecorder {
  private readonly history: ExecutionHistory;
  private readonly context: { region: string; roleArn: string; stopped: () => { error?: string; cause?: string } };
  /**
   * The attempts in flight for each Task state, oldest first (a Map iteration runs the same state several times at
   * once); an attempt that timed out no longer reports its end.
   */
  private readonly openAttempts = new Map<string, number[]>();
  private readonly resources = new Map<string, string>();
  private readonly inFlight = new Map<string, string>();
  private attempts = 0;

  constructor(history: ExecutionHistory, context: HistoryRecorder['context']) {
    this.history = history;
    this.context = context;
  }

  /** A task attempt starts (the TaskObserver of the run's handlers). */
  task(state: string, resource: string, parameters: unknown): (end: TaskEnd) => void {
    const attempt = ++this.attempts;
    this.openAttempts.set(state, [...(this.openAttempts.get(state) ?? []), attempt]);
    this.resources.set(state, resource);
    const lambda = isFunctionArn(resource);
    const where = resourceOf(resource);
    if (lambda) {
      this.history.add('LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails', {
        resource,
        ...data('input', parameters),
      });
      this.history.add('LambdaFunctionStarted');
    } else {
      this.history.add('TaskScheduled', 'taskScheduledEventDetails', {
        ...where,
        region: this.context.region,
        parameters: JSON.stringify(parameters ?? null),
      });
      this.history.add('TaskStarted', 'taskStartedEventDetails', where);
    }
    return (end) => {
      const open = this.openAttempts.get(state) ?? [];
      if (!open.includes(attempt)) return;
      this.openAttempts.set(
        state,
        open.filter((id) => id !== attempt),
      );
      this.taskEnded(resource, end);
    };
  }

  private taskEnded(resource: string, end: TaskEnd): void {
    const lambda = isFunctionArn(resource);
    if ('output' in end) {
      const output = data('output', end.output);
      if (lambda) this.history.add('LambdaFunctionSucceeded', 'lambdaFunctionSucceededEventDetails', output);
      else this.history.add('TaskSucceeded', 'taskSucceededEventDetails', { ...resourceOf(resource), ...output });
      return;
    }
    const failure = { error: end.error, cause: end.cause };
    if (lambda) this.history.add('LambdaFunctionFailed', 'lambdaFunctionFailedEventDetails', failure);
    else this.history.add('TaskFailed', 'taskFailedEventDetails', { ...resourceOf(resource), ...failure });
  }

  /** An event of the library's execution log. */
  event(event: LibraryEvent): void {
    const history = this.history;
    switch (event.type) {
      case 'ExecutionStarted':
        history.add('ExecutionStarted', 'executionStartedEventDetails', {
          ...data('input', event.input),
          roleArn: this.context.roleArn,
        });
        return;
      case 'StateEntered': {
        const { name, type, input } = event.state;
        this.inFlight.set(name, type);
        history.add(`${type}StateEntered`, 'stateEnteredEventDetails', { name, ...data('input', input) });
        if (type === 'Parallel' || type === 'Map') history.add(`${type}StateStarted`);
        return;
      }
      case 'StateExited': {
        const { name, type, output } = event.state;
        this.inFlight.delete(name);
        if (type === 'Parallel' || type === 'Map') history.add(`${type}StateSucceeded`);
        history.add(`${type}StateExited`, 'stateExitedEventDetails', { name, ...data('output', output) });
        return;
      }
      case 'StateFailed':
        this.stateFailed(event.state.name, event.state.type, event.Error, String(event.Cause ?? ''));
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        history.add(event.type, `${event.type[0]?.toLowerCase()}${event.type.slice(1)}EventDetails`, {
          name: event.parentState.name,
          index: event.index,
        });
        return;
      case 'ExecutionSucceeded':
        history.add('ExecutionSucceeded', 'executionSucceededEventDetails', data('output', event.output));
        break;
      case 'ExecutionFailed':
        history.add(
          'ExecutionFailed',
          'executionFailedEventDetails',
          executionFailure(event.Error, String(event.Cause ?? '')),
        );
        break;
      case 'ExecutionAborted':
        // The state in flight is aborted with the execution (`TaskStateAborted`, `WaitStateAborted`, ...).
        for (const [name, type] of this.inFlight) {
          if (type !== 'Choice' && type !== 'Pass')
            history.add(`${type}StateAborted`, 'stateExitedEventDetails', { name });
        }
        history.add('ExecutionAborted', 'executionAbortedEventDetails', this.context.stopped());
        break;
      case 'ExecutionTimeout':
        history.add('ExecutionTimedOut', 'executionTimedOutEventDetails', {
          error: 'States.Timeout',
          cause: 'The execution timed out.',
        });
        break;
      default:
        // Retries and catches have no event of their own in Step Functions' history; nor have Parallel branches.
        return;
    }
    history.close();
  }

  private stateFailed(name: string, type: string, error: string, cause: string): void {
    const open = this.openAttempts.get(name) ?? [];
    if (type === 'Task' && error === 'States.Timeout' && open.length > 0) {
      // The library's TimeoutSeconds race: the handler is still running, and its end will not be recorded.
      this.openAttempts.set(name, open.slice(1));
      const resource = this.resources.get(name) ?? '';
      const kind = isFunctionArn(resource) ? 'LambdaFunctionTimedOut' : 'TaskTimedOut';
      const details = isFunctionArn(resource) ? { error, cause } : { ...resourceOf(resource), error, cause };
      this.history.add(kind, `${kind[0]?.toLowerCase()}${kind.slice(1)}EventDetails`, details);
    }
    if (type === 'Parallel' || type === 'Map') this.history.add(`${type}StateFailed`);
  }
}
