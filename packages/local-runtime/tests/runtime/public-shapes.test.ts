import { call } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * Shapes of public SAM templates (serverless-patterns) that the runtime once got wrong, black-box over HTTP: SAM
 * Auth on a template's own definition, an Api event on a method the definition integrates already, a cached root
 * method, a `$default` request model, and the X-Forwarded-* headers API Gateway adds.
 */
const runtime = fixtureRuntime('public-shapes');
let prod: string;
let cached: string;

beforeAll(() => {
  prod = `${runtime.info.restUrl}/Prod`;
  cached = `${runtime.info.restUrl}/cached`;
});

it("puts Auth.DefaultAuthorizer on the definition's own methods (SAM's set_path_default_authorizer)", async () => {
  const refused = await call(`${prod}/`);
  expect({ status: refused.status, body: refused.json() }).toEqual({ status: 401, body: { message: 'Unauthorized' } });
  const allowed = await call(`${prod}/`, { headers: { authorizationToken: 'allow' } });
  expect({ status: allowed.status, body: allowed.json() }).toEqual({ status: 200, body: { ok: true } });
});

it("keeps the definition's own integration where an Api event names the same method", async () => {
  const answer = await call(`${prod}/mapped`, { headers: { authorizationToken: 'allow' } });
  expect({ status: answer.status, body: answer.json() }).toEqual({ status: 200, body: { got: 'from-template' } });
});

it('caches a root method whose MethodSettings ResourcePath is /', async () => {
  const first = (await call(`${cached}/`)).json().now;
  const second = (await call(`${cached}/`)).json().now;
  expect(second).toBe(first);
});

it('validates against a model keyed $default whatever the content type', async () => {
  for (const type of ['application/json', 'text/plain']) {
    const invalid = await call(`${cached}/`, { method: 'POST', headers: { 'Content-Type': type }, body: '{}' });
    expect({ type, status: invalid.status }).toEqual({ type, status: 400 });
  }
  const valid = await call(`${cached}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"a":1}',
  });
  expect(valid.status).toBe(200);
});

it('adds X-Forwarded-For, X-Forwarded-Port, X-Forwarded-Proto and X-Amzn-Trace-Id to the event headers', async () => {
  const headers = (await call(`${cached}/`, { headers: { 'Cache-Control': 'max-age=0' } })).json().headers as Record<
    string,
    string
  >;
  expect(headers).toMatchObject({
    'X-Forwarded-For': '127.0.0.1',
    'X-Forwarded-Port': new URL(runtime.info.restUrl).port,
    'X-Forwarded-Proto': 'http',
    'X-Amzn-Trace-Id': expect.stringMatching(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/),
  });
});

it('serves raw AWS::ApiGatewayV2::Route resources on an AWS::Serverless::HttpApi', async () => {
  const api = runtime.info.apis.find((candidate) => candidate.logicalId === 'MessagesApi');
  const answer = await call(`${api?.url}/messages`, { method: 'POST', body: 'hello queue' });
  expect(answer.status).toBe(200);
  const queues = (await call(`${runtime.info.restUrl}/_local/queues`)).json() as unknown as {
    messages: { body: string }[];
  }[];
  expect(queues.flatMap((queue) => queue.messages.map((message) => message.body))).toContain('hello queue');
});

it('lets the local issuer stand in for a user pool of another stack, and says so', async () => {
  expect(runtime.output()).toContain(
    'user pool arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Elsewhere is not in the template: the local issuer stands in for it',
  );
  expect((await call(`${cached}/me`)).status).toBe(401);
  const token = await runtime.token({ sub: 'frank', token_use: 'id' });
  expect((await call(`${cached}/me`, { headers: { Authorization: token } })).status).toBe(200);
});

it("starts a template that imports another stack's export, and names the stand-in", () => {
  expect(runtime.output()).toContain(
    "Fn::ImportValue shared-table-name: another stack's export, not given (--import-values shared-table-name=<value>)",
  );
});

it("sends an HTTP integration to one of the template's own execute-api URLs to the local API", async () => {
  const answer = await call(`${cached}/chain`, { headers: { authorizationToken: 'allow' } });
  expect({ status: answer.status, body: answer.json() }).toEqual({ status: 200, body: { ok: true } });
});

it("sends a function's HTTPS request to its own API's execute-api host to the local API, never out", async () => {
  const answer = await call(`${cached}/call`);
  expect(answer.status).toBe(200);
  // The local API answered (401: no token), not a DNS failure or AWS.
  expect(answer.json()).toEqual({ status: 401, body: '{"message":"Unauthorized"}' });
});
