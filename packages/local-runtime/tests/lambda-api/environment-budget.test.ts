import { fileURLToPath } from 'node:url';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { type LambdaEndpointProcess, startLambdaEndpoint } from './start-lambda-process.ts';

/**
 * The runtime's ceiling on execution environments alive at once (`--max-environments`): at the ceiling, a new
 * environment first ends the one idle longest, of whichever function, and that function's next invocation is a cold
 * start (Lambda's mark: `Init Duration` on the REPORT line). And the spare threads that cold starts take: each becomes
 * one function's environment, with that function's variables only and its MemorySize's heap limit.
 */
const TEMPLATE = fileURLToPath(new URL('../fixtures/environments/template.yaml', import.meta.url));
let endpoint: LambdaEndpointProcess;
let lambda: LambdaClient;

beforeAll(async () => {
  endpoint = await startLambdaEndpoint(['--max-environments', '2'], TEMPLATE);
  lambda = new LambdaClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: endpoint.credentials });
}, 90_000);

afterAll(async () => {
  lambda?.destroy();
  await endpoint?.stop();
});

interface Report {
  own: string;
  keys: string[];
  served: number;
  memoryLimitInMB: string;
  heapLimitMb: number;
}

const invoke = async (name: string) => {
  const answer = await lambda.send(new InvokeCommand({ FunctionName: name, LogType: 'Tail', Payload: '{}' }));
  const report = Buffer.from(answer.LogResult ?? '', 'base64')
    .toString('utf8')
    .split('\n')
    .find((line) => line.startsWith('REPORT '));
  expect(answer.FunctionError).toBeUndefined();
  return {
    result: JSON.parse(new TextDecoder().decode(answer.Payload)) as Report,
    cold: /\tInit Duration: [\d.]+ ms\t$/.test(report ?? ''),
  };
};

it('at the ceiling, ends the environment idle longest: that function cold-starts, the others stay warm', async () => {
  expect(await invoke('AlphaFunction')).toMatchObject({ cold: true, result: { own: 'alpha', served: 1 } });
  expect(await invoke('BetaFunction')).toMatchObject({ cold: true, result: { own: 'beta', served: 1 } });
  expect(await invoke('AlphaFunction')).toMatchObject({ cold: false, result: { served: 2 } });
  // A third environment: Beta's is the one idle longest now, and ends.
  expect(await invoke('GammaFunction')).toMatchObject({ cold: true, result: { own: 'gamma', served: 1 } });
  expect(await invoke('AlphaFunction')).toMatchObject({ cold: false, result: { served: 3 } });
  expect(await invoke('BetaFunction')).toMatchObject({ cold: true, result: { own: 'beta', served: 1 } });
});

it("gives each environment its own function's variables only, whichever thread it started in", async () => {
  // Many cold starts in turn (the ceiling of 2 ends an environment at each), each taking the spare the one before
  // left: none sees a variable of another function or of the runtime's own process.
  for (let round = 0; round < 3; round++) {
    for (const name of ['AlphaFunction', 'BetaFunction', 'GammaFunction']) {
      const { result } = await invoke(name);
      const own = name.replace('Function', '').toLowerCase();
      expect(result.own).toBe(own);
      expect(result.keys.includes('ONLY_ALPHA')).toBe(own === 'alpha');
      expect(result.keys).toContain('AWS_LAMBDA_FUNCTION_NAME');
      expect(result.keys.filter((key) => key in process.env && !/^(AWS_|TZ$|LANG$|PATH$|LD_|NODE_)/.test(key))).toEqual(
        [],
      );
    }
  }
});

it("limits each environment's heap by its own function's MemorySize", async () => {
  const small = await invoke('BetaFunction');
  const large = await invoke('GammaFunction');
  expect(small.result.memoryLimitInMB).toBe('128');
  expect(large.result.memoryLimitInMB).toBe('512');
  expect(large.result.heapLimitMb).toBeGreaterThan(small.result.heapLimitMb + 256);
});

it('refuses a --max-environments that is not a whole number above 0', async () => {
  await expect(startLambdaEndpoint(['--max-environments', '0'], TEMPLATE)).rejects.toThrow(
    /--max-environments must be a whole number above 0, got "0"/,
  );
});
