import { runtimeForSuite } from '../../src/testing/index.ts';
import { type Backend, startBackend } from './backend.ts';
import { type ParityAnswer, send } from './client.ts';
import { recorded } from './recordings.ts';

/**
 * What a REST API's HTTP and HTTP_PROXY integrations send their back end and answer with, as AWS recorded it
 * (test_apigateway_http.py, recordings read from ../shared/fixtures), and $context.isCanaryRequest on a stage with a
 * canary (test_apigateway_canary.py). The back end echoes what it got, as the recorded function URL did.
 */
let backend: Backend;
const apis: Record<string, { url: string; id: string }> = {};

beforeAll(async () => {
  backend = await startBackend();
});
const runtime = runtimeForSuite(() => [
  '--template',
  'packages/local-runtime/tests/parity/fixture/gateway-template.yaml',
  '--parameter-overrides',
  `EchoBackend=${backend.url}`,
]);
beforeAll(() => {
  for (const api of runtime.info.apis) apis[api.logicalId] = { url: api.url, id: api.id };
});
afterAll(async () => {
  await backend?.close();
});

const lambdaTest = (type: string) => `test_http_integration_with_lambda[${type}]`;
const recordedInvocation = (type: string) =>
  recorded({ file: 'test_apigateway_http', test: lambdaTest(type), key: 'http-invocation-lambda-url' }) as {
    content: { headers: Record<string, string> };
    headers: Record<string, string>;
  };

const post = (api: string, headers: Record<string, string> = {}) =>
  send(
    apis[api]?.url as string,
    'POST',
    '/test/test',
    {
      'Content-Type': 'application/json',
      accept: 'application/xml',
      'user-Agent': 'test/integration',
      ...headers,
    },
    '{"message": "hello world"}',
  );

const headerOf = (answer: ParityAnswer, name: string) =>
  Object.entries(answer.headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
const received = (answer: ParityAnswer) => (answer.content as { headers: Record<string, string> }).headers;

it('sends a non-proxy HTTP back end JSON Accept and Content-Type and the API named, not the client headers', async () => {
  const answer = await post('LambdaUrlHttpApi', { 'x-custom': 'not forwarded' });
  const id = apis.LambdaUrlHttpApi?.id;
  const expected = recordedInvocation('HTTP').content.headers;
  expect(received(answer)).toMatchObject({
    accept: expected.accept,
    'content-type': expected['content-type'],
    'user-agent': `AmazonAPIGateway_${id}`,
    'x-amzn-apigateway-api-id': id,
  });
  expect(received(answer)['x-custom']).toBeUndefined();
});

it('sends an HTTP_PROXY back end the client headers and the API id', async () => {
  const answer = await post('LambdaUrlHttpProxyApi');
  const expected = recordedInvocation('HTTP_PROXY').content.headers;
  expect(received(answer)).toMatchObject({
    accept: expected.accept,
    'user-agent': expected['user-agent'],
    'x-amzn-apigateway-api-id': apis.LambdaUrlHttpProxyApi?.id,
  });
});

it("hands on an HTTP_PROXY back end's Connection, Content-Length, Date and x-amzn-RequestId remapped", async () => {
  const answer = await post('LambdaUrlHttpProxyApi');
  const remapped = Object.keys(recordedInvocation('HTTP_PROXY').headers).filter((name) =>
    name.startsWith('x-amzn-remapped-'),
  );
  expect(remapped.sort()).toEqual([
    'x-amzn-remapped-connection',
    'x-amzn-remapped-content-length',
    'x-amzn-remapped-date',
    'x-amzn-remapped-x-amzn-requestid',
  ]);
  for (const name of remapped) expect(headerOf(answer, name)).toBeDefined();
  expect(headerOf(answer, 'x-amzn-remapped-content-length')).toBe(String(Buffer.byteLength(answer.text)));
  expect(headerOf(answer, 'x-amzn-remapped-connection')).toBe('keep-alive');
  // The gateway's own request id, not the back end's.
  expect(headerOf(answer, 'x-amzn-requestid')).not.toBe(headerOf(answer, 'x-amzn-remapped-x-amzn-requestid'));
});

it.each(['LambdaUrlHttpApi', 'LambdaUrlHttpProxyApi'])(
  'answers with the trace header it sent the back end, the client trace kept (%s)',
  async (api) => {
    const trace = 'Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1';
    const answer = await post(api, { 'X-Amzn-Trace-Id': trace });
    expect(received(answer)['x-amzn-trace-id']).toBe(trace);
    expect(headerOf(answer, 'x-amzn-trace-id')).toBe(trace);
    const untraced = await post(api);
    expect(headerOf(untraced, 'x-amzn-trace-id')).toBe(received(untraced)['x-amzn-trace-id']);
    expect(headerOf(untraced, 'x-amzn-trace-id')).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16}/);
  },
);

it('gives $context.isCanaryRequest false on a stage with a canary, none on one without', async () => {
  const answer = await send(apis.CanaryApi?.url as string, 'GET', '/dev/');
  const expected = recorded({
    file: 'test_apigateway_canary',
    test: 'TestCanaryDeployments::test_invoking_canary_deployment',
    key: 'response-deployment-1',
  }) as { isCanary: string };
  expect((answer.content as { isCanary: string }).isCanary).toBe(expected.isCanary);
  const withoutCanary = await send(apis.NoCanaryApi?.url as string, 'GET', '/dev/');
  expect(withoutCanary.content).toEqual({ isCanary: '' });
});
