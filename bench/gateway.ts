import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

/**
 * `npm run bench:gateway`: requests/s and latency of the local runtime beside a bare node:http server calling the
 * same handler in-process (the ceiling), in one run, with the same load (autocannon, same connections and
 * duration). BENCH_DURATION (seconds, default 10) and BENCH_CONNECTIONS (default 32) change the load.
 */
const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);

const startChild = (args: string[], ready: RegExp): Promise<{ child: ChildProcess; url: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`not ready:\n${output}`)), 120_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      // The runtime logs every request; keep only what is needed to find the URL.
      if (output.length < 100_000) output += chunk.toString();
      const match = ready.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });

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
const ceiling = await startChild(['bench/gateway/ceiling-server.ts'], /(http:\/\/127\.0\.0\.1:\d+)/);
const runtime = await startChild(
  [
    'local/cli/start.ts',
    '--template',
    'bench/gateway/template.yaml',
    '--port',
    '0',
    '--no-watch',
    '--build-dir',
    buildDir,
  ],
  /REST API \S+\s+(http:\/\/127\.0\.0\.1:\d+\/bench)/,
);
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
  const header = ['route', 'req/s', 'vs ceiling', 'p50 ms', 'p99 ms', 'non-2xx/errors'];
  const lines = rows.map((row) => [
    row.name,
    row.rps.toFixed(0),
    `${((row.rps / base.rps) * 100).toFixed(0)}%`,
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
  const plain = rows[2] as Row;
  const secured = rows[3] as Row;
  console.log(
    `\nauthorizer overhead (cached): ${((1 - secured.rps / plain.rps) * 100).toFixed(0)}% fewer req/s than the plain route`,
  );
} finally {
  ceiling.child.kill('SIGTERM');
  runtime.child.kill('SIGTERM');
  rmSync(buildDir, { recursive: true, force: true });
}
