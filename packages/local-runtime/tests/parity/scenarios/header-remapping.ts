import { send } from '../client.ts';
import type { Masks } from '../compare.ts';
import type { Scenario } from '../scenario.ts';

/**
 * test_apigateway_integrations.py::TestApiGatewayHeaderRemapping: a request carrying every header API Gateway drops
 * or remaps, sent to an API whose methods map them (fixture/template.yaml, RemapAws*, RemapHttp*).
 */
const FILE = 'test_apigateway_integrations';
const CLASS = 'TestApiGatewayHeaderRemapping';

/** The headers the test's invoke_api sends (python-requests adds none of its own but Host: all are given). */
const SENT: Record<string, string> = {
  Accept: 'application/json',
  'Accept-Charset': 'UTF-8',
  'Accept-Encoding': 'br',
  Age: 'request_Age',
  Authorization: 'Unauthorized',
  Connection: 'close',
  'Content-Encoding': 'deflate',
  'Content-MD5': 'request_Content-MD5',
  'Content-Type': 'application/json',
  Date: 'request_Date',
  Expect: '100-continue',
  'Max-Forwards': '2',
  Pragma: 'cache',
  'Proxy-Authenticate': 'Basic',
  Range: 'bytes=500-999',
  Referer: 'https://example.com/',
  Server: 'https://example.com/',
  TE: 'deflate',
  Trailer: 'Expires',
  'Transfer-Encoding': 'chunked',
  Upgrade: 'HTTP/2.0',
  'User-Agent': 'localStack/0.0',
  Via: 'p.example.net',
  Warn: '299 localStack/0.0',
  'WWW-Authenticate': 'Basic YWxhZGRpbjpvcGVuc2VzYW1l',
};

/**
 * Content lengths vary with what the answers hold (host names, ids; the test itself does not verify them); header
 * names compare case-insensitively.
 */
const MASKS: Masks = {
  anyValue: ['Content-Length', 'x-amzn-Remapped-Content-Length'],
  caseInsensitiveKeys: true,
};

/** The snapshot library shows a JSON text parsed. */
const parsed = (value: unknown): unknown => {
  if (typeof value !== 'string' || !/^\s*[[{]/.test(value)) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
};

type Variant = 'AWS' | 'AWS_PROXY' | 'HTTP' | 'HTTP_PROXY';

const API: Record<Variant, string> = {
  AWS: 'RemapAwsApi',
  AWS_PROXY: 'RemapAwsProxyApi',
  HTTP: 'RemapHttpApi',
  HTTP_PROXY: 'RemapHttpProxyApi',
};

const scenariosOf = (variant: Variant): Scenario[] => {
  const aws = variant.startsWith('AWS');
  const test = `${CLASS}::test_apigateway_header_remapping_${aws ? 'aws' : 'http'}[${variant}]`;
  const invoke = (bases: Record<string, string>, path: string) =>
    send(bases[API[variant]] as string, 'GET', `/test/${path}`, SENT);
  const answered = (key: string, path: string): Scenario => ({
    area: 'Header remapping',
    id: { file: FILE, test, key },
    status: 200,
    masks: MASKS,
    run: async (bases) => {
      const answer = await invoke(bases, path);
      const json = (typeof answer.content === 'object' && answer.content !== null ? answer.content : {}) as Record<
        string,
        unknown
      >;
      return {
        status: answer.status,
        value: {
          // The Lambda's event (AWS_PROXY), its answer holding the event (AWS), or httpbin's echo (HTTP*).
          headers: json.headers ?? null,
          body: parsed(aws ? json.body : json.data),
          'response-headers': answer.headers,
        },
      };
    },
  });
  const refused = (path: string): Scenario => ({
    area: 'Header remapping',
    id: { file: FILE, test, key: path },
    status: 500,
    masks: MASKS,
    run: async (bases) => {
      const answer = await invoke(bases, path);
      return { status: answer.status, value: { 'response-headers': answer.headers, body: parsed(answer.text) } };
    },
  });
  const specials = aws
    ? ['content-length', 'transfer-encoding', 'authorization', 'connection', 'expect', 'proxy-authenticate', 'te']
    : ['content-length', 'transfer-encoding'];
  return [answered('no-param-integration', 'no-param'), answered('full-integration', 'full'), ...specials.map(refused)];
};

export const headerRemapping: Scenario[] = (['HTTP', 'HTTP_PROXY', 'AWS', 'AWS_PROXY'] as const).flatMap(scenariosOf);
