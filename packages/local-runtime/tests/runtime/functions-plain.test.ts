import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call, runtimeForSuite } from '../../src/testing/index.ts';

/**
 * Functions with no build step, black-box: tests/fixtures/plain-functions is copied to a temporary folder (outside
 * this repository, so no node_modules above it: the function's own and the runtime's SDK are all there is) and run
 * as a child process; every assertion is about the banner, the log and what comes back over HTTP.
 */
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'plain-functions-'));
  cpSync(fileURLToPath(new URL('../fixtures/plain-functions', import.meta.url)), dir, { recursive: true });
  // hello-world's own dependency, as `npm install` in hello-world/ would leave it.
  const greeting = join(dir, 'hello-world', 'node_modules', 'greeting');
  mkdirSync(greeting, { recursive: true });
  writeFileSync(
    join(greeting, 'package.json'),
    JSON.stringify({ name: 'greeting', version: '1.0.0', main: 'index.js' }),
  );
  writeFileSync(join(greeting, 'index.js'), 'module.exports = (who) => `hello ${who}`;\n');
});
const runtime = runtimeForSuite(() => ['--template', join(dir, 'template.yaml')]);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, init: RequestInit = {}) => call(`${runtime.base}${path}`, init);

/** The banner's "Not run locally" line of one function. */
const notRunLine = (logicalId: string) =>
  runtime
    .output()
    .split('\n')
    .find((line) => line.startsWith(`  - ${logicalId}: not run:`));

describe('plain handlers, run in place', () => {
  test('a CommonJS app.js under CodeUri finds the package in its own node_modules', async () => {
    const answer = await get('/hello');
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ message: 'hello world', taskRoot: join(dir, 'hello-world') });
  });

  test('an ES module app.mjs runs', async () => {
    const answer = await get('/esm');
    expect({ status: answer.status, body: answer.json() }).toEqual({
      status: 200,
      body: { module: 'app.mjs', path: '/esm' },
    });
  });

  test('a handler in a subfolder (src/handlers/app.lambdaHandler), an ES module by its package.json "type"', async () => {
    const answer = await get('/nested');
    expect({ status: answer.status, body: answer.json() }).toEqual({
      status: 200,
      body: { where: 'nested', esm: true },
    });
  });

  test('InlineCode runs as index.js, CommonJS, with its resolved environment', async () => {
    const answer = await get('/inline');
    expect({ status: answer.status, body: answer.json() }).toEqual({
      status: 200,
      body: { greeting: 'hello from us-east-1', commonjs: true },
    });
  });

  test('@aws-sdk/client-dynamodb imported without bundling or installing it reaches the local DynamoDB', async () => {
    const created = await get('/items', { method: 'POST', body: 'widget' });
    expect(created.status).toBe(201);
    const listed = await get('/items');
    expect({ status: listed.status, body: listed.json() }).toEqual({ status: 200, body: ['widget'] });
    expect((await runtime.tableItems()).map((item) => item.name?.S)).toEqual(['widget']);
  });
});

describe('the handler contract follows Runtime', () => {
  test('nodejs20.x: a callback handler answers through its callback', async () => {
    const answer = await get('/callback/node20');
    expect({ status: answer.status, body: answer.json() }).toEqual({ status: 200, body: { style: 'callback' } });
  });

  test('nodejs20.x: a CommonJS callback handler that require()s the provided SDK answers once its call is done', async () => {
    const answer = await get('/legacy/tables');
    expect({ status: answer.status, body: answer.json() }).toEqual({ status: 200, body: { tables: 1 } });
  });

  test('nodejs22.x: context.succeed ends the invocation', async () => {
    const answer = await get('/context-succeed');
    expect({ status: answer.status, body: answer.json() }).toEqual({ status: 200, body: { style: 'context.succeed' } });
  });

  test('callbackWaitsForEmptyEventLoop = false answers without waiting for a pending timer', async () => {
    const answer = await get('/no-wait');
    expect({ status: answer.status, body: answer.json() }).toEqual({ status: 200, body: { waited: false } });
  });

  test('nodejs24.x: the same callback handler fails as on Lambda, and says why', async () => {
    expect(
      await runtime.waitForOutput(
        /\[lambda\] Callback24Function: not run: .*AWS Lambda has removed support for callback-based function handlers starting with Node\.js 24/,
        30_000,
      ),
    ).toBe(true);
    const answer = await get('/callback/node24');
    expect({ status: answer.status, body: answer.json() }).toEqual({
      status: 502,
      body: { message: 'Internal server error' },
    });
    expect(
      await runtime.waitForOutput(/\[lambda\] Callback24Function \S+ not run: Runtime\.CallbackHandlerDeprecated: /),
    ).toBe(true);
  }, 40_000);
});

describe('functions that cannot run say why', () => {
  test('a missing handler file: a banner line, 502 Internal server error, and a log line naming the function', async () => {
    expect(notRunLine('MissingHandlerFunction')).toMatch(/handler file not found: no app\.js, \.mjs or \.cjs in /);
    const answer = await get('/missing');
    expect({ status: answer.status, body: answer.json() }).toEqual({
      status: 502,
      body: { message: 'Internal server error' },
    });
    expect(
      await runtime.waitForOutput(/\[lambda\] MissingHandlerFunction \S+ not run: Runtime\.ImportModuleError: handler/),
    ).toBe(true);
  });

  test('a TypeScript handler and a java runtime are named in the banner, found without running anything', () => {
    expect(notRunLine('TypeScriptFunction')).toMatch(/app\.ts .* is TypeScript.*BuildMethod: esbuild/);
    expect(notRunLine('PythonFunction')).toContain('Runtime java21 is not run locally');
    // Functions that run are not in the list, nor are those whose init fails: start-up runs no init.
    expect(notRunLine('HelloWorldFunction')).toBeUndefined();
    expect(notRunLine('MissingModuleFunction')).toBeUndefined();
  });

  test('a missing module and a missing export are named after start-up, by running each init once in the background', async () => {
    expect(
      await runtime.waitForOutput(
        /\[lambda\] MissingModuleFunction: not run: .*Cannot find module 'not-installed-anywhere'.* \(found by running its init once\)/,
        30_000,
      ),
    ).toBe(true);
    expect(
      await runtime.waitForOutput(
        /\[lambda\] MissingExportFunction: not run: boom\.nothingHere is undefined or not exported/,
        30_000,
      ),
    ).toBe(true);
    // Functions that run are not named.
    expect(runtime.output()).not.toMatch(/\[lambda\] HelloWorldFunction: not run/);
  }, 40_000);

  test('a function of an unsupported runtime answers 502 with the reason in the log', async () => {
    const answer = await get('/python');
    expect(answer.status).toBe(502);
    expect(await runtime.waitForOutput(/\[lambda\] PythonFunction \S+ not run: .*java21/)).toBe(true);
  });

  test("a function's thrown error is logged with its message and first stack frame", async () => {
    const answer = await get('/boom');
    expect(answer.status).toBe(502);
    expect(
      await runtime.waitForOutput(
        /\[lambda\] BoomFunction \S+ failed: Error: boom: the order service is down at .*broken\/boom\.js:2:\d+/,
      ),
    ).toBe(true);
  });
});

test("Lambda's awsRequestId is its own, not API Gateway's requestId, and fresh per invocation", async () => {
  const first = (await get('/hello')).json();
  const second = (await get('/hello')).json();
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  expect(first.awsRequestId).toMatch(uuid);
  expect(first.awsRequestId).not.toBe(first.apiRequestId);
  expect(first.awsRequestId).not.toBe(second.awsRequestId);
});
