import { ApiGatewayEnvelope } from '@aws-lambda-powertools/parser/envelopes/api-gateway';
import { JSONStringified } from '@aws-lambda-powertools/parser/helpers';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type * as z from 'zod/mini';
import { ValidationError } from '#domain/errors';

/**
 * The JSON body of an API Gateway (REST, proxy) event, validated with Powertools Parser: ApiGatewayEnvelope checks
 * the event's shape (APIGatewayProxyEventSchema) and JSONStringified parses the body and runs `schema` on it. What
 * stays here is what the envelope leaves to its caller: a base64 body (binary media types) is decoded first, and its
 * issues become the ValidationError the proxy handlers answer with (400, `errors` as a field list without the
 * envelope's `body.` prefix). An event that is not an API Gateway proxy event at all is a wiring fault, not the
 * client's: it is thrown as is (500).
 */
export const parseJsonBody = <S extends z.ZodMiniType>(
  event: APIGatewayProxyEvent,
  schema: S,
  what: string,
): z.output<S> => {
  if (event.body === null || event.body === '') throw new ValidationError('Request body is required');
  const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  // JSONStringified is typed for classic zod schemas; zod/mini ones share zod's core and run the same.
  const inner = JSONStringified(schema as unknown as Parameters<typeof JSONStringified>[0]);
  const result = ApiGatewayEnvelope.safeParse({ ...event, body }, inner);
  if (result.success) return result.data as z.output<S>;
  const cause = result.error.cause as { issues?: { path: PropertyKey[]; message: string; code?: string }[] };
  const issues = cause.issues ?? [];
  if (issues.some((issue) => issue.path[0] !== 'body')) throw result.error;
  if (issues.some((issue) => issue.path.length === 1 && issue.message.startsWith('Invalid JSON'))) {
    throw new ValidationError('Request body is not valid JSON');
  }
  const fields = issues.map((issue) => ({
    path: issue.path.slice(1).map(String).join('.') || '(root)',
    message: issue.message,
  }));
  throw new ValidationError(`Invalid ${what}: ${fields.map((i) => `${i.path}: ${i.message}`).join('; ')}`, fields);
};
