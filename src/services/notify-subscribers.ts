import { pushToConnection } from '#adapters/connection-push';
import { deleteConnection, listSubscribers } from '#adapters/connections-table';
import type { PushMessage } from '#domain/order-events';
import { logger } from '#shared/logger';
import { orderMetrics } from '#shared/metrics';

export interface NotifyResult {
  delivered: number;
  gone: number;
}

/**
 * The one "tell everyone following this order" step, shared by the queue consumer and the workflow's last task:
 * push to every subscriber, remove the connections that answer 410 Gone, and fail (so the message or task is
 * retried) if any other push failed. At-least-once: a retry may repeat a push to a connection that already got it.
 */
export const notifySubscribers = async (
  endpoint: string,
  orderId: string,
  message: PushMessage,
): Promise<NotifyResult> => {
  const connections = await listSubscribers(orderId);
  const results = await Promise.allSettled(connections.map((id) => pushToConnection(endpoint, id, message)));
  const gone = connections.filter((_, i) => {
    const result = results[i];
    return result?.status === 'fulfilled' && result.value === 'gone';
  });
  const failed = results.filter((result) => result.status === 'rejected');
  await Promise.all(gone.map((id) => deleteConnection(id)));
  orderMetrics.pushed(connections.length - gone.length - failed.length, gone.length);
  if (gone.length > 0) logger.info('Removed gone connections', { orderId, connections: gone });
  if (failed.length > 0) {
    throw new Error(`Push to ${failed.length} of ${connections.length} subscribers of ${orderId} failed`, {
      cause: (failed[0] as PromiseRejectedResult).reason,
    });
  }
  return { delivered: connections.length - gone.length, gone: gone.length };
};
