import type { SigV4Failure } from '../../gateway/auth/sigv4.ts';
import { queryAuthError } from '../shared/query-protocol.ts';

/**
 * One SNS error as the query protocol answers it: the code (`NotFound`, `InvalidParameter`), the HTTP status and who
 * is at fault (SNS API reference, "Common Errors" and each action's Errors section).
 */
export class SnsError extends Error {
  override readonly name = 'SnsError';
  readonly code: string;
  readonly status: number;
  readonly fault: 'Sender' | 'Receiver';

  constructor(code: string, message: string, status = 400, fault: 'Sender' | 'Receiver' = 'Sender') {
    super(message);
    this.code = code;
    this.status = status;
    this.fault = fault;
  }
}

export const notFound = (what: string) => new SnsError('NotFound', `${what} does not exist`, 404);

export const invalidParameter = (message: string) => new SnsError('InvalidParameter', `Invalid parameter: ${message}`);

export const missingParameter = (name: string) =>
  new SnsError(
    'ValidationError',
    `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
  );

export const internalFailure = (error: unknown) =>
  new SnsError(
    'InternalFailure',
    `The local service failed: ${error instanceof Error ? error.message : String(error)}`,
    500,
    'Receiver',
  );

export const authFailure = (failure: SigV4Failure) => {
  const { code, status } = queryAuthError(failure);
  return new SnsError(code, failure.message, status);
};
