import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { call } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * python3.x functions on the host's Python through the Lambda Runtime API, black-box: the sam-init hello-world
 * shape answers, a raised exception is a 502 with the reason logged, a failed import is Runtime.ImportModuleError.
 */
const runtime = fixtureRuntime('python');
let prod: string;

beforeAll(() => {
  prod = `${runtime.info.restUrl}/Prod`;
});

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

it("answers an exception with Lambda's Python error document: request id, the handler's frames only", async () => {
  // As recorded on AWS: test_apigateway_lambda.snapshot.json test_lambda_selection_patterns
  // "lambda-selection-pattern-400" (awslambdaric's make_error).
  const lambda = new LambdaClient(runtime.clientConfig('lambda'));
  try {
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: 'HelloWorldFunction', Payload: JSON.stringify({ path: '/fail' }) }),
    );
    const error = JSON.parse(Buffer.from(answer.Payload ?? []).toString()) as Record<string, unknown>;
    expect(answer.FunctionError).toBe('Unhandled');
    expect(error).toMatchObject({ errorType: 'ValueError', errorMessage: 'this path fails' });
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.trace).toEqual([
      expect.stringMatching(/^ {2}File ".*\/hello_world\/app\.py", line \d+, in lambda_handler\n {4}raise ValueError/),
    ]);
  } finally {
    lambda.destroy();
  }
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
