import { resolve } from 'node:path';
import { SAMPLE_EVENTS, SampleEventError } from '../runtime/sample-events.ts';
import { defaultSamconfigFile, samConfigParameters } from '../template/parameters.ts';
import type { Flag } from './flags.ts';
import { parseCommandLine, resolveFlags, shortUsage, UsageError, usageOf } from './options.ts';

/**
 * `sam-local-runtime generate-event <service> <event> [--option value ...]`, as `sam local generate-event`: prints
 * the event as JSON (two-space indent) on stdout, to pipe into a test or `invoke -e -`. Option values come from the
 * command line, else samconfig's `[<env>.local_generate_event_<service>_<event>.parameters]` (SAM CLI's table),
 * else their defaults.
 */
const PROGRAM = 'sam-local-runtime generate-event';

const listing = (title: string, entries: [string, string][]): string => {
  const width = Math.max(...entries.map(([name]) => name.length)) + 2;
  return [title, '', ...entries.map(([name, help]) => `  ${name.padEnd(width)}${help}`)].join('\n');
};

const SERVICES_USAGE = listing(`Usage: ${PROGRAM} <service> <event> [options]\n\nServices:`, [
  ['apigateway', 'REST and HTTP API proxy events, Lambda authorizer events'],
  ['sqs', 'SQS event source mapping batches'],
  ['stepfunctions', "a state machine's caught error"],
]);

/** One line, then the usage (the short one, as click prints it, when the usage is the options'). */
/** SAM CLI 1.164's other services: event sources this runtime does not run (samcli/lib/generated_sample_events). */
const SAM_ONLY_SERVICES = [
  'alb',
  'alexa-skills-kit',
  'alexa-smart-home',
  'appsync',
  'batch',
  'cloudformation',
  'cloudfront',
  'cloudwatch',
  'codecommit',
  'codepipeline',
  'cognito',
  'config',
  'connect',
  'dynamodb',
  'kinesis',
  'lex',
  'lex-v2',
  'rekognition',
  's3',
  'sagemaker',
  'ses',
  'sns',
  'workmail',
];

const fail = (message: string, usage: string): never => {
  process.stderr.write(`${PROGRAM}: ${message}\n${usage}\n`);
  process.exit(2);
};

const CONFIG_FLAGS: Flag[] = [
  { name: 'config-file', kind: 'string', value: 'FILE', help: 'samconfig file (default samconfig.toml here)' },
  { name: 'config-env', kind: 'string', value: 'NAME', help: 'its environment (default "default")' },
  { name: 'debug', kind: 'boolean', help: "SAM CLI's debug logging", ignored: 'there is nothing more to log' },
  { name: 'help', short: 'h', kind: 'boolean', help: 'this text' },
];

export const runGenerateEvent = async (argv: string[]): Promise<void> => {
  const [serviceName, eventName, ...rest] = argv;
  if (serviceName === undefined || serviceName === '--help' || serviceName === '-h') {
    process.stdout.write(`${SERVICES_USAGE}\n`);
    process.exit(0);
  }
  const service = SAMPLE_EVENTS[serviceName];
  if (!service) {
    const why = SAM_ONLY_SERVICES.includes(serviceName)
      ? `no such service: "${serviceName}" (SAM CLI has its samples; this runtime delivers no ${serviceName} events, so it prints none)`
      : `no such service: "${serviceName}"`;
    fail(why, `\n${SERVICES_USAGE}`);
  }
  const events = service as NonNullable<typeof service>;
  const eventsUsage = listing(
    `Usage: ${PROGRAM} ${serviceName} <event> [options]\n\nEvents:`,
    Object.entries(events).map(([name, event]) => [name, event.help]),
  );
  if (eventName === undefined || eventName === '--help' || eventName === '-h') {
    process.stdout.write(`${eventsUsage}\n`);
    process.exit(0);
  }
  const event = events[eventName];
  if (!event) fail(`no such event: "${eventName}" of ${serviceName}`, `\n${eventsUsage}`);
  const sample = event as NonNullable<typeof event>;
  const flags: Flag[] = [
    ...sample.options.map(
      (item): Flag => ({
        name: item.name,
        kind: 'string',
        value: 'S',
        help: `${item.help} (default: ${item.default})`,
      }),
    ),
    ...CONFIG_FLAGS,
  ];
  const usage = usageOf(`Usage: ${PROGRAM} ${serviceName} ${eventName} [options]\n\n${sample.help}.`, flags);
  const usageHint = shortUsage(`${PROGRAM} ${serviceName} ${eventName}`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  let parsed: ReturnType<typeof parseCommandLine> | undefined;
  try {
    parsed = parseCommandLine(rest, flags);
  } catch (error) {
    if (error instanceof UsageError) fail(error.message, usageHint);
    throw error;
  }
  const { given, positionals } = parsed as NonNullable<typeof parsed>;
  if (positionals.length > 0) fail(`unexpected argument "${positionals[0]}"`, usageHint);
  const configFile = given.get('config-file') as string | undefined;
  const configEnv = (given.get('config-env') as string | undefined) ?? 'default';
  const table = `local_generate_event_${serviceName}_${eventName}`.replaceAll('-', '_');
  const values = samConfigParameters(
    configFile ? resolve(configFile) : defaultSamconfigFile('template.yaml'),
    configEnv,
    table,
  );
  const resolved = resolveFlags(flags, given, { values, table: `[${configEnv}.${table}` });
  if (resolved.has('debug'))
    process.stderr.write(`${PROGRAM}: --debug: accepted and ignored: there is nothing more to log\n`);
  const settings = Object.fromEntries(
    sample.options.map((item) => [item.name, String(resolved.get(item.name)?.value ?? item.default)]),
  );
  try {
    process.stdout.write(`${JSON.stringify(sample.build(settings), null, 2)}\n`);
  } catch (error) {
    if (error instanceof SampleEventError) fail(error.message, usageHint);
    throw error;
  }
};
