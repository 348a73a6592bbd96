import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestBody } from '../services/shared/local-service.ts';
import type { RequestVerifier } from '../services/shared/request-auth.ts';
import { decodedPathPart, requestPath } from '../shared/request-url.ts';
import type { WebSocketGateway } from './gateway.ts';

const MAX_POST_BYTES = 128 * 1024;
const CONNECTION_ID = /^[A-Za-z0-9+/=_-]{1,128}$/;

const answer = (response: ServerResponse, status: number, body?: unknown, errorType?: string) => {
  response.writeHead(status, {
    ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
  });
  response.end(body === undefined ? undefined : JSON.stringify(body));
};

const gone = (response: ServerResponse) => answer(response, 410, { message: null }, 'GoneException');
const missingToken = (response: ServerResponse) =>
  answer(response, 403, { message: 'Missing Authentication Token' }, 'MissingAuthenticationTokenException');
const METHODS = new Set(['POST', 'GET', 'DELETE']);

/**
 * The @connections management API of a stage (`POST|GET|DELETE /{stage}/@connections/{connectionId}`, developer
 * guide, "Use @connections commands in your backend service"), which `@aws-sdk/client-apigatewaymanagementapi`
 * calls: a connection that is unknown or already closed is `410 GoneException`, a malformed id `400
 * BadRequestException`; a message over 128 KB is `413 PayloadTooLargeException`, one for a client that is not
 * reading what it was sent `429 LimitExceededException` (see WebSocketGateway.push). Like every API Gateway
 * management call it needs IAM: a SigV4 signature (service `execute-api`) that `verify` accepts — the functions' SDK
 * clients sign with the local credentials — or API Gateway's 403 (`Missing Authentication Token` unsigned, the
 * signature's own error otherwise).
 */
export const handleManagement = async (
  gateways: WebSocketGateway[],
  verify: RequestVerifier,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<boolean> => {
  // Repeated slashes are one, as on every API Gateway endpoint: an SDK client whose endpoint ends in `/` asks for
  // `/stage//@connections/{id}`, which AWS answers.
  const path = requestPath(request.url)?.replace(/\/{2,}/g, '/');
  const match = path === undefined ? null : /^\/([^/]+)\/@connections\/([^/]+)$/.exec(path);
  if (!match) return false;
  const [, stage = '', encodedId = ''] = match;
  const gateway = gateways.find((candidate) => candidate.api.stage === stage);
  if (!gateway) {
    answer(response, 403, { message: 'Forbidden' }, 'ForbiddenException');
    return true;
  }
  if (!METHODS.has(request.method ?? '')) {
    missingToken(response);
    return true;
  }
  const body = await readRequestBody(request, MAX_POST_BYTES);
  if (body === undefined) {
    answer(response, 413, { message: 'Request entity too large' }, 'PayloadTooLargeException');
    return true;
  }
  const signature = await verify(request, body);
  if (!signature.ok) {
    if (signature.errorType === 'MissingAuthenticationTokenException') missingToken(response);
    else answer(response, 403, { message: signature.message }, signature.errorType);
    return true;
  }
  // A malformed id is refused before any lookup: API Gateway answers `BadRequestException: Invalid connectionId`.
  // Its ids are base64 text, so anything else (spaces, other punctuation, broken percent-encoding) cannot be one.
  const id = decodedPathPart(encodedId);
  if (id === undefined || !CONNECTION_ID.test(id)) {
    answer(response, 400, { message: `Invalid connectionId: ${id ?? encodedId}` }, 'BadRequestException');
    return true;
  }
  const connection = gateway.connections.get(id);
  const open = connection && connection.socket.readyState === connection.socket.OPEN;
  switch (request.method) {
    case 'POST': {
      if (!connection || !open) {
        gone(response);
        return true;
      }
      if (gateway.push(connection, body, !isUtf8(body))) answer(response, 200);
      else {
        answer(response, 429, { message: 'The WebSocket client side buffer is full' }, 'LimitExceededException');
      }
      return true;
    }
    case 'GET':
      if (!connection || !open) gone(response);
      else
        answer(response, 200, {
          connectedAt: new Date(connection.connectedAt).toISOString(),
          identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
          lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
        });
      return true;
    case 'DELETE':
      if (!connection || !open) gone(response);
      else {
        gateway.closeConnection(connection.id);
        answer(response, 204);
      }
      return true;
    default:
      missingToken(response);
      return true;
  }
};
