/** A Step Functions API error: HTTP 400 with `{"__type": code, "message": ...}` (API reference, "Common Errors"). */
export class SfnError extends Error {
  override readonly name = 'SfnError';
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** A request that breaks the API model's constraints, worded as the service words it. */
export const validationError = (constraint: string) =>
  new SfnError('ValidationException', `1 validation error detected: ${constraint}`);

export const missing = (field: string) =>
  validationError(`Value null at '${field}' failed to satisfy constraint: Member must not be null`);

/**
 * A failed task as a state machine sees it: its `name` is the Error and its `message` the Cause that Retry and Catch
 * match and `$.error` receives (aws-local-stepfunctions reads `name`/`message`, and `isRetryable`/`isCatchable` when
 * present). `terminal` failures are those that `States.ALL` does not match, so neither Retry nor Catch applies
 * (developer guide, "Handling errors in Step Functions workflows": `States.Runtime`, `States.DataLimitExceeded`).
 */
export class TaskFailure extends Error {
  readonly terminal: boolean;

  constructor(error: string, cause: string, terminal = false) {
    super(cause);
    this.name = error;
    this.terminal = terminal;
  }

  get isRetryable(): boolean {
    return !this.terminal;
  }

  get isCatchable(): boolean {
    return !this.terminal;
  }
}

// What aws-local-stepfunctions reports for a Fail state without Error or Cause; Step Functions reports neither.
const FAIL_STATE_DEFAULTS = { error: 'FailStateError', cause: 'Execution failed because of a Fail state' };

/** A failed execution's `error` and `cause` as DescribeExecution and the history show them. */
export const executionFailure = (error: string, cause: string): { error?: string; cause?: string } => ({
  ...(error === FAIL_STATE_DEFAULTS.error ? {} : { error }),
  ...(cause === FAIL_STATE_DEFAULTS.cause ? {} : { cause }),
});
