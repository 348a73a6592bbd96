import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { getOrder } from '#adapters/workflow';
import { DomainError, OrderNotFoundError, ValidationError } from '#domain/errors';
import { isOrderId } from '#domain/order-id';
import { isOwnedBy, type Order, type OrderV2View, orderFromExecution, v2View } from '#domain/order-views';
import { errorResponse, json } from '#shared/http';
import { instrumented } from '#shared/instrument';
import { annotateOrder } from '#shared/tracer';

/** What the v1 non-proxy request mapping template sends: no httpMethod, only the two values. */
export interface NonProxyEvent {
  orderId?: unknown;
  customerId?: unknown;
}

/** The caller's order, or OrderNotFoundError when it is unknown or someone else's (404, not 403: no probing). */
const loadOrder = async (orderId: unknown, customerId: unknown): Promise<Order> => {
  if (typeof orderId !== 'string' || !isOrderId(orderId)) {
    throw new ValidationError('Invalid order id', [
      { path: 'orderId', message: 'must look like ord_ followed by 20-40 [0-9a-z]' },
    ]);
  }
  annotateOrder(orderId);
  const order = orderFromExecution(orderId, await getOrder(orderId));
  if (typeof customerId !== 'string' || customerId === '' || !isOwnedBy(order, customerId)) {
    throw new OrderNotFoundError(orderId);
  }
  return order;
};

/**
 * v1 (non-proxy): API Gateway picks the integration response by matching the error message, so domain errors
 * become `[NotFound] ...` / `[BadRequest] ...`; the response template turns the returned object into the v1 body.
 */
const nonProxy = async (event: NonProxyEvent): Promise<OrderV2View> => {
  try {
    return v2View(await loadOrder(event.orderId, event.customerId));
  } catch (error) {
    if (error instanceof OrderNotFoundError) throw new Error(`[NotFound] ${error.message}`);
    if (error instanceof DomainError) throw new Error(`[BadRequest] ${error.message}`);
    throw error;
  }
};

/** v2 (proxy): the handler builds the whole response. */
const proxy = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  try {
    const order = await loadOrder(event.pathParameters?.orderId, event.requestContext.authorizer?.principalId);
    return json(200, v2View(order));
  } catch (error) {
    return errorResponse(error);
  }
};

const isProxyEvent = (event: APIGatewayProxyEvent | NonProxyEvent): event is APIGatewayProxyEvent =>
  'httpMethod' in event && 'requestContext' in event;

async function route(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult>;
async function route(event: NonProxyEvent): Promise<OrderV2View>;
async function route(event: APIGatewayProxyEvent | NonProxyEvent): Promise<APIGatewayProxyResult | OrderV2View> {
  return isProxyEvent(event) ? proxy(event) : nonProxy(event);
}

export const handler = instrumented(route);
