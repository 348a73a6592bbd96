import { chargeTaskInput, parseOrThrow } from '#domain/order-schemas';
import { type ChargedOrder, chargePayment } from '#domain/orders';
import { logger } from '#shared/logger';

/**
 * ChargePayment task: `{ order, attempt }` in (attempt = $$.State.RetryCount), the order plus `paymentId` out.
 * PaymentDeclinedError ends the order; PaymentUnavailableError is retried by the state machine.
 */
export const handler = async (event: unknown): Promise<ChargedOrder> => {
  const { order, attempt } = parseOrThrow(chargeTaskInput, event, 'charge input');
  const charged = chargePayment(order, attempt ?? 0);
  logger.info('Payment charged', { orderId: charged.orderId, paymentId: charged.paymentId, attempt });
  return charged;
};
