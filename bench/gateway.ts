import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startChild, startRuntimeChild } from './child.ts';

/**
 * `npm run bench:gateway`: requests/s and latency of the local runtime beside a bare node:http server calling the
 * same handler in-process (the ceiling) and the same server with the handler in worker threads (the thread ceiling:
 * the cost of isolating functions as the runtime does, and nothing else), in one run, with the same load (autocannon,
 * same connections and duration). BENCH_DURATION (seconds, default 10) and BENCH_CONNECTIONS (default 32) change the load.
 */
const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

const load = async (name: string, url: string, headers: Record<string, string> = {}): Promise<Row> => {
  // Warm-up: cold starts, the authorizer's first call and JIT are not what is measured.
  await autocannon({ url, connections, duration: 2, headers });
  const result = await autocannon({ url, connections, duration, headers });
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
};

const buildDir = mkdtempSync(join(tmpdir(), 'bench-gateway-'));
const ceilingChild = await startChild(['bench/gateway/ceiling-server.ts'], /(http:\/\/127\.0\.0\.1:\d+)/);
const ceiling = { child: ceilingChild.child, url: ceilingChild.match[1] ?? '' };
const threadChild = await startChild(['bench/gateway/worker-ceiling-server.ts'], /(http:\/\/127\.0\.0\.1:\d+)/);
const threadCeiling = { child: threadChild.child, url: threadChild.match[1] ?? '' };
const runtimeChild = await startRuntimeChild(
  ['--template', 'bench/gateway/template.yaml'],
  buildDir,
  /REST API \S+\s+(http:\/\/127\.0\.0\.1:\d+\/bench)/,
);
const runtime = { child: runtimeChild.child, url: runtimeChild.match[1] ?? '' };
try {
  const origin = new URL(runtime.url).origin;
  const tokenResponse = await fetch(`${origin}/_local/issuer/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sub: 'bench', scope: 'orders:read' }),
  });
  const { token } = (await tokenResponse.json()) as { token: string };
  const rows: Row[] = [];
  rows.push(await load('ceiling: node:http + handler in-process', `${ceiling.url}/v1/catalog?category=books`));
  rows.push(
    await load(
      'thread ceiling: node:http + handler in worker threads',
      `${threadCeiling.url}/v1/catalog?category=books`,
    ),
  );
  rows.push(await load('local runtime: GET /health (MOCK)', `${runtime.url}/health`));
  rows.push(await load('local runtime: Lambda proxy', `${runtime.url}/v1/catalog?category=books`));
  rows.push(
    await load(
      'local runtime: Lambda proxy + token authorizer (cached)',
      `${runtime.url}/v1/legacy/catalog?category=books`,
      {
        Authorization: `Bearer ${token}`,
      },
    ),
  );
  const base = rows[0] as Row;
  const threads = rows[1] as Row;
  const header = ['route', 'req/s', 'vs ceiling', 'vs thread ceiling', 'p50 ms', 'p99 ms', 'non-2xx/errors'];
  const lines = rows.map((row) => [
    row.name,
    row.rps.toFixed(0),
    `${((row.rps / base.rps) * 100).toFixed(0)}%`,
    `${((row.rps / threads.rps) * 100).toFixed(0)}%`,
    String(row.p50),
    String(row.p99),
    String(row.errors),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...lines].map((line) => (line[i] ?? '').length)));
  console.log(`autocannon, ${connections} connections, ${duration} s per row, Node ${process.version}\n`);
  for (const line of [header, ...lines]) {
    console.log(
      line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '),
    );
  }
  const plain = rows[3] as Row;
  const secured = rows[4] as Row;
  console.log(
    `\nauthorizer overhead (cached): ${((1 - secured.rps / plain.rps) * 100).toFixed(0)}% fewer req/s than the plain route`,
  );
  console.log(
    [
      '',
      'What bounds it: the thread ceiling is the ceiling with one change, the one the runtime cannot drop: the',
      'handler runs isolated in a worker thread (its own process.env, globals, heap limit and timeout, as each Lambda',
      'environment is its own), one invocation at a time. It adds a message each way and the wake-up of a sleeping',
      'thread per request, which is costly on a virtual machine (a profile of the runtime puts postMessage at a third',
      "of the main thread's time). The MOCK row is the gateway alone: socket writes, the request-log line, the VTL",
      "render of the request and response templates, request ids. The Lambda rows add the gateway's work to the",
      "thread ceiling's; all share two cores with the load generator.",
    ].join('\n'),
  );
} finally {
  ceiling.child.kill('SIGTERM');
  threadCeiling.child.kill('SIGTERM');
  runtime.child.kill('SIGTERM');
  rmSync(buildDir, { recursive: true, force: true });
}
