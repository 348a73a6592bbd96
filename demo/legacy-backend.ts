import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A sample "existing back end" for `ANY /v1/legacy/{proxy+}` (an HTTP proxy integration to `LegacyBackendUrl`):
 * a small customer system that knows nothing of tokens or API keys — the gateway adds those in front of it.
 * `npm start` runs it on a free loopback port and points `LegacyBackendUrl` at it (demo/start.ts), so
 * `GET /dev/v1/legacy/customers/c-1001` answers at once. It is the starter's demo, not part of the runtime.
 *
 *   GET  /customers          the customers
 *   GET  /customers/{id}     one customer, or 404
 *   POST /customers          {"name": "...", "email": "..."} → 201 with the new customer (kept in memory)
 *   anything else            404 (or 405 on a known path), JSON
 *
 * Every answer carries `x-legacy-backend: sample` and a `seen` block with what reached the back end (method, path,
 * query, and whether an Authorization header was passed through), so the proxying can be watched.
 */
export interface Customer {
  id: string;
  name: string;
  email: string;
  tier: 'basic' | 'premium';
  since: string;
}

export interface LegacyBackend {
  url: string;
  close: () => Promise<void>;
}

const seedCustomers = (): Map<string, Customer> =>
  new Map(
    [
      { id: 'c-1001', name: 'Alice Example', email: 'alice@example.com', tier: 'premium', since: '2019-04-02' },
      { id: 'c-1002', name: 'Bob Example', email: 'bob@example.com', tier: 'basic', since: '2021-11-17' },
      { id: 'c-1003', name: 'Carol Example', email: 'carol@example.com', tier: 'basic', since: '2024-06-30' },
    ].map((customer): [string, Customer] => [customer.id, customer as Customer]),
  );

const MAX_BODY = 64 * 1024;

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    // An oversized body is read to its end (and dropped), so the caller still gets its 400.
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    request.on('end', () =>
      size > MAX_BODY ? reject(new Error('body too large')) : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    request.on('error', reject);
  });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The request handler on its own (tests and other servers can mount it). */
export const legacyHandler = (customers = seedCustomers()) => {
  let next = 1000 + customers.size + 1;
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://legacy.local');
    const seen = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorizationPassedThrough: typeof request.headers.authorization === 'string',
    };
    const send = (status: number, body: Record<string, unknown>) => {
      response
        .writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'x-legacy-backend': 'sample' })
        .end(JSON.stringify({ ...body, seen }));
    };
    const segments = url.pathname.split('/').filter(Boolean);
    if (segments[0] !== 'customers' || segments.length > 2) {
      send(404, { error: 'NotFound', message: `No such resource: ${url.pathname}`, try: '/customers' });
      return;
    }
    const id = segments[1] === undefined ? undefined : decodeURIComponent(segments[1]);
    if (id === undefined && request.method === 'GET') {
      send(200, { customers: [...customers.values()] });
      return;
    }
    if (id !== undefined && request.method === 'GET') {
      const customer = customers.get(id);
      if (customer) send(200, { customer });
      else send(404, { error: 'NotFound', message: `No customer ${id}` });
      return;
    }
    if (id === undefined && request.method === 'POST') {
      let input: unknown;
      try {
        input = JSON.parse(await readBody(request));
      } catch {
        send(400, { error: 'BadRequest', message: 'The body must be JSON (at most 64 KB)' });
        return;
      }
      const name = isRecord(input) ? input.name : undefined;
      const email = isRecord(input) ? input.email : undefined;
      if (typeof name !== 'string' || name.trim() === '' || typeof email !== 'string' || !email.includes('@')) {
        send(400, { error: 'BadRequest', message: 'Give a non-empty "name" and an "email"' });
        return;
      }
      const customer: Customer = {
        id: `c-${next++}`,
        name: name.trim(),
        email,
        tier: 'basic',
        since: new Date().toISOString().slice(0, 10),
      };
      customers.set(customer.id, customer);
      send(201, { customer });
      return;
    }
    send(405, { error: 'MethodNotAllowed', message: `${request.method} is not allowed on ${url.pathname}` });
  };
};

/** Listens on 127.0.0.1 (port 0: a free one) and resolves with its URL. */
export const startLegacyBackend = (port = 0): Promise<LegacyBackend> => {
  const handle = legacyHandler();
  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'application/json' });
      response.end('{"error":"InternalError"}');
    });
  });
  // The gateway keeps connections alive; closing must not wait for them.
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${bound}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
};
