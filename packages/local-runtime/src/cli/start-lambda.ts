import { endpointSettings } from '../runtime/banner.ts';
import { startFunctionsRuntime } from '../runtime/functions-runtime.ts';
import { createRuntimeLog, useColor } from '../runtime/log-format.ts';
import { writeStdout, writeStdoutSoon } from '../runtime/stdout-lines.ts';
import { type Flag, helpFlag, samLocalFlags } from './flags.ts';
import {
  buildDirFlag,
  debugPortOf,
  environmentFlags,
  environmentOptionsOf,
  localServicesFlags,
  portOf,
  readFunctionsCommand,
  strictFlag,
} from './functions-command.ts';
import { stopOnSignals } from './stop-on-signals.ts';

/**
 * `sam-local-runtime start-lambda`, as `sam local start-lambda`: the Lambda Invoke API for the template's functions
 * on its own port (SAM CLI's default 3001), for `aws lambda invoke --endpoint-url` and SDK clients, with the local
 * services (and the template's SQS event sources) running behind the functions.
 */
const FLAGS: Flag[] = [
  ...samLocalFlags('start-lambda'),
  buildDirFlag,
  ...localServicesFlags('free ports'),
  ...environmentFlags,
  strictFlag,
  helpFlag,
];

const command = readFunctionsCommand(
  {
    name: 'start-lambda',
    samconfigCommand: 'local_start_lambda',
    flags: FLAGS,
    includeBuildTemplate: true,
    flagsFromSamconfig: true,
  },
  "Usage: sam-local-runtime start-lambda [options]\n\nServes the Lambda Invoke API for the template's functions, as `sam local start-lambda` does, with the local\nservices behind them.",
  process.argv.slice(2),
);
const { options, stack, fail } = command;
if (options.positionals.length > 0) fail(`unexpected argument "${options.positionals[0]}"`);
const port = portOf(fail, options.string('port'), 3001, '--port');
const servicePorts = portOf(fail, options.string('service-ports'), 0, '--service-ports');
const debugPort = debugPortOf(command);
const timeScale = Number(options.string('time-scale') ?? 1);
if (!Number.isFinite(timeScale) || timeScale <= 0 || timeScale > 1) {
  fail(`--time-scale must be a number above 0 and at most 1, got "${options.string('time-scale')}"`);
}
const persist = options.string('persist');
const buildDir = options.string('build-dir');
const debugFunction = options.string('debug-function');
const log = createRuntimeLog({ format: 'text', color: useColor(), write: writeStdoutSoon });
const runtime = await startFunctionsRuntime(stack, {
  host: options.string('host') ?? '127.0.0.1',
  lambdaPort: port,
  ...(servicePorts ? { servicePorts } : {}),
  timeScale,
  ...(persist ? { persistDir: persist } : {}),
  log: log.line,
  functionOutput: log.functionLine,
  maxConcurrency: 10,
  ...environmentOptionsOf(fail, options),
  acceptAnySignature: options.boolean('accept-any-signature') ?? false,
  ...(options.envVars ? { envVars: options.envVars } : {}),
  ...(buildDir ? { buildDir } : {}),
  ...(debugPort === undefined
    ? {}
    : { debug: { port: debugPort, ...(debugFunction ? { functionId: debugFunction } : {}) } }),
}).catch((error: Error) => fail(error.message, 1));

const endpoint = runtime.aws.services.lambda.url;
const names = runtime.lambda.functions.map(
  (config) => `  ${config.logicalId}${config.name === config.logicalId ? '' : ` (${config.name})`}`,
);
writeStdout(
  [
    `Lambda endpoint (Invoke API): ${endpoint}`,
    `  aws lambda invoke --endpoint-url ${endpoint} --function-name <name> out.json`,
    'Functions:',
    ...names,
    'Local AWS endpoints:',
    ...runtime.aws.all.map((service) => `  ${service.name.padEnd(14)}${service.url}`),
    ...endpointSettings(runtime.aws, runtime.credentials, runtime.stack.region, runtime.auth.acceptAnySignature),
    ...(runtime.problems.length > 0 ? ['Not run:', ...runtime.problems.map((problem) => `  ${problem}`)] : []),
    '',
  ].join('\n'),
);
runtime.checkInits();

stopOnSignals(() => runtime.close());
