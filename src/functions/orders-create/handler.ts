import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { startOrder } from '#adapters/workflow';
import { ValidationError } from '#domain/errors';
import { newOrderId, orderIdFor } from '#domain/order-id';
import { createOrderBody } from '#domain/order-schemas';
import type { WorkflowInput } from '#domain/orders';
import { parseJsonBody } from '#shared/api-gateway-body';
import { errorResponse, json } from '#shared/http';
import { instrumented } from '#shared/instrument';
import { logger } from '#shared/logger';
import { annotateOrder } from '#shared/tracer';

/** The header's maxLength in api/openapi.yaml (API Gateway does not enforce header schemas, so this does). */
const MAX_IDEMPOTENCY_KEY_LENGTH = 128;

/** Header names arrive as the client sent them; HTTP says they are case-insensitive. */
const header = (event: APIGatewayProxyEvent, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
};

const idempotencyKeyOf = (event: APIGatewayProxyEvent): string | undefined => {
  const key = header(event, 'Idempotency-Key')?.trim();
  if (key === undefined || key === '') return undefined;
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new ValidationError('Invalid Idempotency-Key header', [
      { path: 'Idempotency-Key', message: `must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` },
    ]);
  }
  return key;
};

export const handler = instrumented(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  try {
    const customerId = event.requestContext.authorizer?.principalId;
    // The authorizer always sets it; without one the route is misconfigured, and nobody may order anonymously.
    if (typeof customerId !== 'string' || customerId === '') return json(401, { message: 'Unauthorized' });

    const body = parseJsonBody(event, createOrderBody, 'order');
    const key = idempotencyKeyOf(event);
    const input: WorkflowInput = {
      orderId: key === undefined ? newOrderId() : orderIdFor(customerId, key),
      customerId,
      items: body.items,
      currency: body.currency ?? 'EUR',
      payment: { token: body.payment.token },
      channel: 'v1',
    };
    annotateOrder(input.orderId);
    const started = await startOrder(input);
    logger.info('Order accepted', { orderId: started.orderId, created: started.created });

    const stage = event.requestContext.stage;
    const location = `/${stage}/v2/orders/${started.orderId}`;
    return json(
      202,
      {
        orderId: started.orderId,
        status: 'PROCESSING',
        links: { self: location, v1: `/${stage}/v1/orders/${started.orderId}` },
      },
      { Location: location },
    );
  } catch (error) {
    return errorResponse(error);
  }
});
