import { packageVersion } from './version.ts';

/** `sam-local-runtime <command>`: one entry point for the commands; each command reads its own options. */
const USAGE = `Usage: sam-local-runtime <command> [options]
       sam-local-runtime --version | --help

Commands:
  start-api        run a SAM template locally as \`sam local start-api\` does, without Docker: REST, HTTP and
                   WebSocket APIs, functions, local SQS, Step Functions, DynamoDB, SSM and Lambda
  start            the same, with the parameter values the stack is deployed with (samconfig's deploy table)
  invoke           run one function once with an event, as \`sam local invoke\` does
  start-lambda     serve the Lambda Invoke API for the template's functions, as \`sam local start-lambda\` does
  generate-event   print a sample event of an event source this runtime serves (apigateway, sqs, stepfunctions)
  token            mint a token from the running runtime's local issuer
  build            bundle the template's functions as sam build does

Run "sam-local-runtime <command> --help" for a command's options.`;

const commands: Record<string, (argv: string[]) => Promise<unknown>> = {
  'start-api': async (argv) => (await import('./start.ts')).runStart('start-api', argv),
  start: async (argv) => (await import('./start.ts')).runStart('start', argv),
  // These read process.argv themselves, the command's name already taken out of it.
  invoke: () => import('./invoke.ts'),
  'start-lambda': () => import('./start-lambda.ts'),
  'generate-event': async (argv) => (await import('./generate-event.ts')).runGenerateEvent(argv),
  token: () => import('../issuer/cli.ts'),
  build: () => import('../build/cli.ts'),
};

const [command] = process.argv.splice(2, 1);
if (command === '--version' || command === '-v') {
  // click's version_option format, as `sam --version` prints it.
  process.stdout.write(`sam-local-runtime, version ${packageVersion()}\n`);
  process.exit(0);
}
const run = command ? commands[command] : undefined;
if (!run) {
  const known = command === undefined || command === '-h' || command === '--help';
  const what = command?.startsWith('-') ? `no such option: ${command}` : `unknown command "${command}"`;
  (known ? process.stdout : process.stderr).write(`${known ? '' : `sam-local-runtime: ${what}\n\n`}${USAGE}\n`);
  process.exit(known ? 0 : 2);
}
await run(process.argv.slice(2));
