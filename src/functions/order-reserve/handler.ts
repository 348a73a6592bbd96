import { parseOrThrow, validatedOrder } from '#domain/order-schemas';
import { type ReservedOrder, reserveInventory } from '#domain/orders';
import { logger } from '#shared/logger';

/** ReserveInventory task: ValidateOrder's output in, the same plus `reservationId` out (or OutOfStockError). */
export const handler = async (event: unknown): Promise<ReservedOrder> => {
  const order = reserveInventory(parseOrThrow(validatedOrder, event, 'validated order'));
  logger.info('Inventory reserved', { orderId: order.orderId, reservationId: order.reservationId });
  return order;
};
