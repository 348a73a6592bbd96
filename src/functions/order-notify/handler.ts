import * as z from 'zod/mini';
import { statusPush } from '#domain/order-events';
import { orderIdPattern } from '#domain/order-id';
import { parseOrThrow } from '#domain/order-schemas';
import { failureReasonOf } from '#domain/order-status';
import { type NotifyResult, notifySubscribers } from '#services/notify-subscribers';
import { config } from '#shared/config';
import { instrumented } from '#shared/instrument';
import { orderMetrics } from '#shared/metrics';
import { annotateOrder } from '#shared/tracer';

const input = z.object({
  orderId: z.string().check(z.regex(orderIdPattern)),
  status: z.enum(['CONFIRMED', 'FAILED']),
  failureReason: z.optional(z.string()),
  /** The caught error's name (`PaymentDeclinedError`, `States.Timeout`): what OrdersFailed is counted by. */
  error: z.optional(z.string()),
});

/**
 * The workflow's last task: pushes the order's final status to the connections following it. It runs once per order
 * whatever the outcome (neither notify state retries a function error), so the outcome is counted here.
 */
export const handler = instrumented(async (event: unknown): Promise<NotifyResult> => {
  const { orderId, status, failureReason: cause, error } = parseOrThrow(input, event, 'notify input');
  annotateOrder(orderId);
  if (status === 'CONFIRMED') orderMetrics.confirmed();
  else orderMetrics.failed(error ?? 'Unknown');
  // The workflow passes the caught error's Cause: for a Lambda task, the JSON of the error it threw.
  const failureReason = failureReasonOf(cause);
  return notifySubscribers(config.websocketCallbackUrl(), orderId, statusPush(orderId, status, failureReason));
});
