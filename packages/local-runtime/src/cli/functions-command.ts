import { flushStdout } from '../runtime/stdout-lines.ts';
import { SERVICES } from '../services/index.ts';
import { LocalStack } from '../template/stack.ts';
import type { Flag } from './flags.ts';
import {
  CommandError,
  type LocalCommand,
  type LocalCommandOptions,
  readLocalCommand,
  shortUsage,
  UsageError,
  usageOf,
} from './options.ts';

/** The build folder: this runtime's own flag of every command that runs functions. */
export const buildDirFlag: Flag = {
  name: 'build-dir',
  kind: 'string',
  value: 'DIR',
  help: 'where function bundles go (default .local/build beside the template)',
};

/** `--strict`: the template is refused for anything CloudFormation refuses it for (see template-problems.ts). */
/**
 * The local AWS endpoints' own flags, on every command that starts them (`start`/`start-api`, `start-lambda`); the
 * default of --service-ports is the command's (start-api: --port + 10; start-lambda: free ports).
 */
export const localServicesFlags = (servicePortsDefault: string): Flag[] => [
  {
    name: 'service-ports',
    kind: 'string',
    value: 'N',
    help: `fixed ports N..N+${SERVICES.length - 1} for the local ${SERVICES.map((service) => service.name).join(', ')} endpoints, in that order (default ${servicePortsDefault}; 0: free ports)`,
  },
  {
    name: 'accept-any-signature',
    kind: 'boolean',
    help: "the local AWS endpoints and @connections take any well-formed SigV4 signature (tools signed with other credentials); by default only the local credentials' (printed at start-up)",
  },
  {
    name: 'persist',
    kind: 'string',
    value: 'DIR',
    help: 'keep DynamoDB data in DIR between runs (default: a temporary directory, removed at exit)',
  },
  {
    name: 'time-scale',
    kind: 'string',
    value: 'F',
    help: 'run queue timeouts and delays, workflow waits and asynchronous retry delays F times as long (e.g. 0.01 for tests; default 1)',
  },
];

export const strictFlag: Flag = {
  name: 'strict',
  kind: 'boolean',
  help: 'refuse the template for anything CloudFormation refuses it for (by default a problem in what is not served, such as an unused output naming a missing resource, is named at start-up and the rest runs)',
};

/** How long an idle execution environment is kept, and how many are kept at most. */
export const environmentFlags: Flag[] = [
  {
    name: 'idle-timeout',
    kind: 'string',
    value: 'S',
    help: "end a function's execution environment idle for S seconds: its next invocation is a cold start (default 300, as Lambda reclaims idle environments after minutes)",
  },
  {
    name: 'max-environments',
    kind: 'string',
    value: 'N',
    help: 'keep at most N execution environments alive across all functions: at N, a new one first ends the one idle longest (default 50, about 600 MB of Node.js environments)',
  },
];

/** `--idle-timeout S` in milliseconds and `--max-environments N`, each absent when not given (the runtime's default). */
export const environmentOptionsOf = (
  fail: (message: string) => never,
  options: LocalCommandOptions,
): { idleTimeoutMs?: number; maxEnvironments?: number } => {
  const idle = options.string('idle-timeout');
  const max = options.string('max-environments');
  const seconds = Number(idle);
  if (idle !== undefined && (!Number.isFinite(seconds) || seconds <= 0))
    fail(`--idle-timeout must be a number of seconds above 0, got "${idle}"`);
  if (max !== undefined && !/^[1-9]\d*$/.test(max))
    fail(`--max-environments must be a whole number above 0, got "${max}"`);
  return {
    ...(idle === undefined ? {} : { idleTimeoutMs: seconds * 1000 }),
    ...(max === undefined ? {} : { maxEnvironments: Number(max) }),
  };
};

export const failer =
  (command: string) =>
  (message: string, code = 2): never => {
    flushStdout();
    process.stderr.write(`sam-local-runtime ${command}: ${message}\n`);
    process.exit(code);
  };

export const portOf = (
  fail: (message: string) => never,
  value: string | undefined,
  fallback: number,
  flag: string,
): number => {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    fail(`${flag} must be a port number from 0 to 65535, got "${value}"`);
  }
  return port;
};

export interface FunctionsCommand {
  options: LocalCommandOptions;
  stack: LocalStack;
  fail: (message: string, code?: number) => never;
}

/**
 * What `invoke` and `start-lambda` share with `start-api`: SAM CLI's flags read as SAM CLI reads them (command line,
 * environment, samconfig's `[<env>.<command>.parameters]` then `[<env>.global.parameters]`), `--help`, one-line
 * failures (exit 2 for usage, 1 for what cannot be read), the notes on ignored flags and the template read.
 */
export const readFunctionsCommand = (command: LocalCommand, synopsis: string, argv: string[]): FunctionsCommand => {
  const fail = failer(command.name);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usageOf(synopsis, command.flags)}\n`);
    process.exit(0);
  }
  let options: LocalCommandOptions;
  try {
    options = readLocalCommand(command, argv);
  } catch (error) {
    if (error instanceof UsageError)
      return fail(`${error.message}\n${shortUsage(`sam-local-runtime ${command.name}`)}`);
    if (error instanceof CommandError) return fail(error.message, 1);
    throw error;
  }
  for (const note of options.notes) process.stderr.write(`sam-local-runtime ${command.name}: ${note}\n`);
  if (!options.string('template')) process.stderr.write(`sam-local-runtime ${command.name}: ${options.templateNote}\n`);
  const region = options.string('region');
  let stack: LocalStack;
  try {
    stack = new LocalStack({
      templatePath: options.templatePath,
      configEnv: options.configEnv,
      parameterOverrides: options.parameterOverrides,
      samconfigPath: options.samconfigPath,
      samconfigCommand: options.samconfigCommand,
      ...(region ? { region } : {}),
      strict: options.boolean('strict') ?? false,
    });
  } catch (error) {
    return fail((error as Error).message, 1);
  }
  return { options, stack, fail };
};

/** `--debug-port` (the first one: one debugged function) as the functions runtime takes it. */
export const debugPortOf = (command: FunctionsCommand): number | undefined => {
  const [first] = command.options.list('debug-port');
  return first === undefined ? undefined : portOf(command.fail, first, 0, '--debug-port');
};
