import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { startChild, startRuntimeChild } from './child.ts';
import { lambdaEnvironment } from './lambda-environment.ts';
import { cpuUsOf } from './load.ts';

/**
 * `npm run bench:ws`: connections/s accepted through the $connect authorizer and integration, and messages/s fanned
 * out to N subscribers through the real consumer and @connections, beside a bare `ws` server doing the same work
 * (accept; broadcast) and the handler ceiling (bench/ws/ceiling-server.ts) in one run, the runtime's and the
 * ceiling's rounds interleaved so that a change in the machine's other load falls on both; beside connections/s, the
 * CPU time the serving processes spent per connection. BENCH_CONNECTIONS (default 300), BENCH_WARMUP (default 3), BENCH_SUBSCRIBERS (default
 * 200) and BENCH_EVENTS (default 20) change the load.
 */
const connections = Number(process.env.BENCH_CONNECTIONS ?? 300);
const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 200);
const events = Number(process.env.BENCH_EVENTS ?? 20);
const CONCURRENCY = 20;
const ROUNDS = 5;
/**
 * Unmeasured rounds between the first and the measured ones. Each of the runtime's environments is an isolate of
 * its own that optimises the handlers' code by itself: 20 handshakes at once keep about 10 environments of the
 * authorizer and of $connect busy, so a round of 300 gives each about 30 invocations, where the in-process ceiling's
 * one isolate sees all 300. BENCH_WARMUP (default 3) sets how many rounds both take before they are measured.
 */
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);

const open = (url: string, onMessage?: (data: string) => void): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('open', () => resolve(socket));
    socket.on('error', reject);
    socket.on('unexpected-response', (_request, response) => reject(new Error(`refused ${response.statusCode}`)));
    if (onMessage) socket.on('message', (data) => onMessage(data.toString()));
  });

interface ConnectRound {
  seconds: number;
  /** Handshake latencies, ms, sorted. */
  latencies: number[];
  /** CPU time the serving processes (`pids`, all their threads) spent until the last handshake, µs. */
  cpuUs: number;
}

/** Opens `count` connections, `concurrency` at a time, then closes them all. */
const connectRound = async (
  url: string,
  count: number,
  concurrency = CONCURRENCY,
  pids: number[] = [],
): Promise<ConnectRound> => {
  const sockets: WebSocket[] = [];
  const latencies: number[] = [];
  let next = 0;
  const cpu = () => pids.reduce((sum, pid) => sum + cpuUsOf(pid), 0);
  const cpuBefore = cpu();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        const opened = performance.now();
        sockets.push(await open(url));
        latencies.push(performance.now() - opened);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuUs = cpu() - cpuBefore;
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise((resolve) => {
          socket.once('close', resolve);
          socket.close();
        }),
    ),
  );
  return { seconds, latencies: latencies.sort((a, b) => a - b), cpuUs };
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

interface ConnectFigures {
  /** Connections/s of the first round: for the runtime, its execution environments start during it. */
  cold: number;
  /** Median connections/s of ROUNDS rounds after it and WARMUP more. */
  warm: number;
  /** Median CPU time per connection of those rounds, ms (all threads of the serving processes). */
  cpuMs: number;
  /** Median handshake latency, ms, one connection at a time. */
  latency: number;
}

/** A server under test: its URL, the processes whose CPU serves it, and what to wait for after a round. */
interface Server {
  url: string;
  pids: number[];
  /** Waits for the work a round's closes left (the runtime's $disconnect invocations): no round pays for another. */
  settle: () => Promise<void>;
}

/**
 * Every server gets the same rounds: a first one (JIT; for the runtime, the cold starts of the authorizer's,
 * $connect's and $disconnect's environments), WARMUP unmeasured ones, ROUNDS measured ones, then one connection at a
 * time for the latency.
 * The servers take turns round by round, so that the machine's other load (a shared machine) weighs on each alike.
 */
const connectFigures = async (servers: Server[]): Promise<ConnectFigures[]> => {
  const cold: number[] = [];
  const rates = servers.map((): number[] => []);
  const cpu = servers.map((): number[] => []);
  const latency: number[] = [];
  for (const server of servers) {
    cold.push(connections / (await connectRound(server.url, connections, CONCURRENCY, server.pids)).seconds);
    await server.settle();
  }
  for (let round = 0; round < WARMUP; round += 1) {
    for (const server of servers) {
      await connectRound(server.url, connections, CONCURRENCY, server.pids);
      await server.settle();
    }
  }
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [i, server] of servers.entries()) {
      const measured = await connectRound(server.url, connections, CONCURRENCY, server.pids);
      rates[i]?.push(connections / measured.seconds);
      cpu[i]?.push(measured.cpuUs / 1000 / connections);
      await server.settle();
    }
  }
  for (const server of servers) {
    latency.push(median((await connectRound(server.url, 50, 1)).latencies));
    await server.settle();
  }
  return servers.map((_, i) => ({
    cold: cold[i] ?? 0,
    warm: median(rates[i] ?? []),
    cpuMs: median(cpu[i] ?? []),
    latency: latency[i] ?? 0,
  }));
};

const until = async (check: () => boolean, timeoutMs = 120_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

const bare = async () => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  // Its CPU is not measured: it shares this process with the client.
  const [connect] = await connectFigures([{ url, pids: [], settle: async () => {} }]);
  if (!connect) throw new Error('no figures');
  let received = 0;
  const sockets = await Promise.all(Array.from({ length: subscribers }, () => open(url, () => (received += 1))));
  const started = performance.now();
  for (let i = 0; i < events; i += 1) {
    const message = JSON.stringify({ type: 'order-event', n: i });
    for (const client of wss.clients) client.send(message);
  }
  await until(() => received >= subscribers * events);
  const fanoutSeconds = (performance.now() - started) / 1000;
  for (const socket of sockets) socket.close();
  wss.close();
  return { connect, fanoutSeconds };
};

/** Resolves once $disconnect has removed every connection from the connections table (it runs after each close). */
const disconnectsDone = async (origin: string) => {
  const connected = async () => {
    const tables = (await (await fetch(`${origin}/_local/tables`)).json()) as { name: string; itemCount: number }[];
    return tables.find((table) => /connection/i.test(table.name))?.itemCount ?? 0;
  };
  const deadline = Date.now() + 60_000;
  while ((await connected()) > 0) {
    if (Date.now() > deadline) throw new Error('$disconnect did not remove the connections');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

interface RuntimeInfo {
  region: string;
  apiKeys: { value: string; usagePlan?: string }[];
  credentials: { accessKeyId: string; secretAccessKey: string };
  services: { name: string; url: string }[];
}

/**
 * bench/ws/ceiling-server.ts: the template's $connect authorizer and handler called in-process, with the environment
 * the template and Lambda give them (bench/lambda-environment.ts, the template's Globals and the functions' own
 * variables), on the runtime's own local SSM and DynamoDB (whose CPU, in the runtime's process, is charged to it too).
 */
const startCeiling = async (origin: string, stage: string, info: RuntimeInfo, token: string, runtimePid: number) => {
  const tables = (await (await fetch(`${origin}/_local/tables`)).json()) as { name: string }[];
  const endpoint = (name: string) => info.services.find((service) => service.name === name)?.url ?? '';
  const ceiling = await startChild(['bench/ws/ceiling-server.ts'], /(ws:\/\/127\.0\.0\.1:\d+)/, {
    ...lambdaEnvironment,
    // The stack's region (samconfig's prod environment names one): the local endpoints check the signing region.
    AWS_REGION: info.region,
    AWS_DEFAULT_REGION: info.region,
    AWS_ACCESS_KEY_ID: info.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: info.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_SSM: endpoint('ssm'),
    AWS_ENDPOINT_URL_DYNAMODB: endpoint('dynamodb'),
    // The template's Globals (prod) and the two functions' own variables.
    POWERTOOLS_SERVICE_NAME: 'orders-api',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    STAGE: stage,
    AUTH_CONFIG_PARAMETER: `/orders-api/${stage}/auth`,
    AUTH_CONFIG_MAX_AGE_SECONDS: '300',
    CONNECTIONS_TABLE: tables.find((table) => /connection/i.test(table.name))?.name ?? '',
    CONNECTION_TTL_SECONDS: '7200',
  });
  const url = `${ceiling.match[1]}/${stage}?token=${encodeURIComponent(token)}`;
  await connectRound(url, 1, 1);
  const server: Server = {
    url,
    pids: [ceiling.child.pid ?? 0, runtimePid],
    settle: () => disconnectsDone(origin),
  };
  return { server, stop: () => ceiling.child.kill('SIGTERM') };
};

const startRuntime = (buildDir: string) => startRuntimeChild(['--config-env', 'prod'], buildDir, /Ctrl-C stops/);

const local = async (output: string, runtimePid: number) => {
  const rest = /REST API \S+\s+(http:\/\/127\.0\.0\.1:\d+)\/(\w+)/.exec(output);
  const ws = /WebSocket API \S+\s+(ws:\/\/127\.0\.0\.1:\d+\/\w+)/.exec(output)?.[1] ?? '';
  const origin = rest?.[1] ?? '';
  const stage = rest?.[2] ?? '';
  const token = (
    (await (
      await fetch(`${origin}/_local/issuer/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ sub: 'bench', scope: 'orders:read orders:write' }),
      })
    ).json()) as { token: string }
  ).token;
  const info = (await (await fetch(`${origin}/_local/runtime`)).json()) as RuntimeInfo;
  const key = info.apiKeys.find((candidate) => candidate.usagePlan?.includes('premium'))?.value ?? '';
  const url = `${ws}?token=${encodeURIComponent(token)}`;
  // The JWKS fetch and the first invocations' init are not what is measured.
  await connectRound(url, 1, 1);
  const ceilingServer = await startCeiling(origin, stage, info, token, runtimePid);
  let figures: ConnectFigures[];
  try {
    figures = await connectFigures([
      { url, pids: [runtimePid], settle: () => disconnectsDone(origin) },
      ceilingServer.server,
    ]);
  } finally {
    ceilingServer.stop();
  }
  const [connect, ceiling] = figures;
  if (!connect || !ceiling) throw new Error('no figures');
  // `subscribe` follows one of the caller's own orders (the WebSocket routes apply REST's rules): place one.
  const placed = await fetch(`${origin}/${stage}/v2/orders`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'x-api-key': key },
    body: JSON.stringify({ items: [{ sku: 'SKU-BOOK-001', quantity: 1 }], payment: { token: 'tok_visa' } }),
  });
  const { orderId } = (await placed.json()) as { orderId: string };
  let received = 0;
  let subscribed = 0;
  const sockets = await Promise.all(
    Array.from({ length: subscribers }, () =>
      open(url, (data) => {
        const message = JSON.parse(data) as { type?: string; event?: { type?: string } };
        if (message.type === 'subscribed') subscribed += 1;
        // Only the benchmark's own events: the workflow's order.confirmed may reach subscribers too.
        if (message.type === 'order-event' && message.event?.type === 'order.shipped') received += 1;
      }),
    ),
  );
  for (const socket of sockets) socket.send(JSON.stringify({ action: 'subscribe', orderId }));
  await until(() => subscribed >= subscribers);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: events }, () =>
      fetch(`${origin}/${stage}/v1/events`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ orderId, type: 'order.shipped', occurredAt: '2026-11-25T10:00:00Z' }),
      }),
    ),
  );
  await until(() => received >= subscribers * events);
  const fanoutSeconds = (performance.now() - started) / 1000;
  for (const socket of sockets) socket.close();
  return { connect, ceiling, fanoutSeconds };
};

const buildDir = mkdtempSync(join(tmpdir(), 'bench-ws-'));
const runtime = await startRuntime(buildDir);
try {
  const base = await bare();
  const ours = await local(runtime.output(), runtime.child.pid ?? 0);
  const messages = subscribers * events;
  const share = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)}%`;
  const connectRow = (name: string, pick: (figures: ConnectFigures) => number) => {
    const [b, c, r] = [pick(base.connect), pick(ours.ceiling), pick(ours.connect)];
    return [name, b.toFixed(0), c.toFixed(0), r.toFixed(0), share(r, b), share(r, c)];
  };
  const latency = (figures: ConnectFigures) => figures.latency.toFixed(2);
  const rows: string[][] = [
    ['measure', 'bare ws', 'ws + handlers', 'local runtime', 'runtime/bare', 'runtime/handlers'],
    connectRow('connections/s, first round (runtime: environments start)', (figures) => figures.cold),
    connectRow(`connections/s, warm (median of ${ROUNDS} rounds after ${WARMUP} more)`, (figures) => figures.warm),
    [
      'CPU ms per connection, warm (all threads of the serving processes)',
      '',
      ours.ceiling.cpuMs.toFixed(2),
      ours.connect.cpuMs.toFixed(2),
      '',
      `${(ours.connect.cpuMs / ours.ceiling.cpuMs).toFixed(1)}×`,
    ],
    [
      'handshake latency, one at a time (median ms)',
      latency(base.connect),
      latency(ours.ceiling),
      latency(ours.connect),
      `${(ours.connect.latency / base.connect.latency).toFixed(1)}×`,
      `${(ours.connect.latency / ours.ceiling.latency).toFixed(1)}×`,
    ],
    [
      `messages/s to ${subscribers} subscribers (bare: broadcast; runtime: POST /v1/events → SQS → consumer → @connections)`,
      (messages / base.fanoutSeconds).toFixed(0),
      '',
      (messages / ours.fanoutSeconds).toFixed(0),
      share(base.fanoutSeconds, ours.fanoutSeconds),
      '',
    ],
  ];
  console.log(
    `${connections} connections a round (${CONCURRENCY} at a time), ${events} events × ${subscribers} subscribers, Node ${process.version}\n`,
  );
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  for (const row of rows) {
    console.log(
      row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '),
    );
  }
  console.log(
    [
      '',
      '"ws + handlers" is a bare ws server calling the same $connect authorizer and handler in-process (the same',
      'local SSM and DynamoDB): the work the template asks for, without the gateway and the worker threads. Its rounds',
      "and the runtime's take turns. The CPU row charges each the CPU time of the processes serving it: the runtime's",
      "process; the ceiling's and the runtime's (whose DynamoDB thread serves it).",
      'What bounds a connection: the bare server only answers the handshake. The runtime first invokes the REQUEST',
      'authorizer (a JWT check) and then the $connect function, whose PutItem goes through the AWS SDK to the local',
      "DynamoDB (dynalite, in the runtime's own worker thread): two hops to worker threads and one HTTP round trip to",
      'a third, each waking a sleeping thread, on the same two cores as this client. API Gateway does not cache',
      'WebSocket authorizer results, so neither does the runtime. The first round also pays the cold starts of those',
      'environments.',
      `What bounds fan-out: the bare server writes each message to ${subscribers} sockets from memory. The runtime runs the`,
      "deployed path: the event is sent to SQS, the consumer's poller receives a batch and invokes the consumer, which",
      'queries the subscriptions table and makes one signed @connections POST per subscriber (an HTTP request from a',
      'worker thread to the WebSocket port) before the runtime writes the frame.',
    ].join('\n'),
  );
} finally {
  runtime.child.kill('SIGTERM');
  rmSync(buildDir, { recursive: true, force: true });
}
