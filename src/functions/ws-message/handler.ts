import { randomUUID } from 'node:crypto';
import type {
  APIGatewayEventWebsocketRequestContextV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyWebsocketEventV2WithRequestContext,
} from 'aws-lambda';
import { pushToConnection } from '#adapters/connection-push';
import { principalFromContext } from '#auth/principal';
import { DomainError } from '#domain/errors';
import { type PushMessage, websocketEvent } from '#domain/order-events';
import { errorReply, expiresAt, parseClientMessage, type Reply } from '#domain/subscriptions';
import { publishOrderEvent, subscribeToOrder } from '#services/order-actions';
import { config } from '#shared/config';
import { instrumented } from '#shared/instrument';
import { logger } from '#shared/logger';
import { annotateOrder } from '#shared/tracer';

/** API Gateway gives every route of a connection what the `$connect` authorizer returned (principalId, context). */
export type WsMessageEvent = APIGatewayProxyWebsocketEventV2WithRequestContext<
  APIGatewayEventWebsocketRequestContextV2 & { authorizer?: Record<string, unknown> }
>;

const answer = async (message: WsMessageEvent): Promise<(Reply | PushMessage)[]> => {
  try {
    const request = parseClientMessage(message.requestContext.routeKey, message.body);
    annotateOrder(request.orderId);
    const caller = principalFromContext(message.requestContext.authorizer);
    const now = new Date();
    if (request.action === 'subscribe') {
      const status = await subscribeToOrder(caller, request.orderId, {
        connectionId: message.requestContext.connectionId,
        expiresAt: expiresAt(now, config.connectionTtlSeconds()),
      });
      return [{ type: 'subscribed', orderId: request.orderId }, status];
    }
    const event = websocketEvent(request, randomUUID(), now);
    await publishOrderEvent(caller, event);
    return [{ type: 'published', eventId: event.eventId }];
  } catch (error) {
    if (error instanceof DomainError) return [errorReply(error)];
    throw error;
  }
};

/**
 * The `subscribe`, `publish` and `$default` routes. API Gateway authorizes only `$connect`, so each message is
 * checked here against the principal and scopes the authorizer put in the context, with REST's rules: `subscribe`
 * needs `orders:read`, `publish` needs `orders:write`, both on the caller's own order (see `#domain/order-access`).
 * A subscriber gets the order's current status right after `subscribed`, then live pushes.
 *
 * Replies go to the configured @connections endpoint (WS_CALLBACK_URL, the execute-api URL of the stage) rather
 * than one built from the request's domainName, which is not an @connections endpoint behind a custom domain.
 * Every message gets a reply on the sender's own connection: what it did, or why it was refused (with the actions a
 * client may use). A failure of our own is thrown, so API Gateway logs it and the client sees an internal error
 * rather than silence.
 */
export const handler = instrumented(async (event: WsMessageEvent): Promise<APIGatewayProxyResultV2> => {
  const { connectionId } = event.requestContext;
  for (const message of await answer(event)) {
    if ((await pushToConnection(config.websocketCallbackUrl(), connectionId, message)) === 'gone') {
      logger.info('Sender left before the reply', { connectionId });
      break;
    }
  }
  return { statusCode: 200 };
});
