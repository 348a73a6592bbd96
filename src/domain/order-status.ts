export const orderStatuses = ['PROCESSING', 'CONFIRMED', 'FAILED', 'CANCELLED'] as const;
export type OrderStatus = (typeof orderStatuses)[number];

/** Step Functions execution status → the status the API shows. PENDING_REDRIVE is a failed run that may resume. */
export const orderStatusOf = (executionStatus: string | undefined): OrderStatus => {
  switch (executionStatus) {
    case 'SUCCEEDED':
      return 'CONFIRMED';
    case 'FAILED':
      return 'FAILED';
    case 'TIMED_OUT':
    case 'ABORTED':
      return 'CANCELLED';
    default:
      return 'PROCESSING';
  }
};

/**
 * A failed execution's cause is the Lambda error JSON (`{"errorType","errorMessage","trace"}`) passed through the
 * Fail state's CausePath; callers get the message (or, without one, the error type), never the envelope or its
 * stack trace. Any other cause (a Step Functions error such as States.Timeout) is shown as it is.
 */
export const failureReasonOf = (cause: string | undefined): string | undefined => {
  if (cause === undefined || cause === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(cause);
  } catch {
    return cause; // not JSON: the raw cause is the best reason there is
  }
  if (typeof parsed !== 'object' || parsed === null) return cause;
  const { errorMessage, errorType } = parsed as { errorMessage?: unknown; errorType?: unknown };
  if (typeof errorMessage === 'string' && errorMessage !== '') return errorMessage;
  if (typeof errorType === 'string' && errorType !== '') return errorType;
  return 'trace' in parsed ? undefined : cause;
};
