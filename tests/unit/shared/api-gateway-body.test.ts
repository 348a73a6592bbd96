import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { ValidationError } from '#domain/errors';
import { parseJsonBody } from '#shared/api-gateway-body';

/** The proxy handlers' body parsing: Powertools Parser's ApiGatewayEnvelope, issues as the handlers' 400s. */
const event = JSON.parse(
  readFileSync(new URL('../../../events/orders-create.json', import.meta.url), 'utf8'),
) as APIGatewayProxyEvent;
const schema = z.strictObject({ name: z.string().check(z.minLength(1)) });
const withBody = (body: string | null, extra: Partial<APIGatewayProxyEvent> = {}) => ({ ...event, body, ...extra });
const failure = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
};

it('returns the validated body, from text or base64', () => {
  expect(parseJsonBody(withBody('{"name":"a"}'), schema, 'thing')).toEqual({ name: 'a' });
  const encoded = Buffer.from('{"name":"b"}').toString('base64');
  expect(parseJsonBody(withBody(encoded, { isBase64Encoded: true }), schema, 'thing')).toEqual({ name: 'b' });
});

it('names a missing body and a body that is not JSON', () => {
  expect(failure(() => parseJsonBody(withBody(null), schema, 'thing'))).toEqual(
    new ValidationError('Request body is required'),
  );
  expect(failure(() => parseJsonBody(withBody('{"name":'), schema, 'thing'))).toEqual(
    new ValidationError('Request body is not valid JSON'),
  );
});

it('lists every bad field by its path in the body, without the envelope prefix', () => {
  const error = failure(() => parseJsonBody(withBody('{"name":"","extra":1}'), schema, 'thing')) as ValidationError;
  expect(error).toBeInstanceOf(ValidationError);
  expect(error.message).toMatch(/^Invalid thing: /);
  expect(error.issues.map((issue) => issue.path).sort()).toEqual(['(root)', 'name']);
});

it('throws an event that is not an API Gateway proxy event as is (a wiring fault, answered 500)', () => {
  const broken = { ...withBody('{"name":"a"}'), requestContext: undefined } as unknown as APIGatewayProxyEvent;
  const error = failure(() => parseJsonBody(broken, schema, 'thing'));
  expect(error).not.toBeInstanceOf(ValidationError);
  expect((error as Error).name).toBe('ParseError');
});
