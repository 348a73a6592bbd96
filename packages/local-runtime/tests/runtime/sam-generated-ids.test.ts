import { call } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * A template that refers to what the SAM transform generates (names as the translator v1.110.0 gives them) and to
 * attributes of resources the runtime does not run starts, and answers with the values CloudFormation would give.
 */
const runtime = fixtureRuntime('sam-generated-ids');
let origin: string;

beforeAll(() => {
  origin = runtime.info.restUrl;
});

const observe = () => `${runtime.info.apis.find((api) => api.logicalId === 'ObserverApi')?.url}/observe`;

it("resolves Refs to SAM's generated stages, alias, role, permissions, usage plan, key and deployment", async () => {
  const answer = await call(observe());
  expect(answer.status).toBe(200);
  const env = answer.json().env as Record<string, string>;
  const functionArn = /^arn:aws:lambda:[a-z0-9-]+:123456789012:function:[\w-]+$/;
  expect(env).toMatchObject({
    SEEN_REST_STAGE: 'Prod',
    SEEN_ITEMS_STAGE: 'v1',
    SEEN_HTTP_STAGE: '$default',
    SEEN_REST_API: expect.stringMatching(/^[a-z0-9]{10}$/),
    SEEN_HTTP_API: expect.stringMatching(/^[a-z0-9]{10}$/),
    SEEN_ALIAS: expect.stringMatching(/:function:[\w-]+:live$/),
    SEEN_ROLE: expect.stringContaining('GreeterRole'),
    SEEN_ROLE_ARN: expect.stringMatching(/^arn:aws:iam::123456789012:role\/\S*GreeterRole/),
    SEEN_PERMISSION: expect.any(String),
    SEEN_HTTP_PERMISSION: expect.any(String),
    SEEN_PLAN: expect.stringMatching(/^[a-z0-9]{10}$/),
    SEEN_KEY: runtime.info.apiKeys.find((key) => key.logicalId === 'ItemsApiApiKey')?.id,
    SEEN_DEPLOYMENT: expect.stringMatching(/^[a-z0-9]{10}$/),
    SEEN_TOPIC_NAME: expect.stringContaining('Topic'),
  });
  expect(env.SEEN_ALIAS?.replace(/:live$/, '')).toMatch(functionArn);
  expect(env.SEEN_REST_API).toBe(runtime.info.apis.find((api) => api.logicalId === 'ServerlessRestApi')?.id);
});

it('reaches the function through integration URIs naming its AutoPublishAlias', async () => {
  for (const path of ['/alias-arn', '/alias-ref']) {
    const answer = await call(`${origin}/v1${path}`);
    expect({ path, status: answer.status, body: answer.json().path }).toEqual({ path, status: 200, body: path });
  }
});

it("points a function's Api and HttpApi events at its AutoPublishAlias, as the translator does, and serves them", async () => {
  const routes = (await call(`${origin}/_local/runtime`)).json().routes as Record<string, unknown>[];
  expect(routes.filter((route) => route.route === 'GET /hello').map((route) => [route.api, route.integration])).toEqual(
    [
      ['ServerlessHttpApi', 'aws_proxy lambda:Greeter:live 2.0'],
      ['ServerlessRestApi', 'aws_proxy lambda:Greeter:live'],
    ],
  );
  const answer = await call(`${origin}/Prod/hello`);
  expect({ status: answer.status, path: answer.json().path }).toEqual({ status: 200, path: '/hello' });
});

it('gives an attribute it does not know a stand-in value, named at start-up', async () => {
  const env = (await call(observe())).json().env as Record<string, string>;
  expect(env.SEEN_CUSTOM).toBe('local-Seed-Result');
  expect(runtime.output()).toMatch(
    /Fn::GetAtt Seed\.Result: not known locally \(Custom::Seed\); "local-Seed-Result" stands in/,
  );
});
