import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type GivenApiKey, parseApiKey } from '../runtime/given-api-keys.ts';
import { loadLocalRoutes } from '../runtime/local-routes.ts';
import type { LogFormat } from '../runtime/log-format.ts';
import { flushStdout, writeStdout } from '../runtime/stdout-lines.ts';
import { parseParameterOverrides } from '../template/parameters.ts';
import { isSamBuildOutput } from '../template/template-file.ts';
import { type Flag, helpFlag, samLocalFlags } from './flags.ts';
import { environmentFlags, environmentOptionsOf, localServicesFlags, strictFlag } from './functions-command.ts';
import { CommandError, type LocalCommand, readLocalCommand, shortUsage, UsageError, usageOf } from './options.ts';
import { stopOnSignals } from './stop-on-signals.ts';

/** This runtime's own flags of `start-api` (and `start`): ports, services, logs, build. */
const runtimeFlags: Flag[] = [
  ...localServicesFlags('--port + 10'),
  {
    name: 'stage-path',
    kind: 'string',
    choices: ['on', 'off'],
    value: 'on|off',
    help: 'on (default): REST APIs under their stage, as on AWS (/Prod/hello); off: at the root too, as sam local start-api serves them',
  },
  { name: 'ws-port', kind: 'string', value: 'N', help: 'WebSocket API port (default 3001; 0 picks a free port)' },
  {
    name: 'function-url-port',
    kind: 'string',
    value: 'N',
    help: "the first function URL's port, the next ones N+1... (default --port + 20; 0 picks free ports)",
  },
  {
    name: 'import-values',
    kind: 'string',
    value: "'N=V ...'",
    help: "other stacks' exports, for Fn::ImportValue",
  },
  {
    name: 'api-key',
    kind: 'list',
    value: 'VALUE[@PLAN]',
    help: 'an API key made out of band (aws apigateway create-api-key), bound to usage plan PLAN (logical id) or to every plan (repeatable)',
  },
  {
    name: 'build-dir',
    kind: 'string',
    value: 'DIR',
    help: 'where function bundles go (default .local/build beside the template)',
  },
  {
    name: 'ws-idle-timeout',
    kind: 'string',
    value: 'S',
    help: 'close WebSocket connections idle for S seconds (default 600, as API Gateway)',
  },
  {
    name: 'ws-max-duration',
    kind: 'string',
    value: 'S',
    help: 'close WebSocket connections after S seconds (default 7200, as API Gateway)',
  },
  ...environmentFlags,
  strictFlag,
  {
    name: 'log-format',
    kind: 'string',
    choices: ['text', 'json'],
    value: 'text|json',
    help: 'terminal text (coloured on a TTY; NO_COLOR turns it off) or one JSON object per line',
  },
  {
    name: 'schedules',
    kind: 'string',
    choices: ['off', 'run'],
    value: 'off|run',
    help: 'off (default): schedules fire only on POST /_local/schedules/NAME; run: each enabled one also fires on its rate/cron/at expression',
  },
  {
    name: 'routes',
    kind: 'list',
    value: 'FILE',
    help: 'a module whose default export serves extra pages beside the APIs (repeatable)',
  },
];

const FLAGS: Flag[] = [...samLocalFlags('start-api'), ...runtimeFlags, helpFlag];

const COMMANDS: Record<'start' | 'start-api', LocalCommand> = {
  'start-api': {
    name: 'start-api',
    samconfigCommand: 'local_start_api',
    flags: FLAGS,
    includeBuildTemplate: true,
    flagsFromSamconfig: true,
  },
  // The runtime's first command: the stack as `sam deploy` creates it (samconfig's deploy table for parameter
  // values), from the source template, which it bundles itself.
  start: {
    name: 'start',
    samconfigCommand: 'deploy',
    flags: FLAGS,
    includeBuildTemplate: false,
    flagsFromSamconfig: false,
  },
};

const usage = (name: 'start' | 'start-api') =>
  usageOf(
    `Usage: sam-local-runtime ${name} [options]\n\n${
      name === 'start-api'
        ? 'Runs the template as `sam local start-api` does, without Docker: REST, HTTP and WebSocket APIs, functions,\n' +
          "local SQS, Step Functions, DynamoDB and SSM. Values: the command line, then samconfig's\n" +
          '[<env>.local_start_api.parameters], then [<env>.global.parameters].'
        : "Runs the template as deployed (`start-api` with the parameter values of samconfig's [<env>.deploy.parameters]\n" +
          'and the source template; flags are read from the command line only).'
    }`,
    FLAGS,
  );

export const runStart = async (name: 'start' | 'start-api', argv: string[]): Promise<void> => {
  const fail = (message: string, code = 2): never => {
    flushStdout();
    process.stderr.write(`sam-local-runtime ${name}: ${message}\n`);
    process.exit(code);
  };
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage(name)}\n`);
    process.exit(0);
  }
  let read: ReturnType<typeof readLocalCommand> | undefined;
  try {
    read = readLocalCommand(COMMANDS[name], argv);
  } catch (error) {
    if (error instanceof UsageError) fail(`${error.message}\n${shortUsage(`sam-local-runtime ${name}`)}`);
    if (error instanceof CommandError) fail(error.message, 1);
    throw error;
  }
  const options = read as NonNullable<typeof read>;
  if (options.positionals.length > 0) {
    fail(`unexpected argument "${options.positionals[0]}"\n${shortUsage(`sam-local-runtime ${name}`)}`);
  }

  const portOf = (value: string | undefined, fallback: number, flag: string): number => {
    if (value === undefined) return fallback;
    const port = Number(value);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      fail(`${flag} must be a port number from 0 to 65535, got "${value}"`);
    return port;
  };
  const port = portOf(options.string('port'), 3000, '--port');
  const wsPort = portOf(options.string('ws-port'), 3001, '--ws-port');
  const servicePorts = portOf(options.string('service-ports'), port === 0 ? 0 : port + 10, '--service-ports');
  // After the service ports (--port + 10, one per local service, ten at most): --port + 20 and up, one per
  // function URL.
  const functionUrlPort = portOf(
    options.string('function-url-port'),
    port === 0 ? 0 : port + 20,
    '--function-url-port',
  );
  // One port per local service (services/index.ts); the CLI does not load them to count, ten is their room.
  if (servicePorts > 65526) fail(`--service-ports needs a port per local service from ${servicePorts}: at most 65526`);
  const debugPorts = options.list('debug-port').map((value) => portOf(value, 0, '--debug-port'));
  const timeScale = Number(options.string('time-scale') ?? 1);
  if (!Number.isFinite(timeScale) || timeScale <= 0 || timeScale > 1) {
    fail(`--time-scale must be a number above 0 and at most 1, got "${options.string('time-scale')}"`);
  }
  const seconds = (flag: string): number | undefined => {
    const value = options.string(flag);
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed <= 0) fail(`--${flag} must be a number of seconds above 0, got "${value}"`);
    return parsed * 1000;
  };
  const idleTimeoutMs = seconds('ws-idle-timeout');
  const maxDurationMs = seconds('ws-max-duration');
  const logFormat = (options.string('log-format') ?? 'text') as LogFormat;

  let importValues: Record<string, string> = {};
  try {
    importValues = parseParameterOverrides(options.string('import-values') ?? '');
  } catch (error) {
    fail(`--import-values: ${(error as Error).message}`);
  }
  let apiKeys: GivenApiKey[] = [];
  try {
    apiKeys = options.list('api-key').map(parseApiKey);
  } catch (error) {
    fail(`--api-key: ${(error as Error).message}`);
  }
  const routes = (
    await Promise.all(options.list('routes').map((file) => loadLocalRoutes(file))).catch((error: Error) =>
      fail(error.message, 1),
    )
  ).flat();

  for (const note of options.notes) process.stderr.write(`sam-local-runtime ${name}: ${note}\n`);
  // Which template is read is said when it was looked for (with --template, the user named it).
  if (!options.string('template')) process.stderr.write(`sam-local-runtime ${name}: ${options.templateNote}\n`);

  // SAM CLI serves `public` (its default --static-dir) from the project folder.
  const template = resolve(options.templatePath);
  const project = isSamBuildOutput(template) ? resolve(dirname(template), '..', '..') : dirname(template);
  const staticDir = resolve(project, options.string('static-dir') ?? 'public');
  const logFile = options.string('log-file');
  const logFd = logFile ? openSync(logFile, 'w') : undefined;
  const restApisAtRoot = options.string('stage-path') === 'off';

  // The runtime (and the AWS SDK under it) is loaded once the command line is read: --help and mistakes answer at once.
  const [{ startLocalRuntime }, { banner }] = await Promise.all([
    import('../runtime/start.ts'),
    import('../runtime/banner.ts'),
  ]);
  const runtime = await startLocalRuntime({
    routes,
    importValues,
    ...(apiKeys.length > 0 ? { apiKeys } : {}),
    logFormat,
    ...(logFd === undefined ? {} : { log: (line: string) => writeSync(logFd, `${line}\n`) }),
    templatePath: options.templatePath,
    configEnv: options.configEnv,
    samconfigPath: options.samconfigPath,
    samconfigCommand: options.samconfigCommand,
    parameterOverrides: options.parameterOverrides,
    ...(options.envVars ? { envVars: options.envVars } : {}),
    ...(options.string('region') ? { region: options.string('region') } : {}),
    host: options.string('host') ?? '127.0.0.1',
    port,
    wsPort,
    functionUrlPort,
    timeScale,
    ...(options.string('schedules') === 'run' ? { schedules: 'run' as const } : {}),
    ...environmentOptionsOf(fail, options),
    ...(options.string('persist') ? { persistDir: options.string('persist') } : {}),
    servicePorts,
    wsLimits: {
      ...(idleTimeoutMs === undefined ? {} : { idleTimeoutMs }),
      ...(maxDurationMs === undefined ? {} : { maxDurationMs }),
    },
    watch: options.boolean('watch') ?? true,
    buildDir: options.string('build-dir'),
    // Without the folder, requests are not checked against it (a route lookup more per request).
    ...(existsSync(staticDir) ? { staticDir } : {}),
    restApisAtRoot,
    ...(options.boolean('disable-authorizer') ? { disableAuthorizer: true } : {}),
    ...(debugPorts[0] === undefined ? {} : { debugPort: debugPorts[0] }),
    ...(options.string('debug-function') ? { debugFunction: options.string('debug-function') } : {}),
    ...(options.string('debug-args') ? { debugArgs: options.string('debug-args') } : {}),
    ...(options.string('debugger-path') ? { debuggerPath: options.string('debugger-path') } : {}),
    acceptAnySignature: options.boolean('accept-any-signature') ?? false,
    strict: options.boolean('strict') ?? false,
  }).catch((error: Error) => fail(error.message, 1));

  if (logFormat === 'json') {
    const { info, report } = runtime;
    writeStdout(
      `${JSON.stringify({ time: new Date().toISOString(), source: 'runtime', event: 'ready', ...info, restApisAtRoot, notRun: report.unsupported })}\n`,
    );
  } else {
    const atRoot = restApisAtRoot
      ? `\n\nREST APIs are also served at the root (--stage-path off): ${runtime.restUrl}/<path> as ${runtime.restUrl}/<stage>/<path>`
      : '';
    writeStdout(`${banner(runtime)}${atRoot}\n\n`);
  }

  stopOnSignals(async () => {
    await runtime.close();
    if (logFd !== undefined) closeSync(logFd);
  });
};
