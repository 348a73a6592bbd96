import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { deleteConnection } from '#adapters/connections-table';
import { instrumented } from '#shared/instrument';
import { logger } from '#shared/logger';

/** WebSocket $disconnect: forgets the connection and the orders it followed (best effort, as AWS documents). */
export const handler = instrumented(
  async (event: APIGatewayProxyWebsocketEventV2): Promise<APIGatewayProxyResultV2> => {
    const removed = await deleteConnection(event.requestContext.connectionId);
    logger.info('Connection closed', { connectionId: event.requestContext.connectionId, itemsRemoved: removed });
    return { statusCode: 200 };
  },
);
