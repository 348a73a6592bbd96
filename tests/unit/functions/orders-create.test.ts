import { readFileSync } from 'node:fs';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { orderIdFor } from '#domain/order-id';
import { handler } from '../../../src/functions/orders-create/handler.ts';
import { matchesModel } from './openapi-models.ts';

const sfn = mockClient(SFNClient);
const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:OrderWorkflow-dev';
const event = JSON.parse(
  readFileSync(new URL('../../../events/orders-create.json', import.meta.url), 'utf8'),
) as APIGatewayProxyEvent;
const sub = 'user-7f3c2a';
const key = '6f1d2c3b-order-2026-11-24-001';
const expectedId = orderIdFor(sub, key);

const withBody = (body: string | null, extra: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent => ({
  ...event,
  body,
  ...extra,
});
const withoutKey = (): APIGatewayProxyEvent => {
  const headers = { ...event.headers };
  delete headers['Idempotency-Key'];
  return { ...event, headers };
};
const startedInput = () => JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? 'null');

beforeEach(() => {
  sfn.reset();
  process.env.STATE_MACHINE_ARN = stateMachineArn;
  sfn.on(StartExecutionCommand).resolves({ executionArn: `${stateMachineArn}:x`, startDate: new Date() });
});

describe('orders-create handler', () => {
  it('starts the workflow for the sample event and answers 202 with Location', async () => {
    const response = await handler(event);
    expect(response.statusCode).toBe(202);
    expect(response.headers?.Location).toBe(`/dev/v2/orders/${expectedId}`);
    expect(JSON.parse(response.body)).toEqual({
      orderId: expectedId,
      status: 'PROCESSING',
      links: { self: `/dev/v2/orders/${expectedId}`, v1: `/dev/v1/orders/${expectedId}` },
    });
    const call = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(call?.stateMachineArn).toBe(stateMachineArn);
    expect(call?.name).toBe(expectedId);
    expect(startedInput()).toEqual({
      orderId: expectedId,
      customerId: sub,
      items: [
        { sku: 'SKU-BOOK-001', quantity: 1 },
        { sku: 'SKU-GAME-002', quantity: 2 },
      ],
      currency: 'EUR',
      payment: { token: 'tok_visa' },
      channel: 'v1',
    });
  });

  it('answers what api/openapi.yaml promises: OrderAccepted for 202, Error for every 4xx and 500', async () => {
    const accepted = await handler(event);
    expect(accepted.statusCode).toBe(202);
    expect(matchesModel('OrderAccepted', JSON.parse(accepted.body))).toEqual([]);
    const failures = [
      await handler(withBody('{')),
      await handler(withBody(JSON.stringify({ items: [] }))),
      await handler({ ...event, requestContext: { ...event.requestContext, authorizer: null } }),
    ];
    sfn.on(StartExecutionCommand).rejects(new Error('boom'));
    failures.push(await handler(event));
    expect(failures.map((r) => r.statusCode)).toEqual([400, 400, 401, 500]);
    for (const response of failures) expect(matchesModel('Error', JSON.parse(response.body))).toEqual([]);
  });

  it('reads the Idempotency-Key header whatever its case, and a retry is answered the same', async () => {
    const headers = { ...withoutKey().headers, 'idempotency-key': key };
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({ input: JSON.stringify({ ...startedInputFor(expectedId) }) });
    const response = await handler({ ...event, headers });
    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body).orderId).toBe(expectedId);
  });

  it('makes a random order id without an Idempotency-Key, defaulting currency to EUR', async () => {
    const body = JSON.stringify({ items: [{ sku: 'SKU-GAME-001', quantity: 1 }], payment: { token: 'tok_visa' } });
    const response = await handler({ ...withoutKey(), body });
    expect(response.statusCode).toBe(202);
    const { orderId } = JSON.parse(response.body);
    expect(orderId).toMatch(/^ord_[0-9a-z]{26}$/);
    expect(orderId).not.toBe(expectedId);
    expect(startedInput().currency).toBe('EUR');
  });

  it('accepts a base64-encoded body', async () => {
    const body = Buffer.from(event.body ?? '').toString('base64');
    expect((await handler(withBody(body, { isBase64Encoded: true }))).statusCode).toBe(202);
  });

  it('409s the same key with a different body', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ input: JSON.stringify({ ...startedInputFor(expectedId), channel: 'v2' }) });
    const response = await handler(event);
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body).code).toBe('Conflict');
  });

  it.each([
    ['no body', null, 'Request body is required'],
    ['an empty body', '', 'Request body is required'],
    ['a body that is not JSON', '{"items":', 'Request body is not valid JSON'],
  ])('400s %s', async (_case, body, message) => {
    const response = await handler(withBody(body));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ message, code: 'ValidationError' });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('400s an invalid body listing every bad field', async () => {
    const body = JSON.stringify({ items: [{ sku: '', quantity: 500 }], currency: 'USD' });
    const response = await handler(withBody(body));
    expect(response.statusCode).toBe(400);
    const parsed = JSON.parse(response.body);
    expect(parsed.code).toBe('ValidationError');
    expect(parsed.errors.map((e: { path: string }) => e.path)).toEqual([
      'items.0.sku',
      'items.0.quantity',
      'currency',
      'payment',
    ]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('400s an Idempotency-Key longer than the model allows (128), accepts one of exactly 128', async () => {
    const withKey = (k: string) => ({ ...withoutKey(), headers: { ...withoutKey().headers, 'Idempotency-Key': k } });
    const response = await handler(withKey('k'.repeat(129)));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors).toEqual([
      { path: 'Idempotency-Key', message: 'must be at most 128 characters' },
    ]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    const accepted = await handler(withKey('k'.repeat(128)));
    expect(accepted.statusCode).toBe(202);
    expect(JSON.parse(accepted.body).orderId).toBe(orderIdFor(sub, 'k'.repeat(128)));
  });

  it('400s a body with a field the model does not know (strict, like additionalProperties: false)', async () => {
    const body = JSON.stringify({ items: [{ sku: 'SKU-GAME-001', quantity: 1, gift: true }], payment: { token: 't' } });
    const response = await handler(withBody(body));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors).toEqual([{ path: 'items.0', message: expect.stringContaining('gift') }]);
  });

  it('treats a blank Idempotency-Key as none', async () => {
    const response = await handler({ ...event, headers: { ...event.headers, 'Idempotency-Key': '  ' } });
    expect(JSON.parse(response.body).orderId).not.toBe(expectedId);
  });

  it('401s a request without a caller (no authorizer context)', async () => {
    const response = await handler({
      ...event,
      requestContext: { ...event.requestContext, authorizer: null },
    });
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body)).toEqual({ message: 'Unauthorized' });
  });

  it('answers 500 without internals when Step Functions fails', async () => {
    sfn.on(StartExecutionCommand).rejects(new Error('AccessDeniedException: secret detail'));
    const response = await handler(event);
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ message: 'Internal server error' });
  });
});

function startedInputFor(orderId: string) {
  return {
    orderId,
    customerId: sub,
    items: [
      { sku: 'SKU-BOOK-001', quantity: 1 },
      { sku: 'SKU-GAME-002', quantity: 2 },
    ],
    currency: 'EUR',
    payment: { token: 'tok_visa' },
    channel: 'v1',
  };
}
