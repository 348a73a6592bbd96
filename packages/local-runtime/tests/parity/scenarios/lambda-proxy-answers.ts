import { send } from '../client.ts';
import type { Masks } from '../compare.ts';
import type { Scenario } from '../scenario.ts';

/**
 * test_apigateway_lambda.py::test_aws_proxy_response_payload_format_validation (stage "test", ANY /{proxy+}, the
 * function answers with the request's JSON) and ::test_lambda_aws_proxy_integration_non_post_method.
 */
const AREA = 'Lambda proxy answers';
const FILE = 'test_apigateway_lambda';
const TEST = 'test_aws_proxy_response_payload_format_validation';

/** The test's transformers: key_value("Date", reference_replacement=False) and the rest are `<…>` placeholders. */
const MASKS: Masks = { anyValue: ['Date'], caseInsensitiveKeys: true };

const answerTo = (key: string, body: unknown, status: number, withHeaders = false): Scenario => ({
  area: AREA,
  id: { file: FILE, test: TEST, key },
  status,
  masks: MASKS,
  run: async (bases) => {
    // requests.post(json=body) only when the body is truthy: `{}` is sent as no body at all.
    const hasBody = body !== '' && !(typeof body === 'object' && body !== null && Object.keys(body).length === 0);
    const answer = await send(
      bases.AnswersApi as string,
      'POST',
      '/test/test',
      hasBody ? { 'User-Agent': 'python/test', 'Content-Type': 'application/json' } : { 'User-Agent': 'python/test' },
      hasBody ? JSON.stringify(body) : undefined,
    );
    return {
      status: answer.status,
      value: withHeaders ? { content: answer.content, headers: answer.headers } : { content: answer.content },
    };
  },
});

export const lambdaProxyAnswers: Scenario[] = [
  answerTo('invoke-api-no-body', { statusCode: 200 }, 200),
  answerTo(
    'invoke-api-with-headers',
    { statusCode: 200, headers: { 'test-header': 'value', 'header-bool': true } },
    200,
    true,
  ),
  answerTo('invoke-api-with-headers-null', { statusCode: 200, headers: null }, 200, true),
  answerTo('invoke-api-wrong-format', { statusCode: 200, wrongValue: 'value' }, 502),
  answerTo('invoke-api-empty-response', {}, 502),
  answerTo(
    'invoke-api-b64-encoded-true',
    { statusCode: 200, body: Buffer.from('test-data').toString('base64'), isBase64Encoded: true },
    200,
  ),
  answerTo('invoke-api-b64-encoded-false', { statusCode: 200, body: Buffer.from('test-data').toString('base64') }, 200),
  answerTo(
    'invoke-api-multi-headers-valid',
    { statusCode: 200, multiValueHeaders: { 'test-multi': ['value1', 'value2'] } },
    200,
    true,
  ),
  answerTo(
    'invoke-api-multi-headers-overwrite',
    { statusCode: 200, multiValueHeaders: { 'test-multi': ['value-multi'] }, headers: { 'test-multi': 'value-solo' } },
    200,
    true,
  ),
  answerTo(
    'invoke-api-multi-headers-overwrite-casing',
    { statusCode: 200, multiValueHeaders: { 'tesT-Multi': ['value-multi'] }, headers: { 'test-multi': 'value-solo' } },
    200,
    true,
  ),
  answerTo(
    'invoke-api-multi-headers-invalid',
    { statusCode: 200, multiValueHeaders: { 'test-multi-invalid': 'value1' } },
    502,
  ),
  answerTo('invoke-api-invalid-status-code', { statusCode: 'test' }, 502),
  answerTo('invoke-api-status-code-str', { statusCode: '201' }, 201),
  answerTo('invoke-api-just-string', 'justAString', 502),
  answerTo('invoke-api-only-headers', { headers: { 'test-header': 'value' } }, 200),
  {
    area: AREA,
    id: {
      file: FILE,
      test: 'test_lambda_aws_proxy_integration_non_post_method',
      key: 'invocation-payload-with-get-proxy-method',
    },
    status: 500,
    run: async (bases) => {
      const answer = await send(bases.GetProxyApi as string, 'GET', '/test/test-path', {
        'User-Agent': 'python-requests/testing',
      });
      return { status: answer.status, value: answer.content };
    },
  },
];
