import type { WebSocket } from 'ws';
import { randomText } from '../gateway/exchange.ts';

export interface Connection {
  id: string;
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  headers: Record<string, string>;
  /** The $connect authorizer's principal and context, given to every route of the connection. */
  authorizer?: Record<string, string>;
  /** Why the server closed it, for the $disconnect event. */
  closedBy?: { code: number; reason: string };
  timers: NodeJS.Timeout[];
}

/**
 * An id shaped like API Gateway's: 11 random bytes in the URL-safe base64 alphabet, then `=` (16 characters, e.g.
 * `CzT4mcP2DoECJ8g=`). URL-safe because templates put `$context.connectionId` into form-encoded bodies and URLs,
 * where a `+` would come back as a space (issue 21: API Gateway's ids never hold `+` or `/`). Opaque and unique.
 * From the gateway's pool of random bytes, as its request ids are: a randomBytes call per handshake costs a syscall.
 */
export const newConnectionId = (): string => `${randomText(11, 'base64url').slice(0, 15)}=`;

/** The live connections of one WebSocket API. */
export class Connections {
  private readonly byId = new Map<string, Connection>();

  add(connection: Connection): void {
    this.byId.set(connection.id, connection);
  }

  get(id: string): Connection | undefined {
    return this.byId.get(id);
  }

  remove(id: string): void {
    const connection = this.byId.get(id);
    for (const timer of connection?.timers ?? []) clearTimeout(timer);
    this.byId.delete(id);
  }

  get size(): number {
    return this.byId.size;
  }

  all(): Connection[] {
    return [...this.byId.values()];
  }
}
