import { expect, it } from '@jest/globals';
import { call } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * Payload format versions written unquoted (`2.0`, which YAML reads as the number 2), as the survey's
 * apigw-sqs-lambda-ddb writes its authorizer's: they are "2.0", so a simple-response authorizer's
 * `{isAuthorized}` is honoured and the events are version 2.0. Black-box.
 */
const runtime = fixtureRuntime('unquoted-versions');
const urlOf = (logicalId: string): string => {
  const api = runtime.info.apis.find((entry) => entry.logicalId === logicalId);
  if (!api) throw new Error(`no API ${logicalId}`);
  return api.url;
};

it.each(['SamAuthApi', 'BodyAuthApi'])(
  'reads an unquoted 2.0 payload format version as "2.0" (%s): simple responses and version 2.0 events',
  async (api) => {
    const allowed = await call(`${urlOf(api)}/hello`, { headers: { Authorization: 'let-me-in' } });
    expect({ status: allowed.status, body: allowed.json() }).toEqual({
      status: 200,
      body: { version: '2.0', authorizer: { who: 'simple', version: '2.0' } },
    });
    const refused = await call(`${urlOf(api)}/hello`, { headers: { Authorization: 'no' } });
    expect({ status: refused.status, body: refused.json() }).toEqual({ status: 403, body: { message: 'Forbidden' } });
  },
);
