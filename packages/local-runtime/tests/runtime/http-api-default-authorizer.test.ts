import { call } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * SAM's `Auth.DefaultAuthorizer` on an HTTP API whose routes come from a `DefinitionBody`: SAM writes the authorizer
 * into every body operation without its own security (samtranslator OpenApiEditor.set_path_default_authorizer), so
 * the runtime must guard them too — reading only the `Events` routes served the body's routes unauthenticated.
 */
const runtime = fixtureRuntime('http-api-body-auth');
let base: string;

beforeAll(() => {
  const api = runtime.info.apis.find((candidate) => candidate.kind === 'HTTP');
  if (!api) throw new Error('no HTTP API');
  base = api.url;
});

const statusOf = async (path: string, init: RequestInit = {}) => (await call(`${base}${path}`, init)).status;

it('guards every body route with the default authorizer, whether or not the body names security', async () => {
  for (const path of ['/items', '/empty-security', '/any/thing', '/guarded']) {
    // No identity source at all: 401, as API Gateway answers before calling the authorizer.
    expect({ path, status: await statusOf(path) }).toEqual({ path, status: 401 });
    expect({ path, status: await statusOf(path, { headers: { 'x-token': 'deny' } }) }).toEqual({ path, status: 403 });
    expect({ path, status: await statusOf(path, { headers: { 'x-token': 'allow' } }) }).toEqual({ path, status: 200 });
  }
});

it('leaves OPTIONS operations and routes that say Authorizer NONE open, as SAM does', async () => {
  expect(await statusOf('/items', { method: 'OPTIONS' })).toBe(200);
  expect(await statusOf('/health')).toBe(200);
});
