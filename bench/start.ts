import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRuntimeChild } from './child.ts';

/**
 * `npm run bench:start`: how long `npm start` takes until the REST API answers `GET /dev/health` (a MOCK integration),
 * from a cold start (no bundles yet) and from a warm restart (nothing changed: the build cache holds every bundle
 * built before), beside the start of a bare `node` process measured in the same run. Neither start bundles anything:
 * a function is bundled on its first invocation. BENCH_RUNS (default 3) runs of each;
 * the table shows the median.
 */
const runs = Number(process.env.BENCH_RUNS ?? 3);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const bareNode = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.on('exit', () => resolve(performance.now() - started));
    child.on('error', reject);
  });

/** Starts the runtime and answers once `GET /dev/health` is 200 (the banner comes first, then the request). */
const startToHealth = async (buildDir: string): Promise<{ ms: number; build: string }> => {
  const started = performance.now();
  const runtime = await startRuntimeChild(
    ['--routes', 'demo/routes.ts'],
    buildDir,
    /Runtime info \(JSON\): (http:\/\/127\.0\.0\.1:\d+)\/_local\/runtime/,
  );
  const answer = await fetch(`${runtime.match[1]}/dev/health`);
  const ms = performance.now() - started;
  if (answer.status !== 200) throw new Error(`GET /dev/health answered ${answer.status}`);
  const build = [...runtime.output().matchAll(/\[build\] (.*)/g)].map((line) => line[1]).join('; ');
  await new Promise<void>((resolve) => {
    runtime.child.once('exit', () => resolve());
    runtime.child.kill('SIGTERM');
  });
  return { ms, build };
};

const bare: number[] = [];
const cold: number[] = [];
const warm: number[] = [];
let coldBuild = '';
let warmBuild = '';
for (let run = 0; run < runs; run++) {
  bare.push(await bareNode());
  const buildDir = mkdtempSync(join(tmpdir(), 'bench-start-'));
  const first = await startToHealth(buildDir);
  cold.push(first.ms);
  coldBuild = first.build;
  const second = await startToHealth(buildDir);
  warm.push(second.ms);
  warmBuild = second.build;
  rmSync(buildDir, { recursive: true, force: true });
}

const rows: [string, number, string][] = [
  ['bare `node -e ""` process (baseline)', median(bare), ''],
  [
    'cold start: sam-local-runtime start (what npm start runs) → GET /dev/health 200, no bundles yet',
    median(cold),
    coldBuild,
  ],
  ['warm restart: same, nothing changed (build cache)', median(warm), warmBuild],
];
console.log(`\nStart-up, median of ${runs} runs (${process.version}, ${process.platform}):\n`);
console.log('| start | ms | × bare node | build |');
console.log('|---|---|---|---|');
for (const [name, ms, build] of rows) {
  console.log(`| ${name} | ${ms.toFixed(0)} | ${(ms / (median(bare) || 1)).toFixed(1)} | ${build} |`);
}
console.log(
  '\nWhat bounds it: loading the runtime itself and starting the local services and the token issuer; no function is',
);
console.log(
  'bundled before the first request (each on its first invocation), so a cold start costs what a warm one does.',
);
