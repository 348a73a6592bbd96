import { randomUUID } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { apiGatewayId, sourceIpOf } from '../gateway/exchange.ts';
import type { AwsServiceEndpoints } from '../gateway/integrations/aws-service.ts';
import type { InvokeOutcome } from '../lambda/function-pool.ts';
import { lingeringClose, rawJsonAnswer } from '../shared/http-port.ts';
import { authorizeConnect } from './connect-authorizer.ts';
import { type Connection, Connections, newConnectionId } from './connections.ts';
import { handshakeParts, type WsEventContext, wsRequestContext } from './events.ts';
import { routeResponse, runIntegration, type WsAnswer, type WsRouteRequest } from './integrations.ts';
import type { WebSocketApi, WsRoute } from './model.ts';

export interface WsLimits {
  /** Largest message a client may send (API Gateway quotas: 128 KB). */
  maxMessageBytes: number;
  /** A connection with no message for this long is closed (10 minutes). */
  idleTimeoutMs: number;
  /** Longest a connection may stay open (2 hours). */
  maxDurationMs: number;
  /** Bytes queued for a client and not yet taken by it, beyond which it is not keeping up (see push). */
  maxQueuedBytes: number;
}

export const AWS_LIMITS: WsLimits = {
  maxMessageBytes: 128 * 1024,
  idleTimeoutMs: 10 * 60_000,
  maxDurationMs: 2 * 60 * 60_000,
  // API Gateway documents no number (only that a full "WebSocket client side buffer" exists, see push). 1 MiB is
  // eight messages of the 128 KB quota waiting on top of what the kernel's socket buffers already hold: a client that
  // reads at all drains that at once on loopback, and one that never reads costs the runtime at most this much.
  maxQueuedBytes: 1024 * 1024,
};

export interface WsGatewayOptions {
  api: WebSocketApi;
  region: string;
  accountId: string;
  domainName: string;
  invoke: (target: string, event: unknown) => Promise<InvokeOutcome>;
  /** The local endpoints of AWS services, for routes with AWS integrations (DynamoDB, SQS, Step Functions). */
  awsServices?: AwsServiceEndpoints;
  log: (line: string) => void;
  limits?: Partial<WsLimits>;
}

// A refused client that neither sends on nor closes would hold the connection open: lingering close drops it.
const rejectHandshake = (socket: Duplex, status: number, message: string) =>
  lingeringClose(socket, rawJsonAnswer(status, message));

/** `$request.body.action` → the value at that path of a JSON message, as a route key. */
const selectRouteKey = (expression: string, data: string): string | undefined => {
  const path = /^\$request\.body\.(.+)$/.exec(expression)?.[1];
  if (!path) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;
};

/**
 * One WebSocket API stage (developer guide, "Working with WebSocket APIs"): the handshake runs the $connect
 * authorizer and integration before it is accepted; each message is routed by the RouteSelectionExpression (no match:
 * `$default`, or API Gateway's `Forbidden` frame when there is none); `$disconnect` runs on every close, whoever
 * closes. Messages over the size quota close the connection with 1009; idle and overlong connections are closed with
 * 1001, as API Gateway does.
 */
export class WebSocketGateway {
  readonly connections = new Connections();
  readonly api: WebSocketApi;
  private readonly options: WsGatewayOptions;
  private readonly limits: WsLimits;
  private readonly wss: WebSocketServer;
  private readonly context: WsEventContext;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(options: WsGatewayOptions) {
    this.options = options;
    this.api = options.api;
    this.limits = { ...AWS_LIMITS, ...options.limits };
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.limits.maxMessageBytes });
    this.context = {
      api: options.api,
      region: options.region,
      accountId: options.accountId,
      domainName: options.domainName,
    };
  }

  private route(routeKey: string): WsRoute | undefined {
    return this.api.routes.get(routeKey);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work)).catch(() => {});
    return work;
  }

  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const now = Date.now();
    const connection = {
      id: newConnectionId(),
      connectedAt: now,
      sourceIp: sourceIpOf(request),
      userAgent: String(request.headers['user-agent'] ?? ''),
    };
    const connect = this.route('$connect');
    const parts = handshakeParts(request);
    let authorizer: Record<string, string> | undefined;
    if (connect?.authorizer) {
      const decision = await authorizeConnect(connect.authorizer, parts, connection, this.context, this.options.invoke);
      if (!decision.allowed) {
        const message =
          decision.status === 401 ? 'Unauthorized' : decision.status === 403 ? 'Forbidden' : 'Internal server error';
        this.options.log(`WS $connect ${decision.status} (authorizer)`);
        rejectHandshake(socket, decision.status, message);
        return;
      }
      authorizer = decision.authorizer;
    }
    if (connect) {
      const answer = await this.integrate(connect, {
        eventType: 'CONNECT',
        body: '',
        headers: parts.headers,
        querystring: parts.queryStringParameters,
        requestContext: wsRequestContext(this.context, { ...connection, authorizer }, '$connect', 'CONNECT'),
        extra: { ...parts, isBase64Encoded: false },
      });
      // Any answer but a 2xx refuses the connection (developer guide, "Managing connected users and client apps:
      // $connect and $disconnect routes"). A proxy integration's status is the client's (the function's statusCode,
      // the endpoint's status); a non-proxy integration that fails (a service error, a Lambda function error) is
      // API Gateway's integration failure, 500, as is an integration that could not run (502 for a failed proxy
      // function, 504 for a timeout).
      const proxy =
        connect.integration?.backend.kind === 'lambda_proxy' || connect.integration?.backend.kind === 'http_proxy';
      const refused = !answer.ok
        ? { status: answer.status, message: answer.message, reason: answer.reason }
        : answer.errorMessage !== undefined
          ? { status: 500, message: 'Internal server error', reason: `function error: ${answer.errorMessage}` }
          : answer.status >= 200 && answer.status <= 299
            ? undefined
            : proxy
              ? {
                  status: answer.status,
                  message: STATUS_CODES[answer.status] ?? 'Refused',
                  reason: `integration answered ${answer.status}`,
                }
              : {
                  status: 500,
                  message: 'Internal server error',
                  reason: `integration answered ${answer.status}: ${answer.body.slice(0, 300)}`,
                };
      if (refused) {
        this.options.log(`WS $connect ${refused.status} — ${refused.reason}`);
        rejectHandshake(socket, refused.status, refused.message);
        return;
      }
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      this.accept(ws, { ...connection, ...(authorizer ? { authorizer } : {}), headers: parts.headers });
    });
  }

  private accept(
    socket: WebSocket,
    base: Pick<Connection, 'id' | 'connectedAt' | 'sourceIp' | 'userAgent' | 'authorizer' | 'headers'>,
  ): void {
    const connection: Connection = { ...base, socket, lastActiveAt: Date.now(), timers: [] };
    this.connections.add(connection);
    this.options.log(`WS $connect 200 ${connection.id}`);
    const closeWith = (code: number, reason: string) => {
      connection.closedBy = { code, reason };
      socket.close(code, reason);
    };
    const idle = () => {
      const timer = setTimeout(() => closeWith(1001, 'Going away'), this.limits.idleTimeoutMs);
      connection.timers[0] = timer;
    };
    idle();
    connection.timers[1] = setTimeout(() => closeWith(1001, 'Going away'), this.limits.maxDurationMs);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      connection.lastActiveAt = Date.now();
      clearTimeout(connection.timers[0]);
      idle();
      void this.track(this.message(connection, data, isBinary));
    });
    socket.on('close', (code: number, reason: Buffer) => {
      this.connections.remove(connection.id);
      void this.track(this.disconnect(connection, code, reason.toString()));
    });
    socket.on('error', (error: Error & { code?: string }) => {
      // ws has already answered with the close frame (1009 for an oversized message); 'close' follows.
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH')
        connection.closedBy = { code: 1009, reason: 'Message too big' };
    });
  }

  private async message(connection: Connection, data: RawData, isBinary: boolean): Promise<void> {
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const body = isBinary ? buffer.toString('base64') : buffer.toString('utf8');
    const selected = isBinary ? undefined : selectRouteKey(this.api.routeSelectionExpression, body);
    const route = (selected !== undefined ? this.route(selected) : undefined) ?? this.route('$default');
    // The message's request id, in API Gateway's short form: the event's requestId and extendedRequestId (one value
    // on WebSocket APIs) and the error frames' requestId.
    const requestId = apiGatewayId();
    const frame = (message: string) =>
      this.push(connection, JSON.stringify({ message, connectionId: connection.id, requestId }));
    if (!route) {
      frame('Forbidden');
      return;
    }
    const request = {
      eventType: 'MESSAGE' as const,
      body,
      headers: {},
      querystring: {},
      requestContext: wsRequestContext(this.context, connection, route.routeKey, 'MESSAGE', {
        messageId: randomUUID().replace(/-/g, '').slice(0, 16),
        requestId,
        extendedRequestId: requestId,
      }),
      extra: { body, isBase64Encoded: isBinary },
    };
    const answer = await this.integrate(route, request);
    if (!answer.ok) {
      this.options.log(`WS ${route.routeKey} ${connection.id} ${answer.status} — ${answer.reason}`);
      frame(answer.message);
      return;
    }
    this.options.log(`WS ${route.routeKey} ${connection.id} ${answer.status}`);
    // A two-way route sends the integration's answer back (developer guide, "Set up a WebSocket API route response").
    if (
      route.routeResponseSelectionExpression === undefined ||
      !route.integration ||
      connection.socket.readyState !== connection.socket.OPEN
    ) {
      return;
    }
    const reply = routeResponse(route.integration, answer, this.routeRequest(request), this.api.stageVariables);
    if ('error' in reply) {
      this.options.log(
        `WS ${route.routeKey} ${connection.id} — Execution failed due to configuration error: ${reply.error}`,
      );
      frame('Internal server error');
      return;
    }
    if (reply.body !== '') this.push(connection, reply.body);
  }

  private routeRequest(
    request: Omit<WsRouteRequest, 'proxyEvent'> & { extra: Record<string, unknown> },
  ): WsRouteRequest {
    const { extra, ...rest } = request;
    return { ...rest, proxyEvent: { ...extra, requestContext: request.requestContext } };
  }

  /** Runs the route's integration; a route whose integration cannot run locally answers API Gateway's 500. */
  private async integrate(
    route: WsRoute,
    request: Omit<WsRouteRequest, 'proxyEvent'> & { extra: Record<string, unknown> },
  ): Promise<WsAnswer> {
    if (route.problem) {
      return { ok: false, status: 500, message: 'Internal server error', reason: `not run locally: ${route.problem}` };
    }
    if (!route.integration) {
      return { ok: true, status: 200, headers: {}, body: '' };
    }
    return runIntegration(route.integration, this.routeRequest(request), {
      invoke: this.options.invoke,
      awsServices: this.options.awsServices ?? (() => undefined),
      stageVariables: this.api.stageVariables,
    });
  }

  private async disconnect(connection: Connection, code: number, reason: string): Promise<void> {
    const route = this.route('$disconnect');
    const closed = connection.closedBy ?? { code, reason };
    this.options.log(`WS $disconnect ${connection.id} ${closed.code}`);
    if (!route) return;
    const answer = await this.integrate(route, {
      eventType: 'DISCONNECT',
      body: '',
      headers: connection.headers,
      querystring: {},
      requestContext: wsRequestContext(this.context, connection, '$disconnect', 'DISCONNECT', {
        disconnectStatusCode: closed.code,
        disconnectReason: closed.reason,
      }),
      extra: { headers: connection.headers, isBase64Encoded: false },
    });
    // The connection is gone whatever $disconnect answers ("best-effort"); a failure is only logged.
    if (!answer.ok) this.options.log(`WS $disconnect ${connection.id} ${answer.status} — ${answer.reason}`);
  }

  /**
   * Sends to a connection (a route's answer, a PostToConnection), unless its client is not keeping up: with more than
   * `maxQueuedBytes` already waiting for it, nothing is queued, the connection is dropped and false returned.
   * API Gateway answers a PostToConnection that finds "the WebSocket client side buffer is full" with
   * LimitExceededException (API reference, PostToConnection, "Errors"); it documents no more. Locally the connection
   * is also closed, so that a client that stopped reading costs a bounded amount of memory, not everything pushed to
   * it until it leaves: its $disconnect runs and a later PostToConnection is 410 GoneException. No close frame is
   * sent (it would wait behind the backlog the client is not reading), so the code is 1006.
   */
  push(connection: Connection, data: string | Buffer, binary = false): boolean {
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (connection.socket.bufferedAmount + size <= this.limits.maxQueuedBytes) {
      connection.socket.send(data, { binary });
      return true;
    }
    if (!connection.closedBy) {
      connection.closedBy = { code: 1006, reason: 'Client cannot keep up' };
      this.options.log(
        `WS ${connection.id} closed: ${connection.socket.bufferedAmount} bytes wait for a client that is not reading them`,
      );
    }
    connection.socket.terminate();
    return false;
  }

  /** DeleteConnection: the server closes it, and $disconnect runs as for any close. */
  closeConnection(id: string): boolean {
    const connection = this.connections.get(id);
    if (!connection) return false;
    connection.closedBy = { code: 1000, reason: '' };
    connection.socket.close(1000);
    return true;
  }

  /** Closes every connection (each gets its $disconnect) and waits for the work in flight. */
  async close(): Promise<void> {
    await this.disconnectAll();
    this.wss.close();
  }

  /** Closes every connection as the server going away (1001), each with its $disconnect; the API keeps serving. */
  async disconnectAll(): Promise<void> {
    for (const connection of this.connections.all()) {
      connection.closedBy = { code: 1001, reason: 'Going away' };
      connection.socket.close(1001, 'Going away');
    }
    const deadline = Date.now() + 2000;
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    for (const connection of this.connections.all()) connection.socket.terminate();
    await Promise.allSettled([...this.pending]);
  }
}
