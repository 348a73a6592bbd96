import type { StateMachine } from 'aws-local-stepfunctions';

/** An event of aws-local-stepfunctions' execution log (the library does not export the type). */
export type LibraryEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export interface RunTap {
  /** Every event of the run, those forwarded from Parallel branches and Map iterations included, as it happens. */
  event(event: LibraryEvent): void;
  /** A state of the machine itself (not of a branch) is entered: just before its Parameters are evaluated. */
  entered(name: string): void;
  /** ... or retried, `attempt` being the retrier's count (1 for the first retry). */
  retried(name: string, attempt: number): void;
}

interface EventLogger {
  dispatch(event: LibraryEvent): void;
  dispatchStateEnteredEvent(name: string, type: string, input: unknown): void;
  dispatchStateRetriedEvent(name: string, type: string, input: unknown, retrier: unknown, attempt: number): void;
}

type Execute = (input: unknown, options: { eventLogger: EventLogger }, cleanup: () => void) => Promise<unknown>;

/**
 * Observes a run synchronously. The library's public `eventLogs` generator yields events a few microtasks late, but
 * `$$.State` must be current when Parameters are evaluated (right after the entry or retry is logged) and the history
 * must interleave with the task handlers' own events in order, so the run's logger (reached through the machine's
 * private `execute`, aws-local-stepfunctions 3.0.0) is wrapped instead. Only `dispatchStateEnteredEvent` and
 * `dispatchStateRetriedEvent` are called for the machine's own states; branches' events arrive through `dispatch`.
 */
export const tapRun = (machine: StateMachine, tap: RunTap): void => {
  const target = machine as unknown as { execute: Execute };
  const execute = target.execute.bind(machine);
  target.execute = (input, options, cleanup) => {
    const logger = options.eventLogger;
    const dispatch = logger.dispatch.bind(logger);
    const entered = logger.dispatchStateEnteredEvent.bind(logger);
    const retried = logger.dispatchStateRetriedEvent.bind(logger);
    logger.dispatch = (event) => {
      tap.event(event);
      dispatch(event);
    };
    logger.dispatchStateEnteredEvent = (name, type, stateInput) => {
      tap.entered(name);
      entered(name, type, stateInput);
    };
    logger.dispatchStateRetriedEvent = (name, type, stateInput, retrier, attempt) => {
      tap.retried(name, attempt);
      retried(name, type, stateInput, retrier, attempt);
    };
    return execute(input, options, cleanup);
  };
};
