import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTemplate, type TemplateValue } from 'sam-local-runtime';
import { parseParameterOverrides, readSamConfig } from 'sam-local-runtime/template/parameters';
import type { RuntimeInfo } from 'sam-local-runtime/testing';
import { type LegacyBackend, startLegacyBackend } from './legacy-backend.ts';

/**
 * `npm start`: the starter's front door around the generic local runtime. It starts the sample legacy back end
 * (demo/legacy-backend.ts) on a free loopback port unless a `LegacyBackendUrl` is configured (samconfig.toml's
 * environment or --parameter-overrides), runs `sam-local-runtime start --routes demo/routes.ts` with
 * `LegacyBackendUrl` pointing at it and every argument of `npm start -- ...` passed on, prints what this stage turns
 * on and where to go next under the runtime's banner, and stops both on Ctrl-C / SIGTERM.
 */
const args = process.argv.slice(2);

/** The value of `--name V` or `--name=V` (the last one wins, as in the runtime's parseArgs). */
const optionValue = (name: string): string | undefined => {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === `--${name}`) value = args[i + 1];
    else if (arg.startsWith(`--${name}=`)) value = arg.slice(name.length + 3);
  }
  return value;
};
/** The arguments without `--name V` / `--name=V`. */
const withoutOption = (name: string): string[] => {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === `--${name}`) i++;
    else if (!arg.startsWith(`--${name}=`)) out.push(arg);
  }
  return out;
};

const templatePath = resolve(optionValue('template') ?? 'template.yaml');
const help = args.includes('-h') || args.includes('--help');
const json = optionValue('log-format') === 'json';

/** Where LegacyBackendUrl already comes from, if anywhere (then the sample back end is not started). */
const configuredLegacyUrl = (userOverrides: string): string | undefined => {
  try {
    const fromUser = parseParameterOverrides(userOverrides).LegacyBackendUrl;
    if (fromUser !== undefined) return fromUser;
    const samconfig = readSamConfig(resolve(dirname(templatePath), 'samconfig.toml'), optionValue('config-env'));
    return samconfig.parameterOverrides.LegacyBackendUrl;
  } catch {
    return undefined; // the runtime reports a bad samconfig env or override itself
  }
};

const userOverrides = optionValue('parameter-overrides') ?? '';
let legacy: LegacyBackend | undefined;
const passOn = withoutOption('parameter-overrides');
let overrides = userOverrides;
if (!help && configuredLegacyUrl(userOverrides) === undefined) {
  legacy = await startLegacyBackend(0);
  overrides = `${userOverrides} LegacyBackendUrl=${legacy.url}`.trim();
}

const bin = fileURLToPath(new URL('../bin/sam-local-runtime.js', import.meta.resolve('sam-local-runtime')));
const routes = fileURLToPath(new URL('./routes.ts', import.meta.url));
const colour =
  process.stdout.isTTY === true && process.env.NO_COLOR === undefined && process.env.FORCE_COLOR === undefined;
// The runtime runs with this process's export conditions (npm start's `sam-local-runtime-source`: the workspace's
// sources), so the --routes module resolves `sam-local-runtime` as this script does.
const conditions = process.execArgv.filter((argument) => argument.startsWith('--conditions'));
const child = spawn(
  process.execPath,
  [
    ...conditions,
    bin,
    'start',
    '--routes',
    routes,
    ...passOn,
    ...(overrides ? ['--parameter-overrides', overrides] : []),
  ],
  {
    // stdout is read to add the starter's lines under the banner; colour is kept as on a terminal.
    stdio: ['inherit', 'pipe', 'inherit'],
    env: colour ? { ...process.env, FORCE_COLOR: '1' } : process.env,
  },
);

const isRecord = (value: TemplateValue | undefined): value is Record<string, TemplateValue> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One line per row of the template's StageConfig mapping: what each stage turns on. */
const stageLines = (current: string): string[] => {
  let mapping: TemplateValue | undefined;
  try {
    const mappings = loadTemplate(templatePath).Mappings;
    mapping = isRecord(mappings) ? mappings.StageConfig : undefined;
  } catch {
    return [];
  }
  if (!isRecord(mapping)) return [];
  const rows = Object.entries(mapping).filter((entry): entry is [string, Record<string, TemplateValue>] =>
    isRecord(entry[1]),
  );
  const cells = rows.map(([stage, row]) => [
    `${stage === current ? '▸' : ' '} ${stage}`,
    row.CacheEnabled === 'true' || row.CacheEnabled === true
      ? `response cache on (${row.CacheSize} GB, TTL ${row.CacheTtl} s)`
      : 'no response cache',
    `throttle ${row.ThrottleRate} req/s, burst ${row.ThrottleBurst}`,
    `keys: basic ${row.BasicRate}, premium ${row.PremiumRate} req/s`,
    `CORS origin ${row.AllowedOrigin}`,
  ]);
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((row) => row[i]?.length ?? 0))) ?? [];
  return cells.map(
    (row) =>
      `  ${row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}`,
  );
};

const starterLines = async (restUrl: string): Promise<string> => {
  let info: RuntimeInfo | undefined;
  try {
    info = (await (await fetch(`${restUrl}/_local/runtime`)).json()) as RuntimeInfo;
  } catch {
    return '';
  }
  const api = info.apis.find((candidate) => candidate.kind === 'REST') ?? info.apis[0];
  const stage = api?.stage ?? '';
  const tokenUrl = restUrl === 'http://127.0.0.1:3000' ? '' : ` --url ${restUrl}`;
  const lines = [
    `Orders starter (demo/start.ts) — stage ${stage}; what each stage turns on (template.yaml Mappings.StageConfig):`,
    ...stageLines(stage),
    legacy
      ? `Legacy back end: the sample demo/legacy-backend.ts on ${legacy.url} (LegacyBackendUrl), behind ANY ${api?.url}/v1/legacy/{proxy+} (token + API key)`
      : `Legacy back end: ${configuredLegacyUrl(userOverrides)} (LegacyBackendUrl), behind ANY ${api?.url}/v1/legacy/{proxy+}`,
    `Token: TOKEN=$(npm run -s token -- --sub alice --scope "orders:read orders:write"${tokenUrl})`,
    `Demo page: ${restUrl}/_local/    API reference: ${restUrl}/_local/docs`,
  ];
  return `${lines.join('\n')}\n\n`;
};

/** Colour codes (ESC [ ... m) the banner has on a terminal. */
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
let buffered = '';
let announced = json || help;
child.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  if (announced) return;
  buffered += chunk.toString();
  // The banner's last lines: "Runtime info (JSON): <url>/_local/runtime" then "Ctrl-C stops.".
  const match = /Runtime info \(JSON\): (\S+?)\/_local\/runtime[\s\S]*?Ctrl-C stops\.\n/.exec(
    buffered.replace(ANSI_COLOUR, ''),
  );
  if (!match?.[1]) {
    if (buffered.length > 1_000_000) announced = true;
    return;
  }
  announced = true;
  buffered = '';
  void starterLines(match[1]).then((text) => process.stdout.write(text));
});
// A closed pipe (`npm start | head`) must not crash the front door.
process.stdout.on('error', () => {});

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  // On Ctrl-C the terminal signals the runtime too; it stops once either way.
  if (child.exitCode === null) child.kill(signal);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
// `kill <npm's pid>` stops npm's shell but not this process: once orphaned (a new parent), stop as on SIGTERM.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stop('SIGTERM');
}, 500).unref();

child.on('exit', (code, signal) => {
  void (legacy?.close() ?? Promise.resolve()).then(() => {
    process.exit(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1));
  });
});
