import { send } from '../client.ts';
import type { Scenario } from '../scenario.ts';

/** test_apigateway_common.py::TestApiGatewayCommon request validator tests (stage "local"); the answers' bodies. */
const AREA = 'Request validation';
const FILE = 'test_apigateway_common';

const JSON_TYPE = { 'Content-Type': 'application/json' };

const asked = (
  test: string,
  key: string,
  status: number,
  api: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Scenario => ({
  area: AREA,
  id: { file: FILE, test, key },
  status,
  run: async (bases) => {
    const answer = await send(
      bases[api] as string,
      method,
      `/local${path}`,
      body === undefined ? headers : { ...JSON_TYPE, ...headers },
      body === undefined ? undefined : JSON.stringify(body),
    );
    return { status: answer.status, value: answer.content };
  },
});

const VALIDATOR = 'test_api_gateway_request_validator';
const REF = 'test_api_gateway_request_validator_with_ref_models';
const ONE_OF = 'test_api_gateway_request_validator_with_ref_one_ofmodels';

export const requestValidation: Scenario[] = [
  asked(
    VALIDATOR,
    'missing-all-required-request-params-post',
    400,
    'ValidatorApi',
    'POST',
    '/nested/value',
    {},
    {
      test: 'test',
    },
  ),
  asked(VALIDATOR, 'missing-required-headers-request-params-get', 400, 'ValidatorApi', 'GET', '/nested/value?qs1=test'),
  asked(VALIDATOR, 'missing-required-qs-request-params-get', 400, 'ValidatorApi', 'GET', '/nested/value', {
    'x-header-param': 'test',
  }),
  asked(
    VALIDATOR,
    'invalid-request-body',
    400,
    'ValidatorRevertedApi',
    'POST',
    '/nested/value?qs1=test',
    { 'x-header-param': 'test' },
    { test: 'test' },
  ),
  asked(REF, 'successful', 200, 'RefModelsApi', 'POST', '/path', {}, [{ a: 1, b: 2 }]),
  asked(REF, 'failed-validation', 400, 'RefModelsApi', 'POST', '/path'),
  asked(ONE_OF, 'successful', 200, 'RefOneOfApi', 'POST', '/path', {}, { status: null }),
  asked(
    ONE_OF,
    'successful-with-data',
    200,
    'RefOneOfApi',
    'POST',
    '/path',
    {},
    { status: { Status: 'works', Order: 1 } },
  ),
  asked(ONE_OF, 'failed-validation-no-data', 400, 'RefOneOfApi', 'POST', '/path'),
  asked(ONE_OF, 'failed-validation-bad-data', 400, 'RefOneOfApi', 'POST', '/path', {}, { badFormat: 'bla' }),
];
