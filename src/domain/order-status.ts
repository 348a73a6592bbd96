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
 * A failed execution's cause is the Lambda error JSON (`{"errorType","errorMessage",...}`) passed through the Fail
 * state's CausePath; callers get the message, not the envelope. Any other cause is shown as it is.
 */
export const failureReasonOf = (cause: string | undefined): string | undefined => {
  if (cause === undefined || cause === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null && 'errorMessage' in parsed) {
      const message = (parsed as { errorMessage: unknown }).errorMessage;
      if (typeof message === 'string' && message !== '') return message;
    }
  } catch {
    // not JSON: the raw cause is the best reason there is
  }
  return cause;
};
