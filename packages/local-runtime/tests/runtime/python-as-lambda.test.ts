import { call } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * Python functions the way Lambda and `sam build` run them, black-box: `InlineCode` (index.py), a `CodeUri` that
 * is a .zip, requirements.txt installed with the host's pip (a local wheel: no network), one pip cannot install
 * named at start-up, and the root logger's Lambda format.
 */
const runtime = fixtureRuntime('python-as-lambda');
let prod: string;

beforeAll(() => {
  prod = `${runtime.info.restUrl}/Prod`;
});

it('runs InlineCode as index.py, and the root logger prints [LEVEL]\\ttime\\trequestId\\tmessage', async () => {
  const answer = await call(`${prod}/inline`);
  expect(answer.status).toBe(200);
  const { inline, requestId } = answer.json() as { inline: boolean; requestId: string };
  expect(inline).toBe(true);
  const line = new RegExp(
    `^\\[InlineFunction\\] \\[INFO\\]\\t\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${requestId}\\tinline saw /inline$`,
    'm',
  );
  expect(await runtime.waitForOutput(line)).toBe(true);
  expect(runtime.output()).not.toContain('not at INFO');
});

it('runs a CodeUri .zip, extracted into the build folder', async () => {
  const answer = await call(`${prod}/zipped`);
  expect({ status: answer.status, body: answer.json() }).toEqual({ status: 200, body: { zipped: 'FROM THE ZIP' } });
});

it("installs requirements.txt with pip as sam build does, and takes AWS_LAMBDA_LOG_LEVEL as the root logger's level", async () => {
  const answer = await call(`${prod}/with-deps`);
  expect({ status: answer.status, body: answer.json() }).toEqual({
    status: 200,
    body: { greeting: 'hello lambda from greetlib' },
  });
  expect(
    await runtime.waitForOutput(
      /^\[WithDepsFunction\] \[DEBUG\]\t\S+\tNone\tdebug at init, AWS_LAMBDA_LOG_LEVEL=DEBUG$/m,
    ),
  ).toBe(true);
});

it('names a requirements.txt pip could not install at start-up, and runs the function without it', async () => {
  expect(runtime.output()).toMatch(
    /MissingDepsFunction: requirements\.txt not installed \(pip: .+\); it runs without them/,
  );
  const answer = await call(`${prod}/missing-deps`);
  expect({ status: answer.status, body: answer.json() }).toEqual({ status: 200, body: { installed: false } });
});
