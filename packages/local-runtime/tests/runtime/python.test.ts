import { fileURLToPath } from 'node:url';
import { call, type RunningRuntime, startRuntime } from '../../src/testing/index.ts';

/**
 * python3.x functions on the host's Python through the Lambda Runtime API, black-box: the sam-init hello-world
 * shape answers, a raised exception is a 502 with the reason logged, a failed import is Runtime.ImportModuleError.
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/python/template.yaml', import.meta.url));
let runtime: RunningRuntime;
let prod: string;

beforeAll(async () => {
  runtime = await startRuntime(['--template', FIXTURE]);
  prod = `${runtime.info.restUrl}/Prod`;
}, 90_000);
afterAll(() => runtime.stop());

it('runs a python handler with its environment and context, and prints its output under its name', async () => {
  const answer = await call(`${prod}/hello`);
  expect(answer.status).toBe(200);
  expect(answer.json()).toMatchObject({
    message: 'hello world',
    path: '/hello',
    function: expect.stringContaining('HelloWorldFunction'),
    requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    remainingOk: true,
  });
  expect(await runtime.waitForOutput(/^\[HelloWorldFunction\] hello from \/hello$/m)).toBe(true);
  // A warm environment answers the next one.
  expect((await call(`${prod}/hello`)).status).toBe(200);
});

it('answers a raised exception with 502 and logs the error', async () => {
  const answer = await call(`${prod}/fail`);
  expect({ status: answer.status, body: answer.json() }).toEqual({
    status: 502,
    body: { message: 'Internal server error' },
  });
  expect(await runtime.waitForOutput(/\[lambda\] HelloWorldFunction \S+ failed: ValueError: this path fails/)).toBe(
    true,
  );
  expect((await call(`${prod}/hello`)).status).toBe(200);
});

it('reports a module that cannot be imported as Runtime.ImportModuleError', async () => {
  const answer = await call(`${prod}/broken`);
  expect(answer.status).toBe(502);
  expect(
    await runtime.waitForOutput(
      /BrokenFunction \S+ (?:failed|not run): Runtime\.ImportModuleError: Unable to import module 'app': No module named 'a_module_that_is_not_installed'/,
    ),
  ).toBe(true);
});
