import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { eventually } from '../../src/testing/index.ts';
import { type LambdaEndpointProcess, startLambdaEndpoint } from './start-lambda-process.ts';

/**
 * Execution environments are reclaimed once idle for `--idle-timeout` seconds, as Lambda reclaims idle ones: the
 * next invocation still answers, from a new environment, and is a cold start. What tells a cold start apart is
 * Lambda's own mark: the REPORT line of the invocation's log (`LogType: Tail`) ends with `Init Duration`. An
 * environment whose heap outgrows its function's MemorySize ends too.
 */
let endpoint: LambdaEndpointProcess;
let lambda: LambdaClient;

beforeAll(async () => {
  endpoint = await startLambdaEndpoint(['--idle-timeout', '1']);
  lambda = new LambdaClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: endpoint.credentials });
}, 90_000);

afterAll(async () => {
  lambda?.destroy();
  await endpoint?.stop();
});

const invoke = async () => {
  const answer = await lambda.send(
    new InvokeCommand({ FunctionName: 'EchoFunction', LogType: 'Tail', Payload: JSON.stringify({ n: 1 }) }),
  );
  const report = Buffer.from(answer.LogResult ?? '', 'base64')
    .toString('utf8')
    .split('\n')
    .find((line) => line.startsWith('REPORT '));
  const payload = JSON.parse(new TextDecoder().decode(answer.Payload)) as { echoed?: unknown };
  return { echoed: payload.echoed, error: answer.FunctionError, report: report ?? '' };
};

const INIT = /\tMemory Size: \d+ MB\tInit Duration: [\d.]+ ms\t$/;

it('marks the first invocation of an environment a cold start (Init Duration), and not the next one', async () => {
  const first = await invoke();
  expect(first).toMatchObject({ echoed: { n: 1 }, error: undefined });
  expect(first.report).toMatch(INIT);
  const second = await invoke();
  expect(second.echoed).toEqual({ n: 1 });
  expect(second.report).toMatch(/\tMemory Size: \d+ MB\t$/);
});

it('reclaims an environment idle for --idle-timeout; the next invocation answers, a cold start', async () => {
  await invoke();
  // Idle for longer than the 1 s timeout.
  await new Promise((wait) => setTimeout(wait, 2500));
  const after = await invoke();
  expect(after).toMatchObject({ echoed: { n: 1 }, error: undefined });
  expect(after.report).toMatch(INIT);
}, 30_000);

it('refuses an --idle-timeout that is not a number of seconds above 0', async () => {
  await expect(startLambdaEndpoint(['--idle-timeout', 'soon'])).rejects.toThrow(
    /--idle-timeout must be a number of seconds above 0, got "soon"/,
  );
});

it("ends an environment whose heap outgrows the function's MemorySize, as Lambda does; the next invocation answers", async () => {
  const over = await lambda.send(
    new InvokeCommand({ FunctionName: 'HogFunction', Payload: JSON.stringify({ megabytes: 1024 }) }),
  );
  expect(over.FunctionError).toBe('Unhandled');
  expect(JSON.parse(new TextDecoder().decode(over.Payload))).toMatchObject({
    errorType: 'Runtime.ExitError',
    errorMessage: expect.stringMatching(/^RequestId: \S+ Error: Runtime exited with error: signal: killed$/),
  });
  const logged = (pattern: RegExp) => eventually(() => pattern.test(endpoint.output()), 5000);
  expect(await logged(/HogFunction \S+ failed: Runtime\.ExitError: RequestId: \S+ Error: Runtime exited/)).toBe(true);
  expect(await logged(/signal: killed \(its heap outgrew MemorySize 128 MB\)/)).toBe(true);
  const next = await lambda.send(
    new InvokeCommand({ FunctionName: 'HogFunction', Payload: JSON.stringify({ megabytes: 1 }) }),
  );
  expect(next.FunctionError).toBeUndefined();
  // A new environment: what the one before kept is gone.
  expect(JSON.parse(new TextDecoder().decode(next.Payload))).toEqual({ kept: 1 });
}, 60_000);
