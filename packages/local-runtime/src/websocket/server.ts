import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { answerFailure } from '../services/shared/local-service.ts';
import type { RequestVerifier } from '../services/shared/request-auth.ts';
import { lingeringClose, rawJsonAnswer } from '../shared/http-port.ts';
import { requestPath } from '../shared/request-url.ts';
import type { WebSocketGateway } from './gateway.ts';
import { handleManagement } from './management.ts';

/**
 * The WebSocket port: `ws://host:port/{stage}` upgrades to the stage's API, `/{stage}/@connections/{id}` is its
 * management API (its callers' signatures checked by `verify`); anything else is API Gateway's 403. The server that
 * hands it upgraded sockets gives each an 'error' listener first (runtime/start.ts).
 */
export const webSocketPort = (gateways: WebSocketGateway[], verify: RequestVerifier) => ({
  upgrade: (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const stage = requestPath(request.url)?.replace(/^\/|\/$/g, '');
    const gateway = gateways.find((candidate) => candidate.api.stage === stage);
    if (!gateway) {
      lingeringClose(socket, rawJsonAnswer(403, 'Forbidden'));
      return;
    }
    gateway.handleUpgrade(request, socket, head).catch((error: unknown) => {
      console.error('[websocket] handshake failed', error);
      socket.destroy();
    });
  },
  request: (request: IncomingMessage, response: ServerResponse): void => {
    handleManagement(gateways, verify, request, response)
      .then((handled) => {
        if (!handled) {
          response
            .writeHead(403, {
              'Content-Type': 'application/json',
              'x-amzn-ErrorType': 'MissingAuthenticationTokenException',
            })
            .end('{"message":"Missing Authentication Token"}');
        }
      })
      .catch((error: unknown) =>
        answerFailure('websocket', response, error, (failed) =>
          failed
            .writeHead(500, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'InternalServerErrorException' })
            .end('{"message":"Internal server error"}'),
        ),
      );
  },
});
