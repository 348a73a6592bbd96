import { readFileSync } from 'node:fs';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { legacyV1View, type Order } from '#domain/order-views';
import { handler, type NonProxyEvent } from '../../../src/functions/orders-get/handler.ts';
import { matchesModel } from './openapi-models.ts';

const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../../events/${name}.json`, import.meta.url), 'utf8')) as T;

const sfn = mockClient(SFNClient);
const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:OrderWorkflow-dev';
const v1 = load<NonProxyEvent>('orders-get-v1');
const v2 = load<APIGatewayProxyEvent>('orders-get-v2');
const orderId = 'ord_01jdq8x4m7r2k9v5w3t6y8z0ab';
const executionArn = `arn:aws:states:eu-west-1:123456789012:execution:OrderWorkflow-dev:${orderId}`;
const startDate = new Date('2026-11-24T19:10:43.000Z');
const workflowInput = load<Record<string, unknown>>('order-validate');

const execution = (overrides: Record<string, unknown> = {}) => ({
  executionArn,
  stateMachineArn,
  name: orderId,
  status: 'SUCCEEDED' as const,
  startDate,
  input: JSON.stringify(workflowInput),
  output: JSON.stringify({ ...workflowInput, total: { amount: 13297, currency: 'EUR' } }),
  ...overrides,
});

const confirmed = {
  orderId,
  status: 'CONFIRMED',
  items: [
    { sku: 'SKU-BOOK-001', quantity: 1 },
    { sku: 'SKU-GAME-002', quantity: 2 },
  ],
  total: { amount: 13297, currency: 'EUR' },
  createdAt: '2026-11-24T19:10:43.000Z',
};

const withOrderId = (id: string | undefined): APIGatewayProxyEvent => ({
  ...v2,
  pathParameters: id === undefined ? null : { orderId: id },
});

beforeEach(() => {
  sfn.reset();
  process.env.STATE_MACHINE_ARN = stateMachineArn;
  sfn.on(DescribeExecutionCommand, { executionArn }).resolves(execution());
});

describe('orders-get v2 (proxy)', () => {
  it('answers the sample event with the v2 shape', async () => {
    const response = await handler(v2);
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['Access-Control-Allow-Origin']).toBe('*');
    expect(JSON.parse(response.body)).toEqual(confirmed);
  });

  it.each([
    ['SUCCEEDED', 'CONFIRMED'],
    ['RUNNING', 'PROCESSING'],
    ['FAILED', 'FAILED'],
    ['TIMED_OUT', 'CANCELLED'],
    ['ABORTED', 'CANCELLED'],
  ])('answers a %s execution as %s, in the Order model of api/openapi.yaml', async (status, shown) => {
    const cause = status === 'FAILED' ? 'States.Timeout' : undefined;
    sfn.on(DescribeExecutionCommand).resolves(execution({ status, cause, output: undefined }));
    const body = JSON.parse((await handler(v2)).body);
    expect(body.status).toBe(shown);
    expect(body.failureReason).toBe(cause);
    expect(matchesModel('Order', body)).toEqual([]);
  });

  it('answers every 4xx and 500 in the Error model', async () => {
    const bad = await handler(withOrderId('nope'));
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'none', $metadata: {} }));
    const missing = await handler(v2);
    sfn.on(DescribeExecutionCommand).rejects(new Error('boom'));
    const broken = await handler(v2);
    expect([bad.statusCode, missing.statusCode, broken.statusCode]).toEqual([400, 404, 500]);
    for (const response of [bad, missing, broken]) expect(matchesModel('Error', JSON.parse(response.body))).toEqual([]);
  });

  it('shows a failed order with the error message as reason', async () => {
    const cause = JSON.stringify({ errorType: 'PaymentDeclinedError', errorMessage: 'Payment was declined' });
    sfn.on(DescribeExecutionCommand).resolves(execution({ status: 'FAILED', output: undefined, cause }));
    const body = JSON.parse((await handler(v2)).body);
    expect(body.status).toBe('FAILED');
    expect(body.failureReason).toBe('Payment was declined');
  });

  it('404s an unknown order', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'none', $metadata: {} }));
    const response = await handler(v2);
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ message: `Order ${orderId} not found`, code: 'NotFound' });
  });

  it("404s someone else's order (not 403: nothing to probe)", async () => {
    const authorizer = { ...v2.requestContext.authorizer, principalId: 'mallory' };
    const response = await handler({ ...v2, requestContext: { ...v2.requestContext, authorizer } });
    expect(response.statusCode).toBe(404);
  });

  it('404s when there is no caller', async () => {
    const response = await handler({ ...v2, requestContext: { ...v2.requestContext, authorizer: null } });
    expect(response.statusCode).toBe(404);
  });

  it.each([['not-an-order'], ['ord_UPPER0123456789ABCDEFGHIJ'], [undefined]])('400s the order id %p', async (id) => {
    const response = await handler(withOrderId(id));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).code).toBe('ValidationError');
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it('500s when Step Functions fails', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new Error('throttled'));
    const response = await handler(v2);
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toEqual({ message: 'Internal server error' });
  });
});

describe('orders-get v1 (non-proxy)', () => {
  it('returns the domain object for the sample event, which the mapping template makes legacy', async () => {
    const order = await handler(v1);
    expect(order).toEqual(confirmed);
    expect(legacyV1View({ ...order, customerId: undefined } as Order)).toEqual({
      id: orderId,
      state: 'CONFIRMED',
      lines: [
        { sku: 'SKU-BOOK-001', qty: 1 },
        { sku: 'SKU-GAME-002', qty: 2 },
      ],
      created: '2026-11-24T19:10:43.000Z',
    });
  });

  it('shows a running order as PROCESSING with its priced total', async () => {
    sfn.on(DescribeExecutionCommand).resolves(execution({ status: 'RUNNING', output: undefined }));
    await expect(handler(v1)).resolves.toEqual({ ...confirmed, status: 'PROCESSING' });
  });

  it('throws [NotFound] for an unknown order', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'none', $metadata: {} }));
    await expect(handler(v1)).rejects.toThrow(/^\[NotFound\] Order ord_\w+ not found$/);
  });

  it("throws [NotFound] for someone else's order", async () => {
    await expect(handler({ ...v1, customerId: 'mallory' })).rejects.toThrow(/^\[NotFound\]/);
    await expect(handler({ orderId })).rejects.toThrow(/^\[NotFound\]/);
  });

  it.each([['bad id'], [42], [undefined]])('throws [BadRequest] for the order id %p', async (id) => {
    await expect(handler({ ...v1, orderId: id })).rejects.toThrow(/^\[BadRequest\] Invalid order id$/);
  });

  it('lets other failures through unchanged (the integration answers 500)', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new Error('throttled'));
    await expect(handler(v1)).rejects.toThrow(/^throttled$/);
  });
});
