/** A Step Functions API error: HTTP 400 with `{"__type": code, "message": ...}` (API reference, "Common Errors"). */
export class SfnError extends Error {
  override readonly name = 'SfnError';
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export const missing = (field: string) =>
  new SfnError(
    'ValidationException',
    `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
  );

/** A failed task as a state machine sees it: `Error` and `Cause`, matched by Retry and Catch. */
export const taskError = (error: string, cause: string): Error => {
  const failure = new Error(cause);
  failure.name = error;
  return failure;
};
