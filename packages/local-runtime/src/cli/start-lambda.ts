import { parseArgs } from 'node:util';
import { endpointSettings } from '../runtime/banner.ts';
import { startFunctionsRuntime } from '../runtime/functions-runtime.ts';
import { createRuntimeLog, useColor } from '../runtime/log-format.ts';
import { writeStdout, writeStdoutSoon } from '../runtime/stdout-lines.ts';
import { FUNCTION_OPTIONS_USAGE, failer, functionOptions, portOf, readStack } from './functions-command.ts';
import { stopOnSignals } from './stop-on-signals.ts';

/**
 * `sam-local-runtime start-lambda`, as `sam local start-lambda`: the Lambda Invoke API for the template's functions
 * on its own port (SAM CLI's default 3001), for `aws lambda invoke --endpoint-url` and SDK clients, with the local
 * services (and the template's SQS event sources) running behind the functions.
 */
const USAGE = `Usage: sam-local-runtime start-lambda [options]

  -p, --port N             the Lambda endpoint's port (default 3001; 0 picks a free port)
  --host HOST              the address to listen on (default 127.0.0.1)
  --service-ports N        fixed ports N..N+3 for the local SSM, SQS, DynamoDB and Step Functions endpoints
                           (default: free ports)
  --persist DIR            keep DynamoDB data in DIR between runs (in memory by default)
  --time-scale F           run queue timeouts and delays, workflow waits and asynchronous retry delays F times as
                           long (e.g. 0.01 for tests; default 1)
  --accept-any-signature   the endpoints take any well-formed SigV4 signature (tools signed with other
                           credentials); by default only the local credentials' (printed at start-up)
${FUNCTION_OPTIONS_USAGE}
  -h, --help               this text`;

const fail = failer('start-lambda');
const parse = () =>
  parseArgs({
    options: {
      ...functionOptions,
      port: { type: 'string', short: 'p' },
      host: { type: 'string', default: '127.0.0.1' },
      'service-ports': { type: 'string' },
      persist: { type: 'string' },
      'time-scale': { type: 'string' },
      'accept-any-signature': { type: 'boolean', default: false },
    },
  });
let parsed: ReturnType<typeof parse> | undefined;
try {
  parsed = parse();
} catch (error) {
  fail(`${(error as Error).message}\n\n${USAGE}`);
}
const { values } = parsed as ReturnType<typeof parse>;
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const port = portOf(fail, values.port, 3001, '--port');
const servicePorts = portOf(fail, values['service-ports'], 0, '--service-ports');
const debugPort =
  values['debug-port'] === undefined ? undefined : portOf(fail, values['debug-port'], 0, '--debug-port');
const timeScale = Number(values['time-scale'] ?? 1);
if (!Number.isFinite(timeScale) || timeScale <= 0 || timeScale > 1) {
  fail(`--time-scale must be a number above 0 and at most 1, got "${values['time-scale']}"`);
}
const stack = readStack(fail, values);
const log = createRuntimeLog({ format: 'text', color: useColor(), write: writeStdoutSoon });
const runtime = await startFunctionsRuntime(stack, {
  host: values.host,
  lambdaPort: port,
  ...(servicePorts ? { servicePorts } : {}),
  timeScale,
  ...(values.persist ? { persistDir: values.persist } : {}),
  log: log.line,
  functionOutput: log.functionLine,
  maxConcurrency: 10,
  acceptAnySignature: values['accept-any-signature'],
  ...(values['build-dir'] ? { buildDir: values['build-dir'] } : {}),
  ...(debugPort === undefined
    ? {}
    : { debug: { port: debugPort, ...(values['debug-function'] ? { functionId: values['debug-function'] } : {}) } }),
}).catch((error: Error) => fail(error.message, 1));

const endpoint = runtime.aws.lambda.url;
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

stopOnSignals(() => runtime.close());
