import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  paginateScan,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import type { LocalService } from '../shared/local-service.ts';
import { ownKeyOf, type ServiceAuth } from '../shared/request-auth.ts';
import { startDynaliteThread } from './dynalite-thread.ts';
import { TTL_DELETION_HEADER } from './stream-capture.ts';
import { TableStream } from './stream-store.ts';
import { type TableSeed, tablePlan } from './tables.ts';
import { answerTtlOperation, type TtlSettings } from './ttl-api.ts';
import { sweepExpired } from './ttl-sweeper.ts';

export type { TableSeed } from './tables.ts';

export interface DynamoDbService extends LocalService {
  /** The template's tables, by physical name. */
  tableNames: string[];
  /** The template's tables with their current item count and TTL attribute (if TTL is enabled). */
  tables(): Promise<{ name: string; itemCount: number; ttlAttribute?: string }[]>;
  /** The stream of a template table with a StreamSpecification, by its stream ARN. */
  streamByArn(arn: string): TableStream | undefined;
}

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
 * The local DynamoDB endpoint: dynalite (a DynamoDB implementation on LevelDB) in a supervised worker thread (see
 * dynalite-thread.ts), its data in `persistDir` when given (kept between runs), otherwise in a temporary directory
 * removed at close; every request signed as `auth` wants (checked in that thread, refused as DynamoDB refuses it),
 * the template's tables created at start, DescribeTimeToLive/UpdateTimeToLive answered here (dynalite lacks them)
 * and expired TTL items swept away every `sweepIntervalMs` (5 s by default).
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
  // The TTL settings live here, in the main thread, so that they outlive a restarted worker; the template's are
  // applied again at each start, and an UpdateTimeToLive made at run time is not persisted with the data.
  const ttl: TtlSettings = new Map();
  const host = options.host ?? '127.0.0.1';
  const streams = new Map<string, TableStream>();
  for (const seed of options.tables) {
    const viewType = tablePlan(seed).create.StreamSpecification?.StreamViewType;
    if (!viewType) continue;
    const arn = seed.streamArn ?? `arn:aws:dynamodb:${options.region}:000000000000:table/${seed.name}/stream/local`;
    streams.set(seed.name, new TableStream({ table: seed.name, arn, viewType, region: options.region }));
  }
  const ttlToken = randomUUID();
  let tableExists: (name: string) => Promise<boolean> = () => Promise.resolve(false);
  const thread = await startDynaliteThread({
    host,
    port: options.port ?? 0,
    auth: options.auth,
    ...(options.persistDir ? { persistDir: options.persistDir } : {}),
    log: options.log ?? (() => {}),
    answerTtl: (call) => answerTtlOperation(call.operation, call, { ttl, tableExists }),
    faults: process.env.SAM_LOCAL_RUNTIME_TEST_FAULTS === '1',
    streamedTables: [...streams.keys()],
    ttlToken,
    onStreamChange: (change) => streams.get(change.table)?.append(change),
  });
  const url = thread.url;
  const internal = new DynamoDBClient({
    endpoint: url,
    region: options.auth.region,
    credentials: ownKeyOf(options.auth),
  });
  // The sweeper's deletions are marked so that their stream records carry the TTL service's identity.
  const sweeperClient = new DynamoDBClient({
    endpoint: url,
    region: options.auth.region,
    credentials: ownKeyOf(options.auth),
  });
  sweeperClient.middlewareStack.add(
    (next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers[TTL_DELETION_HEADER] = ttlToken;
      return next(args);
    },
    { step: 'build' },
  );
  tableExists = (name: string) =>
    internal.send(new DescribeTableCommand({ TableName: name })).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ResourceNotFoundException) return false;
        throw error;
      },
    );

  let sweeper: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;
  const close = async () => {
    clearInterval(sweeper);
    await sweeping;
    internal.destroy();
    sweeperClient.destroy();
    await thread.close();
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
        const count = await sweepExpired(sweeperClient, { name, ttlAttribute }, now);
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
    streamByArn: (arn) => [...streams.values()].find((stream) => stream.arn === arn),
    tables: () =>
      Promise.all(
        tableNames.map(async (name) => {
          const ttlAttribute = ttl.get(name);
          return { name, itemCount: await countItems(internal, name), ...(ttlAttribute ? { ttlAttribute } : {}) };
        }),
      ),
  };
};
