import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  paginateScan,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { refuseRepeatedHost } from '../../runtime/host-header.ts';
import { type LocalService, readRequestBody } from '../shared/local-service.ts';
import { ownKeyOf, type RequestVerifier, requestVerifier, type ServiceAuth } from '../shared/request-auth.ts';
import { type TableSeed, tablePlan } from './tables.ts';
import { answerDynamoDbJson, answerTtlOperation, type TtlSettings, ttlOperationOf } from './ttl-api.ts';
import { sweepExpired } from './ttl-sweeper.ts';

export type { TableSeed } from './tables.ts';

export interface DynamoDbService extends LocalService {
  /** The template's tables, by physical name. */
  tableNames: string[];
  /** The template's tables with their current item count and TTL attribute (if TTL is enabled). */
  tables(): Promise<{ name: string; itemCount: number; ttlAttribute?: string }[]>;
}

type Dynalite = (options: Record<string, unknown>) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;
// dynalite's own limit (MAX_REQUEST_BYTES), answered as it answers it: 413 with no body.
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/**
 * The request again, for dynalite, which reads the body from the stream itself: the front has read it already to
 * check the signature. dynalite uses the headers, method, url and the stream's events, nothing else.
 */
const replayOf = (request: IncomingMessage, body: Buffer): IncomingMessage =>
  Object.assign(Readable.from(body.length > 0 ? [body] : []), {
    headers: request.headers,
    method: request.method,
    url: request.url,
  }) as unknown as IncomingMessage;

/**
 * DynamoDB's answer to a refused signature, before dynalite sees the request (which checks only that one is there):
 * 400 with `com.amazon.coral.service#<Exception>`, as dynalite's sources record DynamoDB's answers.
 */
export const verifyServiceRequest = async (
  verify: RequestVerifier,
  request: IncomingMessage,
  body: Buffer,
  response: ServerResponse,
): Promise<boolean> => {
  // A GET is DynamoDB's health check and an OPTIONS a browser's CORS preflight: both answered unsigned.
  if (request.method !== 'POST') return true;
  const signature = await verify(request, body);
  if (signature.ok) return true;
  answerDynamoDbJson(request, response, 400, {
    __type: `com.amazon.coral.service#${signature.errorType}`,
    message: signature.message,
  });
  return false;
};

/** dynalite reports a new table CREATING for a moment, longer with LevelDB on disk; callers expect it ready. */
const untilActive = async (client: DynamoDBClient, name: string): Promise<void> => {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`table ${name} did not become ACTIVE`);
};

// dynalite's DescribeTable reports ItemCount 0 whatever the table holds (DynamoDB refreshes it every six hours or so);
// the local pages want the real number, and tables are small locally.
const countItems = async (client: DynamoDBClient, name: string): Promise<number> => {
  let count = 0;
  for await (const page of paginateScan({ client }, { TableName: name, Select: 'COUNT' })) count += page.Count ?? 0;
  return count;
};

const createTables = async (client: DynamoDBClient, seeds: TableSeed[], ttl: TtlSettings): Promise<void> => {
  for (const seed of seeds) {
    const plan = tablePlan(seed);
    try {
      await client.send(new CreateTableCommand(plan.create));
    } catch (error) {
      // A table persisted by an earlier run is kept with its data (and its key schema: delete the directory after
      // changing the template's keys).
      if (!(error instanceof ResourceInUseException)) {
        throw new Error(`${seed.logicalId}: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
    }
    await untilActive(client, seed.name);
    if (plan.ttlAttribute) ttl.set(seed.name, plan.ttlAttribute);
  }
};

/**
 * The local DynamoDB endpoint: dynalite (a DynamoDB implementation on LevelDB, in memory unless `persistDir` is given),
 * with the template's tables created at start, DescribeTimeToLive/UpdateTimeToLive answered here (dynalite lacks
 * them) and expired TTL items swept away every `sweepIntervalMs` (5 s by default).
 */
export const startDynamoDbService = async (options: {
  tables: TableSeed[];
  region: string;
  auth: ServiceAuth;
  persistDir?: string;
  host?: string;
  port?: number;
  log?: (line: string) => void;
  sweepIntervalMs?: number;
}): Promise<DynamoDbService> => {
  // Tables are ACTIVE at once: nothing local waits for capacity to be provisioned.
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.persistDir ? { path: options.persistDir } : {}),
  });
  // The TTL settings live in memory: the template's are applied again at each start, and an UpdateTimeToLive made at
  // run time is not persisted with the data.
  const ttl: TtlSettings = new Map();
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  const internal = new DynamoDBClient({
    endpoint: url,
    region: options.auth.region,
    credentials: ownKeyOf(options.auth),
  });
  const tableExists = (name: string) =>
    internal.send(new DescribeTableCommand({ TableName: name })).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ResourceNotFoundException) return false;
        throw error;
      },
    );

  // The front reads each body, checks its signature, then answers the two TTL targets itself and hands everything
  // else to dynalite on the same port (no proxy hop). Swapped in before any request can arrive: the listen callback
  // and this continuation run before the next poll for connections.
  const [dynaliteHandler] = server.listeners('request') as RequestListener[];
  if (!dynaliteHandler) throw new Error('dynalite has no request handler');
  server.removeAllListeners('request');
  const verify = requestVerifier(options.auth, 'dynamodb');
  const front = async (request: IncomingMessage, response: ServerResponse) => {
    if (refuseRepeatedHost(request, response)) return;
    const body = await readRequestBody(request, MAX_REQUEST_BYTES);
    if (body === undefined) {
      response.writeHead(413).end();
      return;
    }
    if (!(await verifyServiceRequest(verify, request, body, response))) return;
    const operation = ttlOperationOf(request);
    if (operation) await answerTtlOperation(operation, request, body, response, { ttl, tableExists });
    else dynaliteHandler(replayOf(request, body), response);
  };
  server.on('request', (request, response) => {
    front(request, response).catch((error: unknown) => {
      options.log?.(`[dynamodb] ${ttlOperationOf(request) ?? 'request'} failed: ${String(error)}`);
      if (!response.headersSent) response.writeHead(500).end(JSON.stringify({ __type: 'InternalServerError' }));
    });
  });

  let sweeper: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;
  const close = async () => {
    clearInterval(sweeper);
    await sweeping;
    internal.destroy();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
  try {
    await createTables(internal, options.tables, ttl);
  } catch (error) {
    await close();
    throw error;
  }

  const sweep = async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const [name, ttlAttribute] of ttl) {
      try {
        const count = await sweepExpired(internal, { name, ttlAttribute }, now);
        if (count > 0) options.log?.(`[dynamodb] ${name}: ${count} expired items deleted (TTL)`);
      } catch (error) {
        // A table deleted at run time takes its TTL setting with it, as in DynamoDB.
        if (error instanceof ResourceNotFoundException) ttl.delete(name);
        else options.log?.(`[dynamodb] TTL sweep of ${name} failed: ${String(error)}`);
      }
    }
  };
  sweeper = setInterval(() => {
    sweeping ??= sweep().finally(() => {
      sweeping = undefined;
    });
  }, options.sweepIntervalMs ?? 5000);
  // The sweeper alone must not keep the process alive.
  sweeper.unref();

  const tableNames = options.tables.map((seed) => seed.name);
  return {
    name: 'dynamodb',
    url,
    tableNames,
    close,
    tables: () =>
      Promise.all(
        tableNames.map(async (name) => {
          const ttlAttribute = ttl.get(name);
          return { name, itemCount: await countItems(internal, name), ...(ttlAttribute ? { ttlAttribute } : {}) };
        }),
      ),
  };
};
