/**
 * An answer API Gateway gives itself, before or instead of the integration. The type is the gateway response type
 * (API Gateway developer guide, "Gateway response types for API Gateway"), which picks the status, the
 * `x-amzn-ErrorType` header and any customisation from the API's `x-amazon-apigateway-gateway-responses`.
 */
export type GatewayResponseType =
  | 'ACCESS_DENIED'
  | 'API_CONFIGURATION_ERROR'
  | 'AUTHORIZER_CONFIGURATION_ERROR'
  | 'AUTHORIZER_FAILURE'
  | 'BAD_REQUEST_PARAMETERS'
  | 'BAD_REQUEST_BODY'
  | 'EXPIRED_TOKEN'
  | 'INTEGRATION_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'INVALID_API_KEY'
  | 'INVALID_SIGNATURE'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'QUOTA_EXCEEDED'
  | 'REQUEST_TOO_LARGE'
  | 'RESOURCE_NOT_FOUND'
  | 'THROTTLED'
  | 'UNAUTHORIZED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

interface TypeInfo {
  status: number;
  errorType: string;
}

export const RESPONSE_TYPES: Record<GatewayResponseType, TypeInfo> = {
  ACCESS_DENIED: { status: 403, errorType: 'AccessDeniedException' },
  API_CONFIGURATION_ERROR: { status: 500, errorType: 'InternalServerErrorException' },
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, errorType: 'AuthorizerConfigurationException' },
  AUTHORIZER_FAILURE: { status: 500, errorType: 'AuthorizerConfigurationException' },
  BAD_REQUEST_PARAMETERS: { status: 400, errorType: 'BadRequestException' },
  BAD_REQUEST_BODY: { status: 400, errorType: 'BadRequestException' },
  EXPIRED_TOKEN: { status: 403, errorType: 'ExpiredTokenException' },
  INTEGRATION_FAILURE: { status: 504, errorType: 'InternalServerErrorException' },
  INTEGRATION_TIMEOUT: { status: 504, errorType: 'InternalServerErrorException' },
  INVALID_API_KEY: { status: 403, errorType: 'ForbiddenException' },
  INVALID_SIGNATURE: { status: 403, errorType: 'InvalidSignatureException' },
  MISSING_AUTHENTICATION_TOKEN: { status: 403, errorType: 'MissingAuthenticationTokenException' },
  QUOTA_EXCEEDED: { status: 429, errorType: 'LimitExceededException' },
  REQUEST_TOO_LARGE: { status: 413, errorType: 'RequestTooLargeException' },
  RESOURCE_NOT_FOUND: { status: 404, errorType: 'NotFoundException' },
  THROTTLED: { status: 429, errorType: 'TooManyRequestsException' },
  UNAUTHORIZED: { status: 401, errorType: 'UnauthorizedException' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, errorType: 'UnsupportedMediaTypeException' },
  DEFAULT_4XX: { status: 400, errorType: 'BadRequestException' },
  DEFAULT_5XX: { status: 500, errorType: 'InternalServerErrorException' },
};

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly type: GatewayResponseType;
  /** `null` renders as JSON null, as API Gateway's authorizer failures do (`{"message": null}`). */
  readonly gatewayMessage: string | null;
  readonly validationErrors?: string;
  /** Overrides the type's status (502 for a malformed Lambda proxy answer, which is a DEFAULT_5XX). */
  readonly status?: number;
  /** Overrides the type's `x-amzn-ErrorType` (SigV4 failures name their own, e.g. UnrecognizedClientException). */
  readonly errorType?: string;
  /** Why, for the developer's terminal (the client only ever sees API Gateway's own answer). */
  readonly reason?: string;

  constructor(
    type: GatewayResponseType,
    message: string | null,
    options: { validationErrors?: string; status?: number; errorType?: string; cause?: unknown; reason?: string } = {},
  ) {
    super(message ?? type, { cause: options.cause });
    this.type = type;
    this.gatewayMessage = message;
    this.validationErrors = options.validationErrors;
    this.status = options.status;
    this.errorType = options.errorType;
    this.reason = options.reason;
  }
}

export const missingAuthenticationToken = () =>
  new GatewayError('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token');
export const forbidden = (reason?: string) =>
  new GatewayError('INVALID_API_KEY', 'Forbidden', reason ? { reason } : {});
export const unauthorized = (reason?: string) =>
  new GatewayError('UNAUTHORIZED', 'Unauthorized', reason ? { reason } : {});
export const explicitDeny = (reason?: string) =>
  new GatewayError(
    'ACCESS_DENIED',
    'User is not authorized to access this resource with an explicit deny',
    reason ? { reason } : {},
  );
export const notAuthorized = (reason?: string) =>
  new GatewayError('ACCESS_DENIED', 'User is not authorized to access this resource', reason ? { reason } : {});
export const authorizerFailure = (cause?: unknown, reason?: string) =>
  new GatewayError('AUTHORIZER_FAILURE', null, { cause, ...(reason ? { reason } : {}) });
export const throttled = (reason?: string) =>
  new GatewayError('THROTTLED', 'Too Many Requests', reason ? { reason } : {});
export const quotaExceeded = (reason?: string) =>
  new GatewayError('QUOTA_EXCEEDED', 'Limit Exceeded', reason ? { reason } : {});
export const internalServerError = (cause?: unknown, reason?: string) =>
  new GatewayError('DEFAULT_5XX', 'Internal server error', { status: 502, cause, ...(reason ? { reason } : {}) });
export const endpointTimedOut = () => new GatewayError('INTEGRATION_TIMEOUT', 'Endpoint request timed out');
export const integrationFailure = (cause?: unknown) =>
  new GatewayError('INTEGRATION_FAILURE', 'Internal server error', { status: 502, cause });
