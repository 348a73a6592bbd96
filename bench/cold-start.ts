/**
 * Cold-start budget: `npm run bench:cold [-- --runs N]`.
 *
 * Builds every function of template.yaml with its own Metadata (the same bundles `sam build` makes), then imports
 * each bundle in a fresh Node process, N times, interleaved with two baselines measured in the same run:
 * - an empty handler bundled with the same options (the cost of starting to import anything at all);
 * - per function, its "SDK floor": a bundle that only constructs the AWS SDK clients the function bundles.
 * Budget: a function adds at most 25 ms (median) over its SDK floor; a function without SDK clients imports in
 * at most 25 ms. The machine is shared and noisy, which is why every figure sits beside its baseline.
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

const sdkOf = (fn: (typeof built)[number]): string[] =>
  Object.keys(SDK_CLIENTS).filter((pkg) =>
    Object.keys(fn.metafile.inputs).some((input) => input.includes(`node_modules/${pkg}/`)),
  );

const empty = await bundle('empty', '');
const floors = new Map<string, string>();
for (const fn of built) {
  const sdk = sdkOf(fn);
  const key = sdk.join('+');
  if (sdk.length > 0 && !floors.has(key))
    floors.set(key, await bundle(`floor-${floors.size}`, sdk.map((pkg) => SDK_CLIENTS[pkg]).join('\n')));
}

const targets = new Map<string, string>([
  ['(empty handler)', empty],
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
const emptyMs = median(samples.get('(empty handler)') ?? []);
const header = ['function', 'bundle KB', 'SDK clients', 'import ms', 'SDK floor ms', 'Δ ms', 'budget'];
const rows = built
  .sort((a, b) => a.logicalId.localeCompare(b.logicalId))
  .map((fn) => {
    const sdk = sdkOf(fn);
    const own = median(samples.get(fn.logicalId) ?? []);
    const floor = sdk.length > 0 ? median(samples.get(`floor:${sdk.join('+')}`) ?? []) : emptyMs;
    const delta = own - floor;
    const ok = sdk.length > 0 ? delta <= BUDGET_MS : own <= BUDGET_MS;
    return [
      fn.logicalId,
      (fn.bytes / 1024).toFixed(0),
      sdk.map((pkg) => pkg.replace('@aws-sdk/', '')).join(' ') || '-',
      ms(own),
      sdk.length > 0 ? ms(floor) : '-',
      sdk.length > 0 ? ms(delta) : '-',
      ok ? 'ok' : 'OVER',
    ];
  });
rows.push(['(empty handler)', (statSync(empty).size / 1024).toFixed(0), '-', ms(emptyMs), '-', '-', '']);
for (const [key, file] of floors) {
  rows.push([
    `(SDK floor: ${key.replaceAll('@aws-sdk/', '')})`,
    (statSync(file).size / 1024).toFixed(0),
    '-',
    ms(median(samples.get(`floor:${key}`) ?? [])),
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
  `\nmedian of ${RUNS} fresh-process imports each (Node ${process.version}); budget: Δ over the SDK floor ≤ ${BUDGET_MS} ms, or ≤ ${BUDGET_MS} ms in all without SDK clients`,
);
const over = rows.filter((row) => row[6] === 'OVER');
if (over.length > 0) console.log(`over budget: ${over.map((row) => row[0]).join(', ')}`);
