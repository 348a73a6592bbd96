import { chargeTaskInput, parseOrThrow } from '#domain/order-schemas';
import { type ChargedOrder, chargePayment } from '#domain/orders';
import { instrumented } from '#shared/instrument';
import { logger } from '#shared/logger';
import { orderMetrics } from '#shared/metrics';
import { annotateOrder } from '#shared/tracer';

/**
 * ChargePayment task: `{ order, attempt }` in (attempt = $$.State.RetryCount), the order plus `paymentId` out.
 * PaymentDeclinedError ends the order; PaymentUnavailableError is retried by the state machine.
 */
export const handler = instrumented(async (event: unknown): Promise<ChargedOrder> => {
  const { order, attempt } = parseOrThrow(chargeTaskInput, event, 'charge input');
  annotateOrder(order.orderId);
  // The state's RetryCount: every attempt after the first is a retry of the payment.
  if ((attempt ?? 0) > 0) orderMetrics.paymentRetry();
  const charged = chargePayment(order, attempt ?? 0);
  logger.info('Payment charged', { orderId: charged.orderId, paymentId: charged.paymentId, attempt });
  return charged;
});
