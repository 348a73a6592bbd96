import type {
  APIGatewayEventWebsocketRequestContextV2,
  APIGatewayProxyResultV2,
  APIGatewayProxyWebsocketEventV2WithRequestContext,
} from 'aws-lambda';
import { putConnection } from '#adapters/connections-table';
import { expiresAt } from '#domain/subscriptions';
import { config } from '#shared/config';
import { instrumented } from '#shared/instrument';
import { logger } from '#shared/logger';

/** The $connect request context carries the REQUEST authorizer's result. */
export type ConnectEvent = APIGatewayProxyWebsocketEventV2WithRequestContext<
  APIGatewayEventWebsocketRequestContextV2 & { authorizer?: { principalId?: string } }
>;

/**
 * WebSocket $connect: records who is connected. A non-2xx answer makes API Gateway refuse the handshake, so a
 * connection without an authorizer principal (a route deployed without the authorizer) is refused with 401.
 */
export const handler = instrumented(async (event: ConnectEvent): Promise<APIGatewayProxyResultV2> => {
  const { connectionId, connectedAt } = event.requestContext;
  const principalId = event.requestContext.authorizer?.principalId;
  if (!principalId) {
    logger.warn('Connection without an authorizer principal refused', { connectionId });
    return { statusCode: 401, body: 'Unauthorized' };
  }
  const now = new Date();
  await putConnection({
    connectionId,
    principalId,
    connectedAt: new Date(connectedAt || now.getTime()).toISOString(),
    expiresAt: expiresAt(now, config.connectionTtlSeconds()),
  });
  return { statusCode: 200 };
});
