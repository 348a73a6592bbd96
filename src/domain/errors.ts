/**
 * One small error class per domain failure, under one base. Handlers never build HTTP answers from strings:
 * they throw these, and `#shared/http` maps each class to a status.
 */
export abstract class DomainError extends Error {
  /** Stable machine-readable code, also used by Step Functions Retry/Catch and non-proxy selection patterns. */
  abstract readonly code: string;
  /**
   * Spelled out in every subclass, not taken from `new.target.name`: the bundles are minified, which renames
   * classes, and Step Functions Retry/Catch match the Lambda `errorType`, which is this name.
   */
  abstract override readonly name: string;
}

export interface FieldIssue {
  path: string;
  message: string;
}

export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';
  readonly code = 'ValidationError';
  readonly issues: FieldIssue[];
  constructor(message: string, issues: FieldIssue[] = []) {
    super(message);
    this.issues = issues;
  }
}

export class OrderNotFoundError extends DomainError {
  override readonly name = 'OrderNotFoundError';
  readonly code = 'NotFound';
  readonly orderId: string;
  constructor(orderId: string) {
    super(`Order ${orderId} not found`);
    this.orderId = orderId;
  }
}

/** The caller is known but its token lacks the scope an action needs (REST answers these with its policy's 403). */
export class ForbiddenError extends DomainError {
  override readonly name = 'ForbiddenError';
  readonly code = 'Forbidden';
  readonly scope: string;
  constructor(action: string, scope: string) {
    super(`Forbidden: ${action} needs the ${scope} scope`);
    this.scope = scope;
  }
}

export class OrderConflictError extends DomainError {
  override readonly name = 'OrderConflictError';
  readonly code = 'Conflict';
  readonly orderId: string;
  constructor(orderId: string) {
    super(`Order ${orderId} already exists with different content`);
    this.orderId = orderId;
  }
}

export class OutOfStockError extends DomainError {
  override readonly name = 'OutOfStockError';
  readonly code = 'OutOfStock';
  readonly sku: string;
  constructor(sku: string) {
    super(`Item ${sku} is out of stock`);
    this.sku = sku;
  }
}

export class UnknownProductError extends DomainError {
  override readonly name = 'UnknownProductError';
  readonly code = 'UnknownProduct';
  readonly sku: string;
  constructor(sku: string) {
    super(`Unknown product ${sku}`);
    this.sku = sku;
  }
}

export class PaymentDeclinedError extends DomainError {
  override readonly name = 'PaymentDeclinedError';
  readonly code = 'PaymentDeclined';
}

/** A failure worth retrying (the state machine's Retry names this code). */
export class PaymentUnavailableError extends DomainError {
  override readonly name = 'PaymentUnavailableError';
  readonly code = 'PaymentUnavailable';
}
