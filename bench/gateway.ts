import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, startRuntimeChild } from './child.ts';
import { measure, printTable, type Row } from './load.ts';

/**
 * `npm run bench:gateway`: requests/s and latency of the local runtime beside a bare node:http server calling the
 * same handler in-process (the ceiling) and the same server with the handler in worker threads (the thread ceiling:
 * the cost of isolating functions as the runtime does, and nothing else), in one run, with the same load (autocannon,
 * same connections and duration), the rows interleaved in rounds. Beside req/s, the CPU time the serving process spent
 * per request (all its threads): on a machine shared with other work, req/s follow the other load, the CPU a request
 * costs much less so. BENCH_DURATION (seconds per row, default 10), BENCH_ROUNDS (default 5) and BENCH_CONNECTIONS
 * (default 32) change the load (bench/load.ts).
 */
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
  printTable(rows, [
    ['vs ceiling', base],
    ['vs thread ceiling', threads],
  ]);
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
