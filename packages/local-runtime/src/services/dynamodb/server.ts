import type { RequestListener, Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  paginateScan,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { refuseRepeatedHost } from '../../runtime/host-header.ts';
import type { LocalService } from '../shared/local-service.ts';
import { type TableSeed, tablePlan } from './tables.ts';
import { answerTtlOperation, type TtlSettings, ttlOperationOf } from './ttl-api.ts';
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
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tableExists = (name: string) =>
    internal.send(new DescribeTableCommand({ TableName: name })).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ResourceNotFoundException) return false;
        throw error;
      },
    );

  // The two TTL targets are taken by the X-Amz-Target header alone, before dynalite reads the body, so everything
  // else reaches dynalite untouched on the same port (no proxy hop). Swapped in before any request can arrive: the
  // listen callback and this continuation run before the next poll for connections.
  const [dynaliteHandler] = server.listeners('request') as RequestListener[];
  if (!dynaliteHandler) throw new Error('dynalite has no request handler');
  server.removeAllListeners('request');
  server.on('request', (request, response) => {
    if (refuseRepeatedHost(request, response)) return;
    const operation = ttlOperationOf(request);
    if (!operation) {
      dynaliteHandler(request, response);
      return;
    }
    answerTtlOperation(operation, request, response, { ttl, tableExists }).catch((error: unknown) => {
      options.log?.(`[dynamodb] ${operation} failed: ${String(error)}`);
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
