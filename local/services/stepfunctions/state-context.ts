import type { StateMachine } from 'aws-local-stepfunctions';

export interface StateContext {
  Name: string;
  EnteredTime: string;
  RetryCount: number;
}

interface EventLogger {
  dispatchStateEnteredEvent(name: string, type: string, input: unknown): void;
  dispatchStateRetriedEvent(name: string, type: string, input: unknown, retrier: unknown, attempt: number): void;
}

type Execute = (input: unknown, options: { eventLogger: EventLogger }, cleanup: () => void) => Promise<unknown>;

/**
 * Keeps `$$.State` (Name, EnteredTime, RetryCount: developer guide, "Accessing execution data from the Context object")
 * current during a run. aws-local-stepfunctions evaluates Parameters synchronously right after it logs a state's entry
 * or retry, and does not fill `$$.State` itself, so the logger's two calls are wrapped to update the object the run's
 * context shares.
 */
export const trackStateContext = (machine: StateMachine, state: StateContext): void => {
  const target = machine as unknown as { execute: Execute };
  const execute = target.execute.bind(machine);
  target.execute = (input, options, cleanup) => {
    const logger = options.eventLogger;
    const entered = logger.dispatchStateEnteredEvent.bind(logger);
    const retried = logger.dispatchStateRetriedEvent.bind(logger);
    logger.dispatchStateEnteredEvent = (name, type, stateInput) => {
      Object.assign(state, { Name: name, EnteredTime: new Date().toISOString(), RetryCount: 0 });
      entered(name, type, stateInput);
    };
    logger.dispatchStateRetriedEvent = (name, type, stateInput, retrier, attempt) => {
      state.RetryCount = attempt;
      retried(name, type, stateInput, retrier, attempt);
    };
    return execute(input, options, cleanup);
  };
};
