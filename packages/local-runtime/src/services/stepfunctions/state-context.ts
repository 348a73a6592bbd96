/**
 * `$$.State` of the Context object (developer guide, "Accessing execution data from the Context object"):
 * aws-local-stepfunctions does not fill it, so the run keeps this object, shared by reference with the context the
 * library evaluates paths against, current as states are entered and retried.
 */
export interface StateContext {
  Name: string;
  EnteredTime: string;
  RetryCount: number;
}

export const stateContext = (): StateContext => ({ Name: '', EnteredTime: '', RetryCount: 0 });

export const enterState = (state: StateContext, name: string): void => {
  Object.assign(state, { Name: name, EnteredTime: new Date().toISOString(), RetryCount: 0 });
};

/** RetryCount counts the state's retries, whichever retrier matched. */
export const retryState = (state: StateContext): void => {
  state.RetryCount += 1;
};
