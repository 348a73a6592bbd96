import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/**
 * The load of the HTTP benches (bench:gateway, bench:offline): autocannon against each target in turn, the rows
 * interleaved in rounds, with req/s, latency and the CPU time the serving process spent per request.
 * BENCH_DURATION (seconds per row, default 10), BENCH_ROUNDS (default 5) and BENCH_CONNECTIONS (default 32).
 */
export const duration = Number(process.env.BENCH_DURATION ?? 10);
export const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
export const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const defaultConnections = connections;

export interface Target {
  name: string;
  url: string;
  headers?: Record<string, string>;
  /** Connections of its load, when not the bench's `connections` (a server loaded at the count that suits it best). */
  connections?: number;
  /** The process serving it, whose CPU time (all its threads) is charged to the row. */
  pid: number;
}

export interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU time of the serving process (main thread and workers) per request, in microseconds. */
  cpuUs: number;
}

/** User + system CPU time of a process and all its threads so far, in microseconds (Linux /proc). */
export const cpuUsOf = (pid: number): number => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime, fields 14 and 15 of stat(5), counted from the state field (3); clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
};

const warm = async ({ url, headers = {}, connections = defaultConnections }: Target): Promise<void> => {
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

const slice = async (
  { url, headers = {}, pid, connections = defaultConnections }: Target,
  seconds: number,
): Promise<Slice> => {
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

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * Every target is loaded in turn, `rounds` times over, for `duration / rounds` seconds each time: on a machine whose
 * other load comes and goes, each row gets its share of the quiet and the busy moments, so their ratios hold.
 */
export const measure = async (targets: Target[]): Promise<Row[]> => {
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

/**
 * The rows as an aligned table, each with its share of the `baselines` (column name → row); `load` says how many
 * connections when the rows' differ.
 */
export const printTable = (rows: Row[], baselines: [string, Row][], load?: string): void => {
  const header = ['route', 'req/s', ...baselines.map(([name]) => name), 'p50 ms', 'p99 ms', 'non-2xx/errors'];
  header.push('server CPU µs/req');
  const lines = rows.map((row) => [
    row.name,
    row.rps.toFixed(0),
    ...baselines.map(([, base]) => `${((row.rps / base.rps) * 100).toFixed(0)}%`),
    String(row.p50),
    String(row.p99),
    String(row.errors),
    row.cpuUs.toFixed(0),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...lines].map((line) => (line[i] ?? '').length)));
  console.log(
    `autocannon, ${load ?? `${connections} connections`}, ${duration} s per row in ${rounds} interleaved rounds, Node ${process.version}\n`,
  );
  for (const line of [header, ...lines]) {
    console.log(
      line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '),
    );
  }
};
