import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { tracer } from '#shared/tracer';

/** One management API client per endpoint (`https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`). */
const clients = new Map<string, ApiGatewayManagementApiClient>();
const clientFor = (endpoint: string): ApiGatewayManagementApiClient => {
  let client = clients.get(endpoint);
  if (!client) {
    client = tracer.captureAWSv3Client(new ApiGatewayManagementApiClient({ endpoint }));
    clients.set(endpoint, client);
  }
  return client;
};

export type PushResult = 'delivered' | 'gone';

/**
 * Sends a JSON message down one connection. A connection that has gone away answers 410 GoneException: that is
 * reported, not thrown, so the caller can clean it up; any other failure is thrown.
 */
export const pushToConnection = async (
  endpoint: string,
  connectionId: string,
  message: unknown,
): Promise<PushResult> => {
  try {
    await clientFor(endpoint).send(
      new PostToConnectionCommand({
        ConnectionId: connectionId,
        Data: new TextEncoder().encode(JSON.stringify(message)),
      }),
    );
    return 'delivered';
  } catch (error) {
    if (
      error instanceof GoneException ||
      (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410
    ) {
      return 'gone';
    }
    throw error;
  }
};
