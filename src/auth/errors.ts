/**
 * One small error class per reason a token is refused, under one base (the style of aws-jwt-verify's own errors).
 * The authorizers turn every AuthError into API Gateway's `Unauthorized` (401); anything else stays a 500, because
 * a broken configuration must not look like a bad token.
 */
export abstract class AuthError extends Error {
  abstract override readonly name: string;
}

export class MissingTokenError extends AuthError {
  override readonly name = 'MissingTokenError';
  constructor() {
    super('No token in the request');
  }
}

export class MalformedAuthorizationError extends AuthError {
  override readonly name = 'MalformedAuthorizationError';
  constructor() {
    super('Authorization is not "Bearer <jwt>"');
  }
}

export class TokenRejectedError extends AuthError {
  override readonly name = 'TokenRejectedError';
  /** Why the verifier refused it (expired, wrong-issuer, unknown-key...), for the logs. */
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}

export class MissingSubjectError extends AuthError {
  override readonly name = 'MissingSubjectError';
  constructor() {
    super('Token has no "sub" claim');
  }
}

/** The SSM parameter is missing or not the expected JSON: an operator's problem, not the caller's. */
export class AuthConfigError extends Error {
  override readonly name = 'AuthConfigError';
}
