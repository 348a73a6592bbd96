import { send } from '../client.ts';
import type { Scenario } from '../scenario.ts';

/** test_apigateway_integrations.py MOCK tests with mapping templates (stage "dev", GET /). */
const AREA = 'Mapping templates';
const FILE = 'test_apigateway_integrations';

/** The test's `{"body": response.json() or response.content, "status_code": ...}`; `content` is Python's bytes repr. */
const mocked = (test: string, api: string, status: number, asBytes = false): Scenario => ({
  area: AREA,
  id: { file: FILE, test, key: 'response' },
  status,
  run: async (bases) => {
    const answer = await send(bases[api] as string, 'GET', '/dev/');
    const body = asBytes ? `b'${answer.text}'` : answer.content;
    const value: Record<string, unknown> = { body, status_code: answer.status };
    // The override tests also assert `response.headers["foo"] == "bar"`.
    const foo = Object.entries(answer.headers).find(([name]) => name.toLowerCase() === 'foo')?.[1];
    if (status === 444 && foo !== 'bar') value.foo = `not as the test asserts: ${foo}`;
    return { status: answer.status, value };
  },
});

export const mappingTemplates: Scenario[] = [
  mocked('test_integration_mock_with_response_override_in_request_template[True]', 'OverrideApi', 444),
  mocked('test_integration_mock_with_response_override_in_request_template[False]', 'OverrideBareApi', 444, true),
  mocked('test_integration_mock_with_vtl_map_assignation', 'MapAssignApi', 200),
];
