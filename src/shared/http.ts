import type { APIGatewayProxyResult } from 'aws-lambda';
import {
  DomainError,
  ForbiddenError,
  OrderConflictError,
  OrderNotFoundError,
  OutOfStockError,
  UnknownProductError,
  ValidationError,
} from '#domain/errors';
import { logger } from '#shared/logger';
import { tracer } from '#shared/tracer';

/**
 * The CORS headers of every function answer: the same the template's gateway responses and preflight (OPTIONS)
 * answers carry, so errors and successes look alike to browsers. The origin is the stage's AllowedOrigin
 * (template.yaml StageConfig → ALLOWED_ORIGIN), read at each answer so the one setting lives in the template; with
 * none set, no Access-Control-Allow-Origin at all: browsers then refuse cross-origin reads (fail closed, never `*`).
 */
export const corsHeaders = (): Record<string, string> => {
  const origin = process.env.ALLOWED_ORIGIN?.trim();
  return {
    ...(origin ? { 'Access-Control-Allow-Origin': origin } : {}),
    'Access-Control-Allow-Headers': 'Content-Type,Authorization,X-Api-Key,Idempotency-Key',
    'Access-Control-Allow-Methods': 'GET,POST,OPTIONS',
  };
};

export const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json', ...corsHeaders(), ...headers },
  body: JSON.stringify(body),
});

const statusOf = (error: DomainError): number => {
  if (error instanceof ValidationError) return 400;
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof OrderNotFoundError) return 404;
  if (error instanceof OrderConflictError) return 409;
  if (error instanceof UnknownProductError || error instanceof OutOfStockError) return 422;
  return 400;
};

/**
 * The one error-to-response mapping of the proxy handlers: a domain error becomes its 4xx with a clear message;
 * anything else is logged and answered with API Gateway's own 500 body, never with internals.
 */
export const errorResponse = (error: unknown): APIGatewayProxyResult => {
  if (error instanceof DomainError) {
    const body: Record<string, unknown> = { message: error.message, code: error.code };
    if (error instanceof ValidationError && error.issues.length > 0) body.errors = error.issues;
    return json(statusOf(error), body);
  }
  logger.error('Unhandled error', error as Error);
  tracer.addErrorAsMetadata(error as Error);
  return json(500, { message: 'Internal server error' });
};
