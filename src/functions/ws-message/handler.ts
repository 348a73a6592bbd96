import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { pushToConnection } from '#adapters/connection-push';
import { putSubscription } from '#adapters/connections-table';
import { sendOrderEvent } from '#adapters/event-queue';
import { ValidationError } from '#domain/errors';
import { websocketEvent } from '#domain/order-events';
import { errorReply, expiresAt, parseClientMessage, type Reply } from '#domain/subscriptions';
import { config } from '#shared/config';
import { logger } from '#shared/logger';

const answer = async (message: APIGatewayProxyWebsocketEventV2): Promise<Reply> => {
  try {
    const request = parseClientMessage(message.requestContext.routeKey, message.body);
    const now = new Date();
    if (request.action === 'subscribe') {
      await putSubscription({
        connectionId: message.requestContext.connectionId,
        orderId: request.orderId,
        expiresAt: expiresAt(now, config.connectionTtlSeconds()),
      });
      return { type: 'subscribed', orderId: request.orderId };
    }
    const event = websocketEvent(request, randomUUID(), now);
    await sendOrderEvent(event);
    return { type: 'published', eventId: event.eventId };
  } catch (error) {
    if (error instanceof ValidationError) return errorReply(error);
    throw error;
  }
};

/**
 * The `subscribe`, `publish` and `$default` routes. Replies go to the configured @connections endpoint
 * (WS_CALLBACK_URL, the execute-api URL of the stage) rather than one built from the request's domainName, which
 * is not an @connections endpoint behind a custom domain. Every message gets a reply on the sender's own connection:
 * what it did, or what was wrong with the message (with the actions a client may use). A failure of our own is
 * thrown, so API Gateway logs it and the client sees an internal error rather than silence.
 */
export const handler = async (event: APIGatewayProxyWebsocketEventV2): Promise<APIGatewayProxyResultV2> => {
  const reply = await answer(event);
  const pushed = await pushToConnection(config.websocketCallbackUrl(), event.requestContext.connectionId, reply);
  if (pushed === 'gone')
    logger.info('Sender left before the reply', { connectionId: event.requestContext.connectionId });
  return { statusCode: 200 };
};
