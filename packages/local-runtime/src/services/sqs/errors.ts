import type { SigV4ErrorType, SigV4Failure } from '../../gateway/auth/sigv4.ts';

/**
 * One SQS error: the short name the JSON protocol puts in `__type` (`com.amazonaws.sqs#<name>`), the code the query
 * protocol uses (also sent in JSON's `x-amzn-query-error` header), the HTTP status and who is at fault (SQS developer
 * guide, "Interpreting Amazon SQS JSON API responses"; the codes and statuses are those of the SQS API model).
 */
export class SqsError extends Error {
  override readonly name = 'SqsError';
  readonly code: string;
  readonly queryCode: string;
  readonly status: number;
  readonly fault: 'Sender' | 'Receiver';

  constructor(code: string, message: string, queryCode = code, status = 400, fault: 'Sender' | 'Receiver' = 'Sender') {
    super(message);
    this.code = code;
    this.queryCode = queryCode;
    this.status = status;
    this.fault = fault;
  }
}

/** A failure of the local SQS itself: the common error InternalFailure, HTTP 500 (SQS API reference, "Common Errors"). */
export const internalFailure = (error: unknown) =>
  new SqsError(
    'InternalFailure',
    `The local service failed: ${error instanceof Error ? error.message : String(error)}`,
    'InternalFailure',
    500,
    'Receiver',
  );

export const queueDoesNotExist = () =>
  new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue');

export const invalidParameterValue = (message: string) => new SqsError('InvalidParameterValue', message);

export const missingParameter = (name: string) =>
  new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);

export const invalidAttributeName = (name: string) =>
  new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);

export const receiptHandleIsInvalid = (handle: string) =>
  new SqsError(
    'ReceiptHandleIsInvalid',
    `The input receipt handle "${handle}" is not a valid receipt handle.`,
    'ReceiptHandleIsInvalid',
    404,
  );

export const messageNotInflight = () =>
  new SqsError(
    'MessageNotInflight',
    'The message referred to is not in flight.',
    'AWS.SimpleQueueService.MessageNotInflight',
  );

export const unsupportedOperation = (action: string) =>
  new SqsError(
    'UnsupportedOperation',
    `${action} is not supported by the local SQS endpoint.`,
    'AWS.SimpleQueueService.UnsupportedOperation',
  );

export const batchErrors = {
  empty: () =>
    new SqsError(
      'EmptyBatchRequest',
      'There should be at least one SendMessageBatchRequestEntry in the request.',
      'AWS.SimpleQueueService.EmptyBatchRequest',
    ),
  tooMany: (count: number) =>
    new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${count}.`,
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    ),
  notDistinct: (id: string) =>
    new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`, 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct'),
  invalidId: (id: string) =>
    new SqsError(
      'InvalidBatchEntryId',
      `A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long. Invalid id: ${id}`,
      'AWS.SimpleQueueService.InvalidBatchEntryId',
    ),
  tooLong: (size: number) =>
    new SqsError(
      'BatchRequestTooLong',
      `Batch requests cannot be longer than 262144 bytes. You have sent ${size} bytes.`,
      'AWS.SimpleQueueService.BatchRequestTooLong',
    ),
};

/**
 * The query protocol's code and status for each refusal (the "Common Errors" of the query APIs: SQS's, STS's):
 * `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>...`, 403 but for IncompleteSignature.
 */
const QUERY_AUTH_ERRORS: Record<SigV4ErrorType, { code: string; status: number }> = {
  MissingAuthenticationTokenException: { code: 'MissingAuthenticationToken', status: 403 },
  IncompleteSignatureException: { code: 'IncompleteSignature', status: 400 },
  InvalidSignatureException: { code: 'SignatureDoesNotMatch', status: 403 },
  UnrecognizedClientException: { code: 'InvalidClientTokenId', status: 403 },
};

/**
 * A refused signature: the query protocol's code and status (`InvalidClientTokenId`, 403), and the coral name
 * (`UnrecognizedClientException`) for the JSON protocol's `__type`.
 */
export const authFailure = (failure: SigV4Failure) => {
  const { code, status } = QUERY_AUTH_ERRORS[failure.errorType];
  return new SqsError(failure.errorType, failure.message, code, status);
};
