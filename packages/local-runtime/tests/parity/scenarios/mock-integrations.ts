import { send } from '../client.ts';
import type { Scenario } from '../scenario.ts';

/**
 * MOCK integrations: test_apigateway_basic.py (an imported OpenAPI mock; TestIntegrations::test_mock_integration_response
 * with each passthrough behaviour) and the first deployment of test_apigateway_canary.py's
 * TestCanaryDeployments::test_invoking_canary_deployment (stage variables, $context.isCanaryRequest).
 */
const AREA = 'MOCK integrations';

/**
 * On AWS the test's PATH_BASED and HOST_BASED URLs are the same one (apigateway_fixtures.api_invoke_url ignores
 * `url_type` against AWS), so both recordings of a behaviour and method come from the same request.
 */
const mockResponse = (behaviour: string, api: string, urlType: string, method: string): Scenario => ({
  area: AREA,
  id: {
    file: 'test_apigateway_basic',
    test: `TestIntegrations::test_mock_integration_response[${behaviour}-UrlType.${urlType}-${method}]`,
    key: 'mock-response',
  },
  status: 200,
  run: async (bases) => {
    const answer = await send(bases[api] as string, method, '/test/42', { 'Content-Type': 'application/json' });
    return { status: answer.status, value: answer.content };
  },
});

export const mockIntegrations: Scenario[] = [
  {
    area: AREA,
    id: {
      file: 'test_apigateway_basic',
      test: 'TestAPIGateway::test_api_gateway_mock_integration',
      key: 'mocked-response',
    },
    run: async (bases) => {
      const answer = await send(bases.MockImportApi as string, 'GET', '/test/echo/foobar');
      return { status: answer.status, value: answer.content };
    },
  },
  ...[
    ['WHEN_NO_MATCH', 'MockWhenNoMatchApi'],
    ['NEVER', 'MockNeverApi'],
    ['WHEN_NO_TEMPLATES', 'MockWhenNoTemplatesApi'],
  ].flatMap(([behaviour, api]) =>
    ['PATH_BASED', 'HOST_BASED'].flatMap((urlType) =>
      ['GET', 'POST'].map((method) => mockResponse(behaviour as string, api as string, urlType, method)),
    ),
  ),
  {
    area: AREA,
    id: {
      file: 'test_apigateway_canary',
      test: 'TestCanaryDeployments::test_invoking_canary_deployment',
      key: 'response-deployment-1',
    },
    status: 200,
    run: async (bases) => {
      const answer = await send(bases.CanaryApi as string, 'GET', '/dev/');
      return { status: answer.status, value: answer.content };
    },
  },
];
