import { parseOrThrow, validatedOrder } from '#domain/order-schemas';
import { type ReservedOrder, reserveInventory } from '#domain/orders';
import { instrumented } from '#shared/instrument';
import { logger } from '#shared/logger';
import { annotateOrder } from '#shared/tracer';

/** ReserveInventory task: ValidateOrder's output in, the same plus `reservationId` out (or OutOfStockError). */
export const handler = instrumented(async (event: unknown): Promise<ReservedOrder> => {
  const validated = parseOrThrow(validatedOrder, event, 'validated order');
  annotateOrder(validated.orderId);
  const order = reserveInventory(validated);
  logger.info('Inventory reserved', { orderId: order.orderId, reservationId: order.reservationId });
  return order;
});
