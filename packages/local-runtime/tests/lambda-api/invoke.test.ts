import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURE, runCommand } from './start-lambda-process.ts';

/**
 * `sam-local-runtime invoke`, as `sam local invoke`: the result on stdout, the function's lines and Lambda's
 * START/END/REPORT on stderr, exit 0 even when the function fails (as SAM CLI), 1 when there is nothing to invoke.
 */
const EVENT = fileURLToPath(new URL('../fixtures/lambda-api/event.json', import.meta.url));
const SINGLE = fileURLToPath(new URL('../fixtures/lambda-api/single.yaml', import.meta.url));
const buildDir = mkdtempSync(join(tmpdir(), 'local-runtime-invoke-'));

const invoke = (args: string[], stdin?: string) => runCommand(['invoke', '--build-dir', buildDir, ...args], stdin);

it('prints the result on stdout and the logs, then END and REPORT, on stderr', async () => {
  const { code, stdout, stderr } = await invoke(['EchoFunction', '-t', FIXTURE, '-e', EVENT]);
  expect(code).toBe(0);
  const result = JSON.parse(stdout) as Record<string, unknown>;
  expect(result.echoed).toEqual({ id: 'order-1', quantity: 2 });
  const id = String(result.requestId);
  const start = stderr.indexOf(`START RequestId: ${id} Version: $LATEST\n`);
  const line = stderr.indexOf(`\t${id}\tINFO\techo {"id":"order-1","quantity":2}\n`);
  const end = stderr.indexOf(`END RequestId: ${id}\n`);
  const report = stderr.search(new RegExp(`REPORT RequestId: ${id}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms`));
  expect([start, line, end, report].every((at) => at >= 0)).toBe(true);
  expect(start < line && line < end && end < report).toBe(true);
  expect(stdout).toBe(`${JSON.stringify(result)}\n`);
}, 60_000);

it('reads the event from stdin with -e -, and invokes the only function when none is named', async () => {
  const { code, stdout } = await invoke(['-t', SINGLE, '-e', '-'], '{"from":"stdin"}');
  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toMatchObject({ echoed: { from: 'stdin' } });
  const none = await invoke(['-t', SINGLE]);
  expect(JSON.parse(none.stdout)).toMatchObject({ echoed: {} });
}, 60_000);

it("exits 0 with the function's error payload on stdout, as SAM CLI does", async () => {
  const { code, stdout, stderr } = await invoke(['FailFunction', '-t', FIXTURE, '--no-event']);
  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toMatchObject({ errorType: 'TypeError', errorMessage: 'boom' });
  expect(stderr).toMatch(/INFO\tabout to fail/);
}, 60_000);

it('runs the local services behind the function: it writes to the queue and the table', async () => {
  const { code, stdout, stderr } = await invoke(['SendFunction', '-t', FIXTURE, '-e', EVENT]);
  expect(code).toBe(0);
  const { messageId } = JSON.parse(stdout) as { messageId: string };
  expect(messageId).toMatch(/^[0-9a-f-]{36}$/);
  expect(stderr).toContain(`INFO\tsent ${messageId}`);
}, 60_000);

it('exits 1 naming what cannot be invoked', async () => {
  const missing = await invoke(['Nope', '-t', FIXTURE]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toBe('sam-local-runtime invoke: Function Nope not found in template\n');
  const ambiguous = await invoke(['-t', FIXTURE]);
  expect(ambiguous.code).toBe(1);
  expect(ambiguous.stderr).toMatch(
    /You must provide a function logical ID when there are more than one functions in your template\. Possible options in your template: EchoFunction, FailFunction/,
  );
  const noEvent = await invoke(['EchoFunction', '-t', FIXTURE, '-e', 'nope.json']);
  expect(noEvent.code).toBe(1);
  expect(noEvent.stderr).toMatch(/^sam-local-runtime invoke: cannot read the event nope\.json: ENOENT/);
}, 60_000);
