import { putSubscription } from '#adapters/connections-table';
import { sendOrderEvent } from '#adapters/event-queue';
import { getOrder } from '#adapters/workflow';
import { OrderNotFoundError } from '#domain/errors';
import { type Caller, mayActOn, type OrderAction, requireScopeFor } from '#domain/order-access';
import { type OrderEvent, type PushMessage, statusPush } from '#domain/order-events';
import { type Order, orderFromExecution } from '#domain/order-views';

/**
 * What a WebSocket client may do with an order, under the rules REST applies: the token's scope for the action,
 * then the order read from its execution (DescribeExecution) and the caller's right to it. A refusal throws a
 * ForbiddenError (scope) or an OrderNotFoundError (unknown or someone else's order) before anything is written.
 */
const orderFor = async (caller: Caller, action: OrderAction, orderId: string): Promise<Order> => {
  requireScopeFor(caller, action);
  const order = orderFromExecution(orderId, await getOrder(orderId));
  if (!mayActOn(caller, order)) throw new OrderNotFoundError(orderId);
  return order;
};

/**
 * Follows an order and returns its current status, for the subscriber to have at once: one that arrives after the
 * workflow ended would otherwise never learn the outcome. The subscription is stored before the status is read
 * again, so a workflow that ends in between is either pushed live or seen here (possibly both: at-least-once).
 */
export const subscribeToOrder = async (
  caller: Caller,
  orderId: string,
  subscription: { connectionId: string; expiresAt: number },
): Promise<PushMessage> => {
  const order = await orderFor(caller, 'subscribe', orderId);
  await putSubscription({ ...subscription, orderId });
  const current = order.status === 'PROCESSING' ? orderFromExecution(orderId, await getOrder(orderId)) : order;
  return statusPush(orderId, current.status, current.failureReason);
};

/** Puts a client's event for an order on the events queue, once the caller may publish for that order. */
export const publishOrderEvent = async (caller: Caller, event: OrderEvent): Promise<void> => {
  await orderFor(caller, 'publish', event.orderId);
  await sendOrderEvent(event);
};
