import { parseOrThrow, workflowInput } from '#domain/order-schemas';
import { type ValidatedOrder, validateOrder } from '#domain/orders';
import { logger } from '#shared/logger';

/** ValidateOrder task: the workflow input in, the same plus priced `lines` and `total` out. */
export const handler = async (event: unknown): Promise<ValidatedOrder> => {
  const input = parseOrThrow(workflowInput, event, 'workflow input');
  const order = validateOrder(input);
  logger.info('Order validated', { orderId: order.orderId, total: order.total });
  return order;
};
