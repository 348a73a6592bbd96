import { fileURLToPath } from 'node:url';
import { type LocalRuntime, startLocalRuntime } from '../../src/index.ts';

/**
 * The programmatic API, in-process: `startLocalRuntime` gives the URLs, keys, credentials, a token minter and the
 * service endpoints, and `stop()` ends everything (the test would hang on a stray server, worker or timer).
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/sam-events/template.yaml', import.meta.url));
let runtime: LocalRuntime;
const lines: string[] = [];

beforeAll(async () => {
  runtime = await startLocalRuntime({
    templatePath: FIXTURE,
    port: 0,
    wsPort: 0,
    watch: false,
    buildDir: fileURLToPath(new URL('../../../../.local/test-programmatic', import.meta.url)),
    log: (line) => lines.push(line),
  });
}, 90_000);

afterAll(() => runtime.stop());

it('starts the template in-process and reports where everything is', async () => {
  const prod = runtime.info.apis.find((api) => api.logicalId === 'ServerlessRestApi');
  expect(prod?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/Prod$/);
  const hello = await fetch(`${prod?.url}/hello`);
  expect(hello.status).toBe(200);
  expect(runtime.info.apiKeys.map((key) => key.logicalId)).toEqual(['ItemsApiApiKey']);
  expect(runtime.info.services.map((service) => service.name).sort()).toEqual(
    ['dynamodb', 'eventbridge', 'kinesis', 'lambda', 's3', 'secretsmanager', 'sns', 'sqs', 'ssm', 'stepfunctions'].sort(),
  );
  expect(runtime.info.credentials.accessKeyId).toMatch(/^AKIA/);
});

it('mints tokens the template authorizers accept', async () => {
  const items = runtime.info.apis.find((api) => api.logicalId === 'ItemsApi')?.url;
  const token = await runtime.token({ sub: 'erin', tokenUse: 'id' });
  expect((await fetch(`${items}/profile`, { headers: { Authorization: token } })).status).toBe(200);
  expect(lines.some((line) => / \/v1\/profile 200 /.test(line))).toBe(true);
});
