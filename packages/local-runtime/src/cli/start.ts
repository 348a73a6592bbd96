import { parseArgs } from 'node:util';
import { banner } from '../runtime/banner.ts';
import { loadLocalRoutes } from '../runtime/local-routes.ts';
import type { LogFormat } from '../runtime/log-format.ts';
import { startLocalRuntime } from '../runtime/start.ts';
import { flushStdout, writeStdout } from '../runtime/stdout-lines.ts';
import { parseParameterOverrides } from '../template/parameters.ts';

const USAGE = `Usage: sam-local-runtime start [options]

  --port N                 REST API port (default 3000; 0 picks a free port)
  --ws-port N              WebSocket API port (default 3001; 0 picks a free port)
  --config-env NAME        samconfig.toml environment for parameter values (default: "default" when
                           samconfig.toml has it; parameters' own defaults without a samconfig.toml)
  --parameter-overrides S  'Key=Value Key2=Value2', over the environment's parameter_overrides
  --import-values S        'Name=Value Name2=Value2': other stacks' exports, for Fn::ImportValue
  --template FILE          SAM template (default template.yaml)
  --build-dir DIR          where function bundles go (default .local/build beside the template)
  --service-ports N        fixed ports N..N+3 for the local SSM, SQS, DynamoDB and Step Functions endpoints, so
                           SDK and CLI settings survive restarts (default: --port + 10, e.g. 3010-3013; with
                           --port 0, free ports; 0 picks free ports)
  --persist DIR            keep DynamoDB data in DIR between runs (default: a temporary directory, removed at exit)
  --time-scale F           run queue visibility timeouts and delays and workflow waits and retry
                           intervals F times as long (e.g. 0.01 for tests; default 1, as written)
  --ws-idle-timeout S      close WebSocket connections idle for S seconds (default 600, as API Gateway)
  --ws-max-duration S      close WebSocket connections after S seconds (default 7200, as API Gateway)
  --log-format text|json   terminal text (coloured on a TTY; NO_COLOR turns it off) or one JSON object per line
  --routes FILE            a module whose default export serves extra pages beside the APIs (repeatable)
  --no-watch               do not rebuild functions when their sources change
  -h, --help               this text`;

const fail = (message: string, code = 2): never => {
  flushStdout();
  process.stderr.write(`sam-local-runtime start: ${message}\n`);
  process.exit(code);
};

const portOf = (value: string | undefined, fallback: number, flag: string): number => {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`${flag} must be a port number from 0 to 65535, got "${value}"`);
  return port;
};

const parse = () =>
  parseArgs({
    allowNegative: true,
    options: {
      port: { type: 'string' },
      'ws-port': { type: 'string' },
      'config-env': { type: 'string' },
      'parameter-overrides': { type: 'string', default: '' },
      'import-values': { type: 'string', default: '' },
      template: { type: 'string', default: 'template.yaml' },
      'build-dir': { type: 'string' },
      persist: { type: 'string' },
      'service-ports': { type: 'string' },
      'time-scale': { type: 'string' },
      'ws-idle-timeout': { type: 'string' },
      'ws-max-duration': { type: 'string' },
      routes: { type: 'string', multiple: true, default: [] },
      'log-format': { type: 'string', default: 'text' },
      watch: { type: 'boolean', default: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
let parsed: ReturnType<typeof parse> | undefined;
try {
  parsed = parse();
} catch (error) {
  fail(`${(error as Error).message}\n\n${USAGE}`);
}
const values = (parsed as ReturnType<typeof parse>).values;
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const port = portOf(values.port, 3000, '--port');
const wsPort = portOf(values['ws-port'], 3001, '--ws-port');
const servicePorts = portOf(values['service-ports'], port === 0 ? 0 : port + 10, '--service-ports');
if (servicePorts > 65532) fail(`--service-ports needs four ports from ${servicePorts}: at most 65532`);
const timeScale = Number(values['time-scale'] ?? 1);
if (!Number.isFinite(timeScale) || timeScale <= 0 || timeScale > 1) {
  fail(`--time-scale must be a number above 0 and at most 1, got "${values['time-scale']}"`);
}

const seconds = (value: string | undefined, flag: string): number | undefined => {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) fail(`${flag} must be a number of seconds above 0, got "${value}"`);
  return parsed * 1000;
};
const idleTimeoutMs = seconds(values['ws-idle-timeout'], '--ws-idle-timeout');
const maxDurationMs = seconds(values['ws-max-duration'], '--ws-max-duration');

const logFormat = values['log-format'];
if (logFormat !== 'text' && logFormat !== 'json') fail(`--log-format must be text or json, got "${logFormat}"`);

const routes = (
  await Promise.all(values.routes.map((file) => loadLocalRoutes(file))).catch((error: Error) => fail(error.message, 1))
).flat();

let importValues: Record<string, string> = {};
try {
  importValues = parseParameterOverrides(values['import-values']);
} catch (error) {
  fail(`--import-values: ${(error as Error).message}`);
}

const runtime = await startLocalRuntime({
  routes,
  importValues,
  logFormat: logFormat as LogFormat,
  templatePath: values.template,
  configEnv: values['config-env'],
  parameterOverrides: values['parameter-overrides'],
  port,
  wsPort,
  timeScale,
  ...(values.persist ? { persistDir: values.persist } : {}),
  servicePorts,
  wsLimits: {
    ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }),
    ...(maxDurationMs === undefined ? {} : { maxDurationMs }),
  },
  watch: values.watch,
  buildDir: values['build-dir'],
}).catch((error: Error) => fail(error.message, 1));

if (logFormat === 'json') {
  const { info, report } = runtime;
  writeStdout(
    `${JSON.stringify({ time: new Date().toISOString(), source: 'runtime', event: 'ready', ...info, notRun: report.unsupported })}\n`,
  );
} else writeStdout(`${banner(runtime)}\n\n`);

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  writeStdout(`\n${signal}: stopping\n`);
  // A stuck function must not keep the process alive forever.
  setTimeout(() => process.exit(1), 5000).unref();
  void runtime.close().then(() => process.exit(0));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
