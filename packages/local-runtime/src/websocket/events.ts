import type { IncomingMessage } from 'node:http';
import { apiGatewayId, forwardedHeaders } from '../gateway/exchange.ts';
import { appendTo, keyed } from '../shared/client-keyed.ts';
import { requestUrl } from '../shared/request-url.ts';
import type { Connection } from './connections.ts';
import type { WebSocketApi } from './model.ts';

export interface WsEventContext {
  api: WebSocketApi;
  region: string;
  accountId: string;
  domainName: string;
}

// API Gateway's request time format: 25/Nov/2026:10:00:00 +0000.
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const requestTime = (date: Date): string => {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
};

/**
 * Headers and query string of the handshake, single- and multi-valued, as API Gateway passes them on $connect, in
 * keyed maps (a header may be named `constructor` or `__proto__`: see client-keyed.ts).
 */
export const handshakeParts = (request: IncomingMessage) => {
  const headers = keyed<string>();
  const multiValueHeaders = keyed<string[]>();
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    const value = request.rawHeaders[i + 1] as string;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
    appendTo(multiValueHeaders, name, value);
  }
  // What API Gateway adds to the $connect request it passes on, as on REST and HTTP APIs.
  for (const [name, value] of Object.entries(forwardedHeaders(request))) {
    headers[name] = value;
    multiValueHeaders[name] = [value];
  }
  const url = requestUrl(request.url);
  const queryStringParameters = keyed<string>();
  const multiValueQueryStringParameters = keyed<string[]>();
  for (const [name, value] of url.searchParams) {
    queryStringParameters[name] = value;
    appendTo(multiValueQueryStringParameters, name, value);
  }
  return { headers, multiValueHeaders, queryStringParameters, multiValueQueryStringParameters };
};

/**
 * The requestContext of a WebSocket event (developer guide, "WebSocket API integration request in API Gateway" and
 * the `$context` variables for WebSocket APIs).
 */
export const wsRequestContext = (
  context: WsEventContext,
  connection: Pick<Connection, 'id' | 'connectedAt' | 'sourceIp' | 'userAgent' | 'authorizer'>,
  routeKey: string,
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
  extra: Record<string, unknown> = {},
) => {
  const now = new Date();
  // On WebSocket APIs requestId and extendedRequestId are one value (the developer guide's samples).
  const id = apiGatewayId();
  return {
    routeKey,
    eventType,
    extendedRequestId: id,
    requestTime: requestTime(now),
    messageDirection: 'IN',
    stage: context.api.stage,
    connectedAt: connection.connectedAt,
    requestTimeEpoch: now.getTime(),
    identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
    requestId: id,
    domainName: context.domainName,
    connectionId: connection.id,
    apiId: context.api.id,
    ...(connection.authorizer ? { authorizer: { ...connection.authorizer } } : {}),
    ...extra,
  };
};

/** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{routeKey}`, what an authorizer's policy is checked against. */
export const wsMethodArn = (context: WsEventContext, routeKey: string): string =>
  `arn:aws:execute-api:${context.region}:${context.accountId}:${context.api.id}/${context.api.stage}/${routeKey}`;
