import { parseOrThrow, workflowInput } from '#domain/order-schemas';
import { type ValidatedOrder, validateOrder } from '#domain/orders';
import { instrumented } from '#shared/instrument';
import { logger } from '#shared/logger';
import { orderMetrics } from '#shared/metrics';
import { annotateOrder } from '#shared/tracer';

/**
 * ValidateOrder task: the workflow input in, the same plus priced `lines` and `total` out. Every order passes here
 * first, whichever channel placed it (v1's function or v2's direct integration), so OrdersPlaced is counted here.
 */
export const handler = instrumented(async (event: unknown): Promise<ValidatedOrder> => {
  const input = parseOrThrow(workflowInput, event, 'workflow input');
  annotateOrder(input.orderId);
  orderMetrics.placed(input.channel);
  const order = validateOrder(input);
  logger.info('Order validated', { orderId: order.orderId, total: order.total });
  return order;
});
