import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { startDynamoDbService } from 'sam-local-runtime/services/dynamodb/server';

/**
 * `npm run bench:dynamodb`: PutItem and GetItem per second against the local DynamoDB as the runtime runs it (dynalite
 * in a supervised worker thread, LevelDB on disk, so that a restarted worker keeps the data, each signature checked),
 * beside bare dynalite (no signature check) in the main thread in memory (how the runtime ran it before: the baseline)
 * and in the main thread on disk (the cost of the disk alone), in one run: the median of BENCH_ROUNDS (default 3) rounds. BENCH_ITEMS (default 2000) and
 * BENCH_CONNECTIONS (default 8) change the load.
 */
const items = Number(process.env.BENCH_ITEMS ?? 2000);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const WARM_UP = 300;
const TABLE = 'bench';
const KEY = { accessKeyId: 'local', secretAccessKey: 'local' };

type Dynalite = (options: Record<string, unknown>) => Server;
// dynalite is the runtime's dependency, resolved from its package.
const dynalite = createRequire(fileURLToPath(import.meta.resolve('sam-local-runtime')))('dynalite') as Dynalite;

interface Endpoint {
  url: string;
  close: () => Promise<void>;
}

const inMainThread = async (path?: string): Promise<Endpoint> => {
  const server = dynalite({ createTableMs: 0, ...(path ? { path } : {}) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = clientOf(url);
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  // dynalite reports the new table CREATING for a moment, even with createTableMs 0.
  while ((await client.send(new DescribeTableCommand({ TableName: TABLE }))).Table?.TableStatus !== 'ACTIVE') {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  client.destroy();
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
};

const asTheRuntimeRunsIt = async (): Promise<Endpoint> => {
  const service = await startDynamoDbService({
    region: 'us-east-1',
    // The runtime checks every signature: the bench's clients sign with this key.
    auth: {
      credentials: [{ ...KEY, accountId: '123456789012', userName: 'bench' }],
      region: 'us-east-1',
      acceptAnySignature: false,
    },
    tables: [
      {
        logicalId: 'Bench',
        name: TABLE,
        properties: {
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        },
      },
    ],
  });
  return service;
};

const clientOf = (endpoint: string) => new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: KEY });

/** Runs `operation` for keys first..first+count-1 on `connections` clients at once; seconds taken. */
const timed = async (count: number, first: number, operation: (key: string) => Promise<unknown>) => {
  let next = first;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (next < first + count) {
        const key = `item-${next}`;
        next += 1;
        await operation(key);
      }
    }),
  );
  return (performance.now() - started) / 1000;
};

const measure = async (endpoint: Endpoint) => {
  const client = clientOf(endpoint.url);
  const put = (key: string) =>
    client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: { pk: { S: key }, status: { S: 'PLACED' }, total: { N: '42.5' }, note: { S: 'x'.repeat(200) } },
      }),
    );
  const get = (key: string) => client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: key } } }));
  try {
    await timed(WARM_UP, 0, put);
    await timed(WARM_UP, 0, get);
    const putSeconds = await timed(items, WARM_UP, put);
    const getSeconds = await timed(items, WARM_UP, get);
    return { put: items / putSeconds, get: items / getSeconds };
  } finally {
    client.destroy();
    await endpoint.close();
  }
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const setups: { name: string; start: (round: number) => Promise<Endpoint> }[] = [
  { name: 'dynalite in the main thread, in memory (before)', start: () => inMainThread() },
  {
    name: 'dynalite in the main thread, LevelDB on disk',
    start: (round) => inMainThread(join(directory, `round-${round}`)),
  },
  { name: 'local DynamoDB: worker thread, LevelDB on disk', start: () => asTheRuntimeRunsIt() },
];

const directory = mkdtempSync(join(tmpdir(), 'bench-dynamodb-'));
try {
  // Rounds alternate the setups, so that a busy moment of the machine does not fall on one of them only.
  const results = setups.map(() => ({ put: [] as number[], get: [] as number[] }));
  for (let round = 0; round < rounds; round += 1) {
    for (const [i, setup] of setups.entries()) {
      const result = await measure(await setup.start(round));
      results[i]?.put.push(result.put);
      results[i]?.get.push(result.get);
    }
  }
  const rows = setups.map((setup, i) => ({
    name: setup.name,
    put: median(results[i]?.put ?? []),
    get: median(results[i]?.get ?? []),
  }));
  const base = rows[0] as (typeof rows)[number];
  const header = ['setup', 'PutItem/s', 'vs before', 'GetItem/s', 'vs before'];
  const lines = rows.map((row) => [
    row.name,
    row.put.toFixed(0),
    `${((row.put / base.put) * 100).toFixed(0)}%`,
    row.get.toFixed(0),
    `${((row.get / base.get) * 100).toFixed(0)}%`,
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...lines].map((line) => (line[i] ?? '').length)));
  console.log(`${items} items, ${connections} connections, median of ${rounds} rounds, Node ${process.version}\n`);
  for (const line of [header, ...lines]) {
    console.log(
      line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '),
    );
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}
