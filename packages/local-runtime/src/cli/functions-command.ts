import { existsSync } from 'node:fs';
import { flushStdout } from '../runtime/stdout-lines.ts';
import { LocalStack } from '../template/stack.ts';

/**
 * What `invoke` and `start-lambda` share: SAM CLI's flags for the template and its parameters, the build folder and
 * the debugger, and one-line failures. (The shared option module of `start` will take these over.)
 */
export const FUNCTION_OPTIONS_USAGE = `  -t, --template FILE      SAM template (default template.yaml, else template.yml)
  --parameter-overrides S  'Key=Value Key2=Value2', over the samconfig environment's parameter_overrides
  --config-env NAME        samconfig.toml environment for parameter values
  --build-dir DIR          where function bundles go (default .local/build beside the template)
  -d, --debug-port N       the debugged function waits for a debugger on this port (Node.js inspector; debugpy
                           for Python) before it runs; its timeout is 10 hours, as with SAM CLI
  --debug-function ID      which function --debug-port applies to (default: the only one / the invoked one)`;

export const functionOptions = {
  template: { type: 'string', short: 't' },
  'parameter-overrides': { type: 'string', default: '' },
  'config-env': { type: 'string' },
  'build-dir': { type: 'string' },
  'debug-port': { type: 'string', short: 'd' },
  'debug-function': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

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

/** SAM CLI's default template: template.yaml, or template.yml when only that exists. */
export const templatePathOf = (given: string | undefined): string =>
  given ?? (!existsSync('template.yaml') && existsSync('template.yml') ? 'template.yml' : 'template.yaml');

export const readStack = (
  fail: (message: string, code?: number) => never,
  values: { template?: string; 'parameter-overrides': string; 'config-env'?: string },
): LocalStack => {
  try {
    return new LocalStack({
      templatePath: templatePathOf(values.template),
      parameterOverrides: values['parameter-overrides'],
      configEnv: values['config-env'],
    });
  } catch (error) {
    return fail((error as Error).message, 1);
  }
};
