import { call } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * Events that meet an API's own DefinitionBody (see the fixture), black-box: served as the SAM translator v1.110.0
 * writes them (its fixtures explicit_http_api, api_merge_definitions_*, api_with_swagger_authorizer_none_override_*).
 */
const runtime = fixtureRuntime('sam-definitions');
let origin: string;

beforeAll(() => {
  origin = runtime.info.restUrl;
});

const served = async (url: string) => {
  const answer = await call(url);
  return { status: answer.status, body: answer.json() };
};

it('gives an HttpApi event the integration of the route its DefinitionBody declares without one', async () => {
  expect(await served(`${origin}/declared/items`)).toEqual({ status: 200, body: { path: '/declared/items' } });
});

it("writes an Api event into the DefinitionBody's method with MergeDefinitions", async () => {
  expect(await served(`${origin}/merged/merged`)).toEqual({ status: 200, body: { path: '/merged' } });
});

it("opens the one method whose event says Authorizer NONE with OverrideApiAuth, under the body's DefaultAuthorizer", async () => {
  expect(await served(`${origin}/guarded/opened`)).toEqual({ status: 200, body: { path: '/opened' } });
  expect(await served(`${origin}/guarded/closed`)).toEqual({ status: 401, body: { message: 'Unauthorized' } });
});
