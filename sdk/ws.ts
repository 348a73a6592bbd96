import type { components } from './generated/asyncapi.ts';

/**
 * The typed client of the Orders WebSocket API, with the message types generated from its AsyncAPI document
 * (`npm run sdk`). It runs on the standard WebSocket (browsers, Node.js 22+) or any constructor of the same shape
 * (the `ws` package).
 *
 *   const socket = await connectOrdersSocket(wsUrl, token);
 *   socket.send({ action: 'subscribe', orderId });
 *   const status = await socket.next('order-status', (message) => message.status !== 'PROCESSING');
 */
type Schemas = components['schemas'];
export type ClientMessage = Schemas['Subscribe'] | Schemas['Publish'];
export type ServerMessage =
  | Schemas['Subscribed']
  | Schemas['Published']
  | Schemas['ErrorReply']
  | Schemas['OrderEventPush']
  | Schemas['OrderStatusPush'];
export type ServerMessageType = ServerMessage['type'];
/** What API Gateway itself sends when a route has no integration or its function failed. */
export type GatewayFrame = Schemas['GatewayError'];

/** The part of the WebSocket interface the client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface OrdersSocket {
  /** Every message received so far, in order (server messages and gateway frames). */
  readonly messages: readonly (ServerMessage | GatewayFrame)[];
  send(message: ClientMessage): void;
  /** The first message of this type (received before or after the call) that `match` accepts. */
  next<T extends ServerMessageType>(
    type: T,
    match?: (message: Extract<ServerMessage, { type: T }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<ServerMessage, { type: T }>>;
  /** Resolves when the connection has closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(): Promise<{ code: number; reason: string }>;
}

export class SocketRefusedError extends Error {
  override readonly name = 'SocketRefusedError';
}

const isServerMessage = (value: unknown): value is ServerMessage =>
  typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';

/** Opens `url?token=...` (the `$connect` authorizer reads the query string) and resolves once open. */
export const connectOrdersSocket = (
  url: string,
  token: string,
  options: { WebSocket?: WebSocketConstructor } = {},
): Promise<OrdersSocket> => {
  const Socket = options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketConstructor | undefined);
  if (!Socket) throw new Error('no WebSocket implementation: pass options.WebSocket (the ws package)');
  const target = new URL(url);
  target.searchParams.set('token', token);
  const socket = new Socket(target.href);
  const messages: (ServerMessage | GatewayFrame)[] = [];
  const waiters = new Set<() => void>();
  let closedInfo: { code: number; reason: string } | undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.addEventListener('close', (event) => {
      closedInfo = { code: event.code, reason: event.reason };
      resolve(closedInfo);
      for (const waiter of waiters) waiter();
    });
  });
  socket.addEventListener('message', (event) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof event.data === 'string' ? event.data : String(event.data));
    } catch {
      return; // the API sends JSON only
    }
    if (typeof parsed === 'object' && parsed !== null) messages.push(parsed as ServerMessage | GatewayFrame);
    for (const waiter of waiters) waiter();
  });
  const client: OrdersSocket = {
    messages,
    closed,
    send: (message) => socket.send(JSON.stringify(message)),
    next: (type, match, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        type Wanted = Extract<ServerMessage, { type: typeof type }>;
        const check = () => {
          const hit = messages.find(
            (message): message is Wanted =>
              isServerMessage(message) && message.type === type && (!match || match(message as Wanted)),
          );
          if (hit) {
            done();
            resolve(hit);
          } else if (closedInfo) {
            done();
            reject(new Error(`closed (${closedInfo.code}) before a ${type} message; got ${JSON.stringify(messages)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${type} message in ${timeoutMs} ms; got ${JSON.stringify(messages)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    close: () => {
      socket.close(1000, 'done');
      return closed;
    },
  };
  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () => resolve(client));
    // The standard WebSocket does not tell why a handshake failed; the authorizer answers 401 or 403.
    socket.addEventListener('error', () => {
      if (socket.readyState !== 1) reject(new SocketRefusedError(`could not connect to ${url}`));
    });
  });
};
