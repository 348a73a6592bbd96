/**
 * The Lambda API's errors as its REST-JSON protocol carries them: the exception's name in `x-amzn-ErrorType`, a body
 * `{"Type": "User", "message": ...}` (the members the API model gives its exceptions), and the status the API
 * reference lists for it (Lambda API reference, "Invoke": Errors).
 */
export class LambdaApiError extends Error {
  readonly type: string;
  readonly status: number;
  readonly fault: 'User' | 'Service';

  constructor(type: string, status: number, message: string, fault: 'User' | 'Service' = 'User') {
    super(message);
    this.type = type;
    this.status = status;
    this.fault = fault;
  }
}

export const resourceNotFound = (arn: string): LambdaApiError =>
  new LambdaApiError('ResourceNotFoundException', 404, `Function not found: ${arn}`);

export const invalidParameter = (message: string): LambdaApiError =>
  new LambdaApiError('InvalidParameterValueException', 400, message);

/** AWS's input validation message (the Coral framework's wording). */
export const validationError = (value: string, member: string, constraint: string): LambdaApiError =>
  new LambdaApiError(
    'ValidationException',
    400,
    `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`,
  );
