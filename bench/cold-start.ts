/**
 * Cold-start budget: `npm run bench:cold [-- --runs N]`.
 *
 * Builds every function of template.yaml with its own Metadata (the same bundles `sam build` makes), then imports
 * each bundle in a fresh Node process, N times, interleaved with two baselines measured in the same run:
 * - an empty handler bundled with the same options (the cost of starting to import anything at all);
 * - per function, its "floor": a bundle that only constructs the AWS SDK clients the function bundles and, where the
 *   function bundles Powertools Tracer, the Tracer; and the same floor without the Tracer, so that the Tracer's own
 *   cost is printed per function.
 * Budget: a function's own code adds at most 25 ms (median) over its floor. The Tracer is in the floor as the SDK
 * clients are: a cost chosen for every function (README, "Traces and metrics", says what it is), not code the function
 * can trim. The machine is shared and noisy, which is why every figure sits beside its baseline.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { buildFunctions, esbuildFunctions, esbuildOptions, loadTemplate } from 'sam-local-runtime';

const BUDGET_MS = 25;
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 15;

/** How each SDK package a handler may bundle is set up at module scope, as the adapters do. */
const SDK_CLIENTS: Record<string, string> = {
  '@aws-sdk/client-sfn': "import { SFNClient } from '@aws-sdk/client-sfn'; export const sfn = new SFNClient({});",
  '@aws-sdk/client-sqs': "import { SQSClient } from '@aws-sdk/client-sqs'; export const sqs = new SQSClient({});",
  '@aws-sdk/client-dynamodb':
    "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; export const ddb = new DynamoDBClient({});",
  '@aws-sdk/lib-dynamodb':
    "import { DynamoDBClient as D } from '@aws-sdk/client-dynamodb'; import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb'; export const doc = DynamoDBDocumentClient.from(new D({}));",
  '@aws-sdk/client-apigatewaymanagementapi':
    "import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi'; export const ws = new ApiGatewayManagementApiClient({ endpoint: 'https://example.com' });",
  '@aws-sdk/client-ssm': "import { SSMClient } from '@aws-sdk/client-ssm'; export const ssm = new SSMClient({});",
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const importOnce = (file: string): number => {
  const child = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      'const t = performance.now(); await import(process.argv[1]); console.log(performance.now() - t);',
      file,
    ],
    { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'eu-west-1', POWERTOOLS_LOG_LEVEL: 'SILENT' } },
  );
  if (child.status !== 0) throw new Error(`importing ${file} failed: ${child.stderr}`);
  return Number(child.stdout.trim());
};

const workDir = mkdtempSync(join(tmpdir(), 'bench-cold-'));
const built = await buildFunctions('template.yaml', { outDir: join(workDir, 'functions') });

// Baselines use the options of the template's functions (they all share one Metadata shape).
const [first] = esbuildFunctions(loadTemplate('template.yaml'), 'template.yaml');
if (!first) throw new Error('template.yaml has no esbuild function');
const { entryPoints: _entries, ...options } = esbuildOptions(first.properties);
const bundle = async (name: string, source: string): Promise<string> => {
  const dir = join(workDir, name);
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, 'entry.ts');
  writeFileSync(entry, `${source}\nexport const handler = async () => ({});\n`);
  await build({
    ...options,
    entryPoints: [entry],
    outdir: dir,
    absWorkingDir: process.cwd(),
    logLevel: 'silent',
    nodePaths: [join(process.cwd(), 'node_modules')],
  });
  return join(dir, `entry${options.outExtension?.['.js'] ?? '.js'}`);
};

const TRACER = '@aws-lambda-powertools/tracer';
const TRACER_SETUP = "import { Tracer } from '@aws-lambda-powertools/tracer'; export const tracer = new Tracer();";

const bundles = (fn: (typeof built)[number], pkg: string) =>
  Object.keys(fn.metafile.inputs).some((input) => input.includes(`node_modules/${pkg}/`));
const sdkOf = (fn: (typeof built)[number]): string[] => Object.keys(SDK_CLIENTS).filter((pkg) => bundles(fn, pkg));
const tracedOf = (fn: (typeof built)[number]): boolean => bundles(fn, TRACER);
/** A floor's name: its SDK packages, `+tracer` when it has the Tracer; `` for no SDK client and no Tracer. */
const floorKey = (sdk: string[], traced: boolean) => [...sdk, ...(traced ? ['tracer'] : [])].join('+');

const empty = await bundle('empty', '');
const floors = new Map<string, string>([['', empty]]);
const addFloor = async (sdk: string[], traced: boolean) => {
  const key = floorKey(sdk, traced);
  if (floors.has(key)) return;
  const source = [...sdk.map((pkg) => SDK_CLIENTS[pkg]), ...(traced ? [TRACER_SETUP] : [])].join('\n');
  floors.set(key, await bundle(`floor-${floors.size}`, source));
};
for (const fn of built) {
  await addFloor(sdkOf(fn), tracedOf(fn));
  await addFloor(sdkOf(fn), false);
}

const targets = new Map<string, string>([
  ...[...floors].map(([key, file]) => [`floor:${key}`, file] as [string, string]),
  ...built.map((fn) => [fn.logicalId, fn.outfile] as [string, string]),
]);
const samples = new Map<string, number[]>([...targets.keys()].map((name) => [name, []]));
process.stderr.write(`importing ${targets.size} bundles ${RUNS} times each, interleaved`);
for (let run = 0; run < RUNS; run++) {
  for (const [name, file] of targets) samples.get(name)?.push(importOnce(file));
  process.stderr.write('.');
}
process.stderr.write('\n\n');

const ms = (value: number): string => value.toFixed(1);
const floorMs = (key: string) => median(samples.get(`floor:${key}`) ?? []);
const header = ['function', 'bundle KB', 'floor', 'import ms', 'floor ms', 'Δ ms', 'Tracer ms', 'budget'];
const rows = built
  .sort((a, b) => a.logicalId.localeCompare(b.logicalId))
  .map((fn) => {
    const sdk = sdkOf(fn);
    const traced = tracedOf(fn);
    const own = median(samples.get(fn.logicalId) ?? []);
    const floor = floorMs(floorKey(sdk, traced));
    const delta = own - floor;
    return [
      fn.logicalId,
      (fn.bytes / 1024).toFixed(0),
      floorKey(sdk, traced).replaceAll('@aws-sdk/', '') || '(empty)',
      ms(own),
      ms(floor),
      ms(delta),
      traced ? ms(floor - floorMs(floorKey(sdk, false))) : '-',
      delta <= BUDGET_MS ? 'ok' : 'OVER',
    ];
  });
for (const [key, file] of floors) {
  rows.push([
    `(floor: ${key.replaceAll('@aws-sdk/', '') || 'empty handler'})`,
    (statSync(file).size / 1024).toFixed(0),
    '-',
    ms(floorMs(key)),
    '-',
    '-',
    '-',
    '',
  ]);
}
const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => row[i]?.length ?? 0)));
const line = (row: string[]) =>
  `| ${row.map((cell, i) => (i === 0 || i === 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const row of rows) console.log(line(row));
console.log(
  `\nmedian of ${RUNS} fresh-process imports each (Node ${process.version}); budget: Δ over the floor (the function's SDK clients and Tracer) ≤ ${BUDGET_MS} ms; Tracer ms: what the Tracer adds to that floor`,
);
const over = rows.filter((row) => row[7] === 'OVER');
if (over.length > 0) console.log(`over budget: ${over.map((row) => row[0]).join(', ')}`);
