import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import type { LocalService } from '../shared/local-service.ts';
import { type TableSeed, tablePlan } from './tables.ts';
import { sweepExpired, type TtlTable } from './ttl-sweeper.ts';

export type { TableSeed } from './tables.ts';

export interface DynamoDbService extends LocalService {
  tableNames: string[];
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

/**
 * The local DynamoDB endpoint: dynalite (a DynamoDB implementation on LevelDB, in memory unless `persistDir` is given),
 * with the template's tables created at start and expired TTL items swept away.
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
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.persistDir ? { path: options.persistDir } : {}),
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint: url,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const close = async () => {
    clearInterval(sweeper);
    client.destroy();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
  const ttlTables: TtlTable[] = [];
  let sweeper: NodeJS.Timeout | undefined;
  try {
    for (const seed of options.tables) {
      const plan = tablePlan(seed);
      try {
        await client.send(new CreateTableCommand(plan.create));
      } catch (error) {
        // A persisted table from an earlier run is kept with its data.
        if (!(error instanceof ResourceInUseException)) {
          throw new Error(`${seed.logicalId}: ${error instanceof Error ? error.message : String(error)}`, {
            cause: error,
          });
        }
      }
      await untilActive(client, seed.name);
      if (plan.ttlAttribute) {
        const keyNames = (plan.create.KeySchema ?? []).map((key) => String(key.AttributeName));
        ttlTables.push({ name: seed.name, keyNames, ttlAttribute: plan.ttlAttribute });
      }
    }
  } catch (error) {
    await close();
    throw error;
  }
  let sweeping = false;
  sweeper = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    const now = Math.floor(Date.now() / 1000);
    void Promise.all(ttlTables.map((table) => sweepExpired(client, table, now)))
      .then((counts) => {
        counts.forEach((count, i) => {
          if (count > 0) options.log?.(`[dynamodb] ${ttlTables[i]?.name}: ${count} expired items deleted (TTL)`);
        });
      })
      .catch((error: unknown) => options.log?.(`[dynamodb] TTL sweep failed: ${String(error)}`))
      .finally(() => {
        sweeping = false;
      });
  }, options.sweepIntervalMs ?? 5000);
  sweeper.unref();
  return {
    name: 'dynamodb',
    url,
    tableNames: options.tables.map((seed) => seed.name),
    close,
    tables: () =>
      Promise.all(
        options.tables.map(async (seed) => {
          const { Table } = await client.send(new DescribeTableCommand({ TableName: seed.name }));
          const ttl = ttlTables.find((table) => table.name === seed.name)?.ttlAttribute;
          return { name: seed.name, itemCount: Number(Table?.ItemCount ?? 0), ...(ttl ? { ttlAttribute: ttl } : {}) };
        }),
      ),
  };
};
