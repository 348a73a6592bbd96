import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { endLines, errorBodyOf, startLine } from '../lambda/report.ts';
import { chooseFunction } from '../runtime/functions.ts';
import { startFunctionsRuntime } from '../runtime/functions-runtime.ts';
import { type Flag, helpFlag, samLocalFlags } from './flags.ts';
import { buildDirFlag, debugPortOf, readFunctionsCommand, strictFlag } from './functions-command.ts';

/**
 * `sam-local-runtime invoke [FUNCTION] -e event.json`, as `sam local invoke`: the function's result (or its error
 * payload) on stdout, its output and Lambda's START/END/REPORT lines on stderr. As with SAM CLI, a function error is
 * not the command's: the exit status is 0 (samcli/commands/local/lib/local_lambda.py keeps it 0 "to avoid
 * regressions"); a function or event that cannot be found, or a template that cannot be read, exits 1. The local
 * services run behind the function, so what it writes to a queue or a table is accepted (and gone when it exits).
 */
const FLAGS: Flag[] = [
  {
    name: 'event',
    short: 'e',
    kind: 'string',
    value: 'FILE',
    help: "the event, a JSON file ('-' reads it from stdin); without it, {} as with SAM CLI",
  },
  { name: 'no-event', kind: 'boolean', help: "invoke with {} (SAM CLI's deprecated flag; the default)" },
  ...samLocalFlags('invoke'),
  buildDirFlag,
  strictFlag,
  helpFlag,
];

const command = readFunctionsCommand(
  {
    name: 'invoke',
    samconfigCommand: 'local_invoke',
    flags: FLAGS,
    includeBuildTemplate: true,
    flagsFromSamconfig: true,
  },
  "Usage: sam-local-runtime invoke [FUNCTION] [options]\n\nRuns one function once with an event, as `sam local invoke` does, with the local services behind it.\nFUNCTION: logical id or FunctionName (default: the template's only function).",
  process.argv.slice(2),
);
const { options, stack, fail } = command;
const { positionals } = options;
if (positionals.length > 1) fail(`one function at a time, got ${positionals.join(', ')}`);

const readEvent = (file: string | undefined): unknown => {
  if (file === undefined) return {};
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    return fail(`cannot read the event ${file === '-' ? 'from stdin' : file}: ${(error as Error).message}`, 1);
  }
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    return fail(`the event ${file === '-' ? 'on stdin' : file} is not JSON: ${(error as Error).message}`, 1);
  }
};
const eventFile = options.string('event');
// SAM CLI's hint when it waits for a payload typed at a terminal.
if (eventFile === '-' && process.stdin.isTTY) {
  process.stderr.write('Reading invoke payload from stdin (you can also pass it from file with --event)\n');
}
const event = readEvent(options.boolean('no-event') ? undefined : eventFile);

const wanted = positionals[0];
const chosen = chooseFunction(stack, wanted);
const logicalId =
  chosen.logicalId ??
  fail(
    wanted
      ? `Function ${wanted} not found in template`
      : `You must provide a function logical ID when there are more than one functions in your template. Possible options in your template: ${chosen.all.join(', ')}`,
    1,
  );
const debugPort = debugPortOf(command);
const buildDir = options.string('build-dir');

const stderr = (line: string) => process.stderr.write(`${line}\n`);
const runtime = await startFunctionsRuntime(stack, {
  host: '127.0.0.1',
  timeScale: 1,
  log: stderr,
  functionOutput: (_logicalId, line) => stderr(line),
  maxConcurrency: 10,
  ...(buildDir ? { buildDir } : {}),
  ...(options.envVars ? { envVars: options.envVars } : {}),
  ...(debugPort === undefined ? {} : { debug: { port: debugPort, functionId: logicalId } }),
  eventSources: false,
}).catch((error: Error) => fail(error.message, 1));

const config = runtime.lambda.find(logicalId)?.config;
let code = 0;
if (config) {
  const requestId = randomUUID();
  stderr(`Invoking ${config.handler} (${config.runtime || 'no Runtime'})`);
  stderr(startLine(requestId, '$LATEST'));
  const outcome = await runtime.lambda.invoke(logicalId, event, requestId, { logs: true });
  for (const line of endLines(outcome, config)) stderr(line);
  const error = errorBodyOf(outcome, config);
  const answer = error ?? (outcome.status === 'ok' ? outcome.result : null);
  process.stdout.write(`${JSON.stringify(answer) ?? 'null'}\n`);
} else {
  code = 1;
  stderr(`sam-local-runtime invoke: ${logicalId} is not run locally`);
}
// A function left waiting on its own timers or sockets does not keep the command alive.
setTimeout(() => process.exit(code), 5000).unref();
await runtime.close();
process.exit(code);
