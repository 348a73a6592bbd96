/** `sam-local-runtime <command>`: one entry point for the commands; each command parses its own options. */
const USAGE = `Usage: sam-local-runtime <command> [options]

Commands:
  start          run a SAM template locally: REST, HTTP and WebSocket APIs, functions, local AWS services
  invoke         run one function once with an event, as sam local invoke
  start-lambda   serve the Lambda Invoke API for the template's functions, as sam local start-lambda
  token          mint a token from the running runtime's local issuer
  build          bundle the template's functions as sam build does

Run "sam-local-runtime <command> --help" for a command's options.`;

const commands: Record<string, () => Promise<unknown>> = {
  start: () => import('./start.ts'),
  invoke: () => import('./invoke.ts'),
  'start-lambda': () => import('./start-lambda.ts'),
  token: () => import('../issuer/cli.ts'),
  build: () => import('../build/cli.ts'),
};

const [command] = process.argv.splice(2, 1);
const run = command ? commands[command] : undefined;
if (!run) {
  const known = command === undefined || command === '-h' || command === '--help';
  (known ? process.stdout : process.stderr).write(
    `${known ? '' : `sam-local-runtime: unknown command "${command}"\n\n`}${USAGE}\n`,
  );
  process.exit(known ? 0 : 2);
}
await run();
