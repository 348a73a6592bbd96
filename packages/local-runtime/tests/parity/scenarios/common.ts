import { send } from '../client.ts';
import type { Scenario } from '../scenario.ts';
import { pythonBytesRepr, pythonJsonDumps } from '../snapshot-values.ts';

/**
 * test_apigateway_common.py: routing (TestApigatewayRouting::test_routing_not_found) and the mapping templates'
 * reading of a back end's body (TestApiGatewayCommon::test_input_path_template_formatting, ::test_input_body_formatting).
 */
const FILE = 'test_apigateway_common';

const routing = (key: string, method: string, path: string, status: number, withErrorType: boolean): Scenario => ({
  area: 'Routing',
  id: { file: FILE, test: 'TestApigatewayRouting::test_routing_not_found', key },
  status,
  run: async (bases) => {
    const answer = await send(bases.RoutingApi as string, method, `/dev${path}`);
    const errorType = Object.entries(answer.headers).find(([name]) => name.toLowerCase() === 'x-amzn-errortype')?.[1];
    return {
      status: answer.status,
      value: withErrorType ? { content: answer.content, errorType: errorType ?? null } : answer.content,
    };
  },
});

/** requests.post(url, json=body): no body at all when `body` is undefined. */
const postJson = (base: string, path: string, body?: unknown) =>
  send(
    base,
    'POST',
    path,
    body === undefined ? {} : { 'Content-Type': 'application/json' },
    body === undefined ? undefined : pythonJsonDumps(body),
  );

const inputPath = (key: string, route: string, body?: unknown): Scenario => ({
  area: 'Mapping templates',
  id: { file: FILE, test: 'TestApiGatewayCommon::test_input_path_template_formatting', key },
  status: 200,
  run: async (bases) => {
    const answer = await postJson(bases.PathTemplateApi as string, `/dev/${route}`, body);
    return { status: answer.status, value: answer.text };
  },
});

const inputBody = (route: string): Scenario => ({
  area: 'Mapping templates',
  id: { file: FILE, test: 'TestApiGatewayCommon::test_input_body_formatting', key: `response-${route}` },
  status: 200,
  run: async (bases) => {
    const base = bases.BodyFormatApi as string;
    const path = `/dev/${route}`;
    const empty = await send(base, 'POST', path, { 'Content-Type': 'application/json' });
    const json = await postJson(base, path, { some: 'value' });
    const raw = await send(base, 'POST', path, { 'Content-Type': 'application/json' }, 'some raw data');
    const statuses = [empty, json, raw].map((answer) => answer.status);
    return {
      status: statuses.find((status) => status !== 200) ?? 200,
      value: {
        'empty-body': pythonBytesRepr(Buffer.from(empty.text)),
        'json-body': pythonBytesRepr(Buffer.from(json.text)),
        'str-body': pythonBytesRepr(Buffer.from(raw.text)),
      },
    };
  },
});

export const common: Scenario[] = [
  routing('working-route', 'GET', '/existing', 200, false),
  routing('not-found', 'GET', '/random-non-existing', 403, true),
  routing('wrong-method', 'POST', '/existing', 403, true),
  inputPath('dict-response', 'path', { foo: 'bar' }),
  inputPath('json-list', 'path', [{ foo: 'bar' }]),
  inputPath('nested-dict', 'nested', { nested: { foo: 'bar' } }),
  inputPath('nested-list', 'nested', { nested: [{ foo: 'bar' }] }),
  inputPath('dict-in-list', 'list', [{ foo: 'bar' }]),
  inputPath('list-with-nested-list', 'list', [[{ foo: 'bar' }]]),
  inputPath('dict-with-nested-list', 'path', { foo: [{ nested: 'bar' }] }),
  inputPath('bigger-dict', 'path', { bigger: 'dict', to: 'test', with: 'separators' }),
  inputPath('to-string', 'to-string', { foo: 'bar' }),
  inputPath('list-to-string', 'to-string', { list: [{ foo: 'bar' }] }),
  inputPath('empty-body', 'invalid-path'),
  inputPath('nested-empty-list', 'nested-list', { listValue: [] }),
  inputPath('nested-null-list', 'nested-list', { listValue: null }),
  ...['raw-body', 'str-body-input', 'str-body-output', 'str-body-all', 'body-attr-access', 'url-encode'].map(inputBody),
];
