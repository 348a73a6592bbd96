import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Child, startChild, startRuntimeChild } from './child.ts';

/**
 * `npm run bench:scale`: how the runtime's costs grow with the template. For templates of BENCH_SIZES functions
 * (default 10, 50 and 200; each function behind its own REST route, `GET /f<N>`), once as plain JavaScript run in
 * place and once as TypeScript bundled by esbuild (Metadata: BuildMethod: esbuild; a first start that bundles, then a
 * restart that reuses the bundles), it prints: the time from spawning `start` to its banner (ready), to the answer of
 * the last function's route (requested first), to the answer of every function's first request (one after the other,
 * each a cold start), resident memory (the process tree's) once every function has answered and again after
 * BENCH_IDLE seconds of quiet (default: the idle timeout and 20 s more), with `--idle-timeout` BENCH_IDLE_TIMEOUT
 * (default 10) seconds (`none`: without the flag, the runtime's default) and the runtime's default
 * `--max-environments`. Beside each size, measured in the same run: a bare node:http server that starts one worker
 * thread per function on its first request, running the same handler (bench/scale/baseline-server.ts). Linux only
 * (memory is read from /proc).
 */
const sizes = (process.env.BENCH_SIZES ?? '10,50,200').split(',').map(Number);
const idleTimeout = process.env.BENCH_IDLE_TIMEOUT ?? '10';
// After the idle timeout has ended the environments, V8 hands the pages of their heaps back to the system some
// seconds later (it keeps them pooled for new isolates first): measured 10-15 s on Node.js 24.
const idleSeconds = Number(process.env.BENCH_IDLE ?? (idleTimeout === 'none' ? 6 : Number(idleTimeout) + 20));

const handlerJs = (n: number) =>
  `export const handler = async (event) => ({\n  statusCode: 200,\n  body: JSON.stringify({ fn: ${n}, path: event.path, at: Date.now() }),\n});\n`;
const handlerTs = (n: number) =>
  `interface Event { path: string }\nexport const handler = async (event: Event) => ({\n  statusCode: 200,\n  body: JSON.stringify({ fn: ${n}, path: event.path, at: Date.now() }),\n});\n`;

/** A template of `size` functions, each behind `GET /f<N>` of the implicit REST API; returns its path. */
const generate = (folder: string, size: number, typescript: boolean): string => {
  const code = join(folder, 'fns');
  mkdirSync(code, { recursive: true });
  const resources: string[] = [];
  for (let n = 1; n <= size; n++) {
    writeFileSync(join(code, typescript ? `f${n}.ts` : `f${n}.mjs`), typescript ? handlerTs(n) : handlerJs(n));
    resources.push(
      [
        `  F${n}Function:`,
        '    Type: AWS::Serverless::Function',
        '    Properties:',
        `      Handler: f${n}.handler`,
        '      Events:',
        '        Get:',
        '          Type: Api',
        `          Properties: { Path: /f${n}, Method: get }`,
        ...(typescript
          ? [
              '    Metadata:',
              '      BuildMethod: esbuild',
              '      BuildProperties:',
              `        EntryPoints: [f${n}.ts]`,
              '        Format: esm',
              "        OutExtension: ['.js=.mjs']",
              '        Target: es2022',
            ]
          : []),
      ].join('\n'),
    );
  }
  const template = [
    "AWSTemplateFormatVersion: '2010-09-09'",
    'Transform: AWS::Serverless-2016-10-31',
    'Globals:',
    '  Function:',
    '    Runtime: nodejs24.x',
    '    CodeUri: fns/',
    '    MemorySize: 128',
    '    Timeout: 10',
    'Resources:',
    ...resources,
    '',
  ].join('\n');
  const path = join(folder, 'template.yaml');
  writeFileSync(path, template);
  return path;
};

/** Resident memory of a process and its descendants, in MB (/proc). */
const rssMb = (pid: number): number => {
  const own = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {}
  return children.reduce((sum, child) => sum + rssMb(child), own);
};

interface Row {
  name: string;
  size: number;
  readyMs: number;
  /** From the spawn to the answer of the last function's route, requested first. */
  lastRouteMs: number;
  lastAnswerMs: number;
  firstRequestMs: number;
  answeredMb: number;
  idleMb: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Measures a started child: every function's first request in turn, memory, then memory after the idle period. */
const measure = async (
  name: string,
  size: number,
  started: number,
  child: Child,
  base: string,
  idles = true,
): Promise<Row> => {
  const readyMs = performance.now() - started;
  const each: number[] = [];
  let lastRouteMs = 0;
  // The last function first: how long after the spawn every route answers; then the others in turn.
  for (const n of [size, ...Array.from({ length: size - 1 }, (_, index) => index + 1)]) {
    const before = performance.now();
    const answer = await fetch(`${base}/f${n}`);
    const body = await answer.text();
    if (answer.status !== 200 || !body.includes(`"fn":${n},`))
      throw new Error(`${name}: /f${n} answered ${answer.status} ${body}`);
    each.push(performance.now() - before);
    if (n === size) lastRouteMs = performance.now() - started;
  }
  const lastAnswerMs = performance.now() - started;
  const pid = child.child.pid ?? 0;
  const answeredMb = rssMb(pid);
  if (idles) await new Promise((wait) => setTimeout(wait, idleSeconds * 1000));
  const idleMb = rssMb(pid);
  await new Promise<void>((resolve) => {
    child.child.once('exit', () => resolve());
    child.child.kill('SIGTERM');
  });
  return { name, size, readyMs, lastRouteMs, lastAnswerMs, firstRequestMs: median(each), answeredMb, idleMb };
};

const runtimeRow = async (name: string, template: string, buildDir: string, size: number): Promise<Row> => {
  const started = performance.now();
  const child = await startRuntimeChild(
    ['--template', template, ...(idleTimeout === 'none' ? [] : ['--idle-timeout', idleTimeout])],
    buildDir,
    /REST API \S+\s+(http:\/\/127\.0\.0\.1:\d+\/\S+)/,
  );
  return measure(name, size, started, child, child.match[1] ?? '');
};

const baselineRow = async (folder: string, size: number): Promise<Row> => {
  const started = performance.now();
  const child = await startChild(
    ['bench/scale/baseline-server.ts', join(folder, 'fns')],
    /(http:\/\/127\.0\.0\.1:\d+)/,
  );
  // It never ends a thread: its idle memory is its answered memory, with no need to wait.
  const name = 'baseline: node:http + a worker thread per function';
  return measure(name, size, started, child, child.match[1] ?? '', false);
};

const rows: Row[] = [];
for (const size of sizes) {
  const plain = mkdtempSync(join(tmpdir(), `bench-scale-js-${size}-`));
  const typed = mkdtempSync(join(tmpdir(), `bench-scale-ts-${size}-`));
  try {
    const plainTemplate = generate(plain, size, false);
    const typedTemplate = generate(typed, size, true);
    rows.push(await baselineRow(plain, size));
    rows.push(await runtimeRow('runtime: plain JS, run in place', plainTemplate, join(plain, 'build'), size));
    rows.push(
      await runtimeRow(
        'runtime: TypeScript, esbuild, first start (bundles)',
        typedTemplate,
        join(typed, 'build'),
        size,
      ),
    );
    rows.push(
      await runtimeRow(
        'runtime: TypeScript, esbuild, restart (bundles reused)',
        typedTemplate,
        join(typed, 'build'),
        size,
      ),
    );
  } finally {
    rmSync(plain, { recursive: true, force: true });
    rmSync(typed, { recursive: true, force: true });
  }
}

const header = [
  'functions',
  'what',
  'ready ms',
  'last route answers ms',
  'all answered once ms',
  'first request ms (median)',
  'RSS answered MB',
  `RSS after ${idleSeconds} s idle MB`,
];
const lines = rows.map((row) => [
  String(row.size),
  row.name,
  row.readyMs.toFixed(0),
  row.lastRouteMs.toFixed(0),
  row.lastAnswerMs.toFixed(0),
  row.firstRequestMs.toFixed(1),
  row.answeredMb.toFixed(0),
  row.idleMb.toFixed(0),
]);
console.log(
  `\nScale: one request to each function in turn (each a cold start), --idle-timeout ${idleTimeout} s, ${process.version}, ${process.platform}\n`,
);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const line of lines) console.log(`| ${line.join(' | ')} |`);
console.log(
  [
    '',
    'The baseline is the least a runtime that isolates each function in a worker thread pays: the same handler files,',
    'one thread per function started on its first request, no template, gateway or local services. It never',
    'reclaims a thread, so its idle memory is its answered memory.',
    '',
    'What bounds it: start-up runs no function (environments start on first use), so ready grows only with parsing',
    'the template and building its routes. A cold start takes a spare thread started behind the one before (a',
    'worker thread costs about 11 MB and 25-30 ms of CPU for Node.js alone), so it pays for the import of the',
    'function only. Memory once all answered counts the environments still alive: at most --max-environments',
    '(default 50), the longest idle ended first. After the idle timeout the environments end, and V8 returns their',
    'heaps to the system some seconds later.',
  ].join('\n'),
);
