import { send } from '../client.ts';
import type { Scenario } from '../scenario.ts';
import { withParsedBody } from '../scenario.ts';

/**
 * test_apigateway_lambda.py::test_lambda_aws_proxy_integration (stage "stage", ANY /{proxy+} and ANY /hardcoded,
 * both AWS_PROXY to a function answering with its event), and ::test_lambda_aws_proxy_integration_request_data_mapping.
 */
const AREA = 'Lambda proxy events';
const FILE = 'test_apigateway_lambda';
const TEST = 'test_lambda_aws_proxy_integration';

/** The test's invoke_api: "authorization" in lower case, a header in mixed case. */
const TEST_HEADERS = {
  'User-Agent': 'python-requests/testing',
  'tEsT-HEADeR': 'aValUE',
  authorization: 'random-value',
};

const get = (key: string, path: string): Scenario => ({
  area: AREA,
  id: { file: FILE, test: TEST, key },
  status: 200,
  run: async (bases) => {
    const answer = await send(bases.EventsApi as string, 'GET', path, TEST_HEADERS);
    return { status: answer.status, value: withParsedBody(answer.content) };
  },
});

// What python-requests sends for the test's URLs: `+` and `%2B` as written, a space as %20, nothing after `#`.
const PARAMS =
  'dateTimeOffset=2023-06-12T18:05:10.123456+00:00&email=test%2Balias@gmail.com&plus=test+alias@gmail.com' +
  '&url=https://www.google.com/&whitespace=foo%20bar&zhash=abort/';

/** The request of ::test_lambda_aws_proxy_integration_request_data_mapping ("user-Agent" in that case). */
export const sendDataMapping = (base: string) =>
  send(
    base,
    'POST',
    '/test/foobar?testQueryString=foo&testVar=bar',
    {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      foobar: 'mapped-value',
      'user-Agent': 'test/integration',
      headerVar: 'request-value',
    },
    JSON.stringify({ message: 'hello world' }),
  );

export const lambdaProxyEvents: Scenario[] = [
  get('invocation-payload-without-trailing-slash', '/stage/proxy-value'),
  get('invocation-payload-with-trailing-slash', '/stage/proxy-value/'),
  get('invocation-payload-with-double-slash', '/stage/proxy-value//double-slash'),
  get('invocation-payload-with-prepended-slash-to-stage', '//stage/proxy-value'),
  get('invocation-payload-with-prepended-slash', '/stage//proxy-value'),
  get('invocation-payload-without-trailing-slash-and-query-params', '/stage/proxy-value?urlparam=test'),
  get('invocation-payload-with-trailing-slash-and-query-params', '/stage/proxy-value/?urlparam=test'),
  get(
    'invocation-payload-with-path-encoded-email',
    '/stage/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com',
  ),
  get('invocation-payload-with-params-encoding', `/stage/proxy-value/api?${PARAMS}`),
  {
    area: AREA,
    id: { file: FILE, test: TEST, key: 'invocation-payload-with-params-encoding-multi' },
    status: 200,
    run: async (bases) => {
      const answer = await send(
        bases.EventsApi as string,
        'POST',
        '/stage/proxy-value?category=electronics&category=books&price=10&price=20&price=30',
        {
          'Content-Type': 'application/json;charset=utf-8',
          aUThorization: 'Bearer token123;API key456',
          'User-Agent': 'python-requests/testing',
        },
        JSON.stringify({ message: 'hello world' }),
      );
      return { status: answer.status, value: withParsedBody(answer.content) };
    },
  },
  get('invocation-hardcoded', '/stage//hardcoded'),
  {
    area: AREA,
    id: {
      file: FILE,
      test: 'test_lambda_aws_proxy_integration_request_data_mapping',
      key: 'http-proxy-invocation-data-mapping',
    },
    status: 200,
    run: async (bases) => {
      const answer = await sendDataMapping(bases.MappingApi as string);
      return { status: answer.status, value: { content: withParsedBody(answer.content), status_code: answer.status } };
    },
  },
];
