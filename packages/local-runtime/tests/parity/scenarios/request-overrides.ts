import { send } from '../client.ts';
import type { Scenario } from '../scenario.ts';

/**
 * test_apigateway_integrations.py::test_integration_mock_with_request_overrides_in_response_template: a MOCK passes
 * the base64-decoded path to its response template through `$context.requestOverride.path`.
 */
const TEST = 'test_integration_mock_with_request_overrides_in_response_template';

const asked = (key: string, message: string): Scenario => ({
  area: 'Mapping templates',
  id: { file: 'test_apigateway_integrations', test: TEST, key },
  status: 200,
  run: async (bases) => {
    // Python's json.dumps spacing, base64 as the test encodes it (padding and all, unescaped in the path).
    const path = Buffer.from(JSON.stringify({ message }).replace('":"', '": "')).toString('base64');
    const answer = await send(bases.MockOverridesApi as string, 'GET', `/dev/${path}`);
    return { status: answer.status, value: answer.content };
  },
});

export const requestOverrides: Scenario[] = [
  asked('invoke-path1', 'path1'),
  asked('invoke-path2', 'path2'),
  asked('invoke-path-else', 'whatever'),
];
