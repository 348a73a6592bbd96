import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startChild, startRuntimeChild } from './child.ts';

/**
 * `npm run bench:gateway`: requests/s and latency of the local runtime beside a bare node:http server calling the
 * same handler in-process (the ceiling) and the same server with the handler in worker threads (the thread ceiling:
 * the cost of isolating functions as the runtime does, and nothing else), in one run, with the same load (autocannon,
 * same connections and duration), the rows interleaved in rounds. Beside req/s, the CPU time the serving process spent
 * per request (all its threads): on a machine shared with other work, req/s follow the other load, the CPU a request
 * costs much less so. BENCH_DURATION (seconds per row, default 10), BENCH_ROUNDS (default 5) and BENCH_CONNECTIONS
 * (default 32) change the load.
 */
const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

interface Target {
  name: string;
  url: string;
  headers?: Record<string, string>;
  /** The process serving it, whose CPU time (all its threads) is charged to the row. */
  pid: number;
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU time of the serving process (main thread and workers) per request, in microseconds. */
  cpuUs: number;
}

/** User + system CPU time of a process and all its threads so far, in microseconds (Linux /proc). */
const cpuUsOf = (pid: number): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime, fields 14 and 15 of stat(5), counted from the state field (3); clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
};

const warm = async ({ url, headers = {} }: Target): Promise<void> => {
  // Cold starts, the authorizer's first call and JIT are not what is measured. As many requests at once as the load
  // has connections first, so every environment (a worker thread importing the handler: seconds on a busy machine)
  // has started before the timed warm-up begins.
  await Promise.all(Array.from({ length: connections }, () => fetch(url, { headers }).then((answer) => answer.text())));
  await autocannon({ url, connections, duration: 2, headers });
};

interface Slice {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  errors: number;
  cpuUs: number;
}

const slice = async ({ url, headers = {}, pid }: Target, seconds: number): Promise<Slice> => {
  const cpuBefore = cpuUsOf(pid);
  const result = await autocannon({ url, connections, duration: seconds, headers });
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    cpuUs: cpuUsOf(pid) - cpuBefore,
  };
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * Every target is loaded in turn, `rounds` times over, for `duration / rounds` seconds each time: on a machine whose
 * other load comes and goes, each row gets its share of the quiet and the busy moments, so their ratios hold.
 */
const measure = async (targets: Target[]): Promise<Row[]> => {
  for (const target of targets) await warm(target);
  const slices: Slice[][] = targets.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, target] of targets.entries()) slices[i]?.push(await slice(target, duration / rounds));
  }
  return targets.map((target, i) => {
    const own = slices[i] ?? [];
    const requests = own.reduce((sum, one) => sum + one.requests, 0);
    return {
      name: target.name,
      rps: requests / own.reduce((sum, one) => sum + one.seconds, 0),
      p50: median(own.map((one) => one.p50)),
      p99: median(own.map((one) => one.p99)),
      errors: own.reduce((sum, one) => sum + one.errors, 0),
      cpuUs: own.reduce((sum, one) => sum + one.cpuUs, 0) / Math.max(1, requests),
    };
  });
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
  const catalog = '/v1/catalog?category=books';
  const runtimePid = runtime.child.pid ?? 0;
  const rows = await measure([
    { name: 'ceiling: node:http + handler in-process', url: `${ceiling.url}${catalog}`, pid: ceiling.child.pid ?? 0 },
    {
      name: 'thread ceiling: node:http + handler in worker threads',
      url: `${threadCeiling.url}${catalog}`,
      pid: threadCeiling.child.pid ?? 0,
    },
    { name: 'local runtime: GET /health (MOCK)', url: `${runtime.url}/health`, pid: runtimePid },
    { name: 'local runtime: Lambda proxy', url: `${runtime.url}${catalog}`, pid: runtimePid },
    {
      name: 'local runtime: Lambda proxy + token authorizer (cached)',
      url: `${runtime.url}/v1/legacy/catalog?category=books`,
      headers: { Authorization: `Bearer ${token}` },
      pid: runtimePid,
    },
  ]);
  const base = rows[0] as Row;
  const threads = rows[1] as Row;
  const header = [
    'route',
    'req/s',
    'vs ceiling',
    'vs thread ceiling',
    'p50 ms',
    'p99 ms',
    'non-2xx/errors',
    'server CPU µs/req',
  ];
  const lines = rows.map((row) => [
    row.name,
    row.rps.toFixed(0),
    `${((row.rps / base.rps) * 100).toFixed(0)}%`,
    `${((row.rps / threads.rps) * 100).toFixed(0)}%`,
    String(row.p50),
    String(row.p99),
    String(row.errors),
    row.cpuUs.toFixed(0),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...lines].map((line) => (line[i] ?? '').length)));
  console.log(
    `autocannon, ${connections} connections, ${duration} s per row in ${rounds} interleaved rounds, Node ${process.version}\n`,
  );
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
