import { call } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * CloudFormation in the shape the SAM translator writes (see the fixture): `Authorizer: NONE` under a
 * DefaultAuthorizer is `security: [{NONE: []}]`, which API Gateway's import reads as no authorizer.
 */
const runtime = fixtureRuntime('translator-output');
let prod: string;

beforeAll(() => {
  prod = `${runtime.info.restUrl}/Prod`;
});

it('serves a method whose security is [{NONE: []}] without an authorizer, and keeps the others', async () => {
  const open = await call(`${prod}/open`);
  expect({ status: open.status, body: open.json() }).toEqual({ status: 200, body: { path: '/open' } });
  const secured = await call(`${prod}/secured`);
  expect({ status: secured.status, body: secured.json() }).toEqual({ status: 401, body: { message: 'Unauthorized' } });
});
