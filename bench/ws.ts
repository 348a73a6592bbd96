import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { startRuntimeChild } from './child.ts';

/**
 * `npm run bench:ws`: connections/s accepted through the $connect authorizer and integration, and messages/s fanned
 * out to N subscribers through the real consumer and @connections, beside a bare `ws` server doing the same work
 * (accept; broadcast) in one run. BENCH_CONNECTIONS (default 300), BENCH_SUBSCRIBERS (default 200) and BENCH_EVENTS
 * (default 20) change the load.
 */
const connections = Number(process.env.BENCH_CONNECTIONS ?? 300);
const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 200);
const events = Number(process.env.BENCH_EVENTS ?? 20);
const CONCURRENCY = 20;

const open = (url: string, onMessage?: (data: string) => void): Promise<WebSocket> =>
  new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on('open', () => resolve(socket));
    socket.on('error', reject);
    socket.on('unexpected-response', (_request, response) => reject(new Error(`refused ${response.statusCode}`)));
    if (onMessage) socket.on('message', (data) => onMessage(data.toString()));
  });

/** Seconds to open `count` connections, CONCURRENCY at a time; they are closed afterwards. */
const connectRate = async (url: string, count: number): Promise<number> => {
  const sockets: WebSocket[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        next += 1;
        sockets.push(await open(url));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise((resolve) => {
          socket.once('close', resolve);
          socket.close();
        }),
    ),
  );
  return seconds;
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
  const connectSeconds = await connectRate(url, connections);
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
  return { connectSeconds, fanoutSeconds };
};

const startRuntime = (buildDir: string) => startRuntimeChild(['--config-env', 'prod'], buildDir, /Ctrl-C stops/);

const local = async (output: string) => {
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
  const info = (await (await fetch(`${origin}/_local/runtime`)).json()) as {
    apiKeys: { value: string; usagePlan?: string }[];
  };
  const key = info.apiKeys.find((candidate) => candidate.usagePlan?.includes('premium'))?.value ?? '';
  const url = `${ws}?token=${encodeURIComponent(token)}`;
  // Warm-up: the authorizer's and $connect's first invocations and the JWKS fetch are not what is measured.
  await connectRate(url, 20);
  const connectSeconds = await connectRate(url, connections);
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
  return { connectSeconds, fanoutSeconds };
};

const buildDir = mkdtempSync(join(tmpdir(), 'bench-ws-'));
const runtime = await startRuntime(buildDir);
try {
  const base = await bare();
  const ours = await local(runtime.output());
  const messages = subscribers * events;
  const rows = [
    ['connections/s: bare ws server (accept only)', connections / base.connectSeconds, 1],
    [
      'connections/s: local runtime ($connect authorizer + $connect Lambda)',
      connections / ours.connectSeconds,
      base.connectSeconds / ours.connectSeconds,
    ],
    [`messages/s: bare ws broadcast to ${subscribers}`, messages / base.fanoutSeconds, 1],
    [
      `messages/s: POST /v1/events → SQS → consumer → @connections to ${subscribers}`,
      messages / ours.fanoutSeconds,
      base.fanoutSeconds / ours.fanoutSeconds,
    ],
  ] as const;
  console.log(
    `${connections} connections (${CONCURRENCY} at a time), ${events} events × ${subscribers} subscribers, Node ${process.version}\n`,
  );
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`${'measure'.padEnd(width)}  ${'rate'.padStart(8)}  ${'vs bare ws'.padStart(10)}`);
  for (const [name, rate, share] of rows) {
    console.log(
      `${name.padEnd(width)}  ${rate.toFixed(0).padStart(8)}  ${`${(share * 100).toFixed(1)}%`.padStart(10)}`,
    );
  }
} finally {
  runtime.child.kill('SIGTERM');
  rmSync(buildDir, { recursive: true, force: true });
}
