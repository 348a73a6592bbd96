import { type ParityAnswer, send } from '../client.ts';
import type { Outcome, Scenario } from '../scenario.ts';
import { asSnapshotted, pythonJsonDumps } from '../snapshot-values.ts';

/**
 * test_apigateway_http.py: HTTP and HTTP_PROXY integrations in front of a Lambda function URL (reproduced by
 * tests/parity/backend.ts). Its add_http_integration_transformers masked the values that vary (dates, hosts, ids,
 * TLS and forwarding headers): they are `<…>` placeholders in the recordings.
 */
const FILE = 'test_apigateway_http';
const AREA = 'HTTP integrations';

const lowerCased = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));

const suffixOf = (type: 'HTTP' | 'HTTP_PROXY') => (type === 'HTTP' ? 'Http' : 'HttpProxy');

/** The tests' request: `data=json.dumps({"message": "hello world"})` with their headers. */
const postHello = (base: string | undefined, path: string, headers: Record<string, string>) =>
  send(base as string, 'POST', path, headers, pythonJsonDumps({ message: 'hello world' }));

/** `{content, headers, status_code}` as the tests recorded an answer: header names lower-cased. */
const asRecorded = (answer: ParityAnswer): Outcome => ({
  status: answer.status,
  value: asSnapshotted({ content: answer.content, headers: lowerCased(answer.headers), status_code: answer.status }),
});

const withLambda = (type: 'HTTP' | 'HTTP_PROXY'): Scenario => ({
  area: AREA,
  id: { file: FILE, test: `test_http_integration_with_lambda[${type}]`, key: 'http-invocation-lambda-url' },
  status: 200,
  run: async (bases) =>
    asRecorded(
      await postHello(bases[`LambdaUrl${suffixOf(type)}Api`], '/test/test', {
        'Content-Type': 'application/json',
        accept: 'application/xml',
        'user-Agent': 'test/integration',
      }),
    ),
});

const statusPassthrough = (type: 'HTTP' | 'HTTP_PROXY', key: string, code: number): Scenario => ({
  area: AREA,
  id: { file: FILE, test: `test_http_integration_invoke_status_code_passthrough[${type}]`, key },
  run: async (bases) => {
    const answer = await send(bases[`StatusPass${suffixOf(type)}Api`] as string, 'POST', `/test/status/${code}`);
    return { status: answer.status, value: { body: answer.content, status_code: answer.status } };
  },
});

const method = (type: 'HTTP' | 'HTTP_PROXY', verb: string): Scenario => ({
  area: AREA,
  id: { file: FILE, test: `test_http_integration_method[${type}]`, key: `http-invocation-lambda-url-${verb}` },
  status: 200,
  // The test loops over POST, PUT and GET but sends every request with method="POST".
  run: async (bases) => {
    const answer = await postHello(bases[`Method${suffixOf(type)}Api`], '/test/test', {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'user-Agent': 'test/integration',
    });
    return { status: answer.status, value: asSnapshotted(answer.content) };
  },
});

export const httpIntegrations: Scenario[] = [
  withLambda('HTTP'),
  withLambda('HTTP_PROXY'),
  statusPassthrough('HTTP', 'matching-response', 200),
  statusPassthrough('HTTP', 'non-matching-response', 400),
  statusPassthrough('HTTP_PROXY', 'matching-response', 200),
  statusPassthrough('HTTP_PROXY', 'non-matching-response', 400),
  ...['post', 'put', 'get'].flatMap((verb) => [method('HTTP', verb), method('HTTP_PROXY', verb)]),
  {
    area: AREA,
    id: { file: FILE, test: 'test_http_proxy_integration_request_data_mappings', key: 'http-proxy-invocation' },
    status: 200,
    run: async (bases) =>
      asRecorded(
        await postHello(bases.DataMappingHttpProxyApi, '/test/foobar?testQueryString=foo&testVar=bar', {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          foobar: 'mapped-value',
          'user-Agent': 'test/integration',
          headerVar: 'request-value',
        }),
      ),
  },
];
