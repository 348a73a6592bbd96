import type { RunningRuntime } from '../../../src/testing/index.ts';
import { send } from '../client.ts';
import type { Scenario } from '../scenario.ts';

/**
 * test_apigateway_import.py::TestApiGatewayImportRestApi::test_import_with_stage_variables: an imported OpenAPI
 * document's HTTP_PROXY integration whose URI is made of stage variables, on a stage that has them and one that has
 * none. The runtime serves each stage of an API on its own base URL (`bases` names the API's first).
 */
const TEST = 'TestApiGatewayImportRestApi::test_import_with_stage_variables';

/** The base URL of `stage` of the API, from the runtime's list of API stages. */
const stageBase = (runtime: RunningRuntime, stage: string): string => {
  const api = runtime.info.apis.find((candidate) => candidate.logicalId === 'ImportedApi' && candidate.stage === stage);
  if (!api) throw new Error(`no stage ${stage} of ImportedApi`);
  return api.url;
};

export const importedApi: Scenario[] = [
  {
    area: 'Imported API',
    id: { file: 'test_apigateway_import', test: TEST, key: 'get-resp-from-http' },
    status: 200,
    run: async (_bases, runtime) => {
      const answer = await send(stageBase(runtime, 'v1'), 'GET', '/v1/path1');
      // The test leaves the echoed headers out.
      const { headers: _headers, ...rest } = answer.content as Record<string, unknown>;
      return { status: answer.status, value: rest };
    },
  },
  {
    area: 'Imported API',
    id: { file: 'test_apigateway_import', test: TEST, key: 'get-error-resp-from-http' },
    status: 500,
    run: async (_bases, runtime) => {
      const answer = await send(stageBase(runtime, 'v2'), 'GET', '/v2/path1');
      const errorType = Object.entries(answer.headers).find(([name]) => name.toLowerCase() === 'x-amzn-errortype')?.[1];
      return { status: answer.status, value: { body: answer.content, errorType } };
    },
  },
];
