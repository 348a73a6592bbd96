import { runtimeForSuite } from '../../src/testing/index.ts';
import { type ParityAnswer, send } from './client.ts';
import { recorded } from './recordings.ts';

/**
 * How the REST gateway maps a Lambda proxy answer, as AWS recorded it (test_apigateway_lambda.py and
 * test_apigateway_common.py, recordings read from ../shared/fixtures): each expected value is the recorded one.
 */
const runtime = runtimeForSuite(['--template', 'packages/local-runtime/tests/parity/fixture/template.yaml']);
const urls: Record<string, string> = {};

beforeAll(() => {
  for (const api of runtime.info.apis) urls[api.logicalId] = api.url;
});

const FORMAT = 'test_aws_proxy_response_payload_format_validation';
const recordedAnswer = (key: string, test = FORMAT) =>
  recorded({ file: 'test_apigateway_lambda', test, key }) as { content: unknown; headers?: Record<string, string> };

/** The function answers with the body it is sent (the recordings' LAMBDA_RESPONSE_FROM_BODY). */
const answerWith = (answer: unknown): Promise<ParityAnswer> =>
  send(urls.AnswersApi as string, 'POST', '/test/test', { 'Content-Type': 'application/json' }, JSON.stringify(answer));

const headerOf = (answer: ParityAnswer, name: string) =>
  Object.entries(answer.headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];

it('answers 502 to a proxy answer with a key outside the proxy shape', async () => {
  const answer = await answerWith({ statusCode: 200, wrongValue: 'value' });
  expect({ status: answer.status, content: answer.content }).toEqual({
    status: 502,
    content: recordedAnswer('invoke-api-wrong-format').content,
  });
});

it('answers 200 to a proxy answer with headers and no statusCode', async () => {
  const answer = await answerWith({ headers: { 'test-header': 'value' } });
  expect({ status: answer.status, content: answer.content }).toEqual({
    status: 200,
    content: recordedAnswer('invoke-api-only-headers').content,
  });
  expect(headerOf(answer, 'test-header')).toBe('value');
});

it.each([
  ['invoke-api-multi-headers-overwrite', { 'test-multi': ['value-multi'] }, 'test-multi'],
  ['invoke-api-multi-headers-overwrite-casing', { 'tesT-Multi': ['value-multi'] }, 'tesT-Multi'],
])('sends both values of a name in headers and multiValueHeaders (%s)', async (key, multiValueHeaders, name) => {
  const answer = await answerWith({ statusCode: 200, multiValueHeaders, headers: { 'test-multi': 'value-solo' } });
  expect(headerOf(answer, name)).toBe(recordedAnswer(key).headers?.[name]);
});

it('answers 500 when an AWS_PROXY integration to Lambda has IntegrationHttpMethod GET', async () => {
  const answer = await send(urls.GetProxyApi as string, 'GET', '/test/test-path');
  expect({ status: answer.status, content: answer.content }).toEqual({
    status: 500,
    content: recordedAnswer(
      'invocation-payload-with-get-proxy-method',
      'test_lambda_aws_proxy_integration_non_post_method',
    ),
  });
});

describe('X-Amzn-Trace-Id', () => {
  const FULL = 'Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1';
  const ROOT = 'Root=1-3152b799-8954dae64eda91bc9a23a7e8';
  const traced = (path: string, trace?: string) =>
    send(urls.TraceApi as string, 'GET', `/dev${path}`, trace ? { 'x-amzn-trace-id': trace } : {});
  const recordedNames = (key: string) =>
    Object.keys(recorded({ file: 'test_apigateway_common', test: 'test_invocation_trace_id', key }) as object);

  it('is on every Lambda proxy answer and on no MOCK answer, as recorded', async () => {
    expect(recordedNames('normal-req-headers-AWS_PROXY')).toContain('x-amzn-trace-id');
    expect(headerOf(await traced('/proxy-value'), 'x-amzn-trace-id')).toMatch(
      /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/,
    );
    expect(recordedNames('normal-req-headers-MOCK')).not.toContain('x-amzn-trace-id');
    expect(headerOf(await traced('/path'), 'x-amzn-trace-id')).toBeUndefined();
  });

  it("keeps the client's Root and Parent, and adds a Parent to a Root alone", async () => {
    expect(headerOf(await traced('/proxy-value', FULL), 'x-amzn-trace-id')).toBe(FULL);
    const small = headerOf(await traced('/proxy-value', ROOT), 'x-amzn-trace-id') ?? '';
    expect(small.startsWith(`${ROOT};Parent=`)).toBe(true);
    expect(small.split(';')[1]).not.toBe('Parent=7fa8c0f79203be72');
  });
});
