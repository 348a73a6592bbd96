import { type Answer, call, signedHeaders } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * REST APIs that SAM generates (the implicit ServerlessRestApi of `Api` events, an AWS::Serverless::Api without a
 * DefinitionBody, SAM Auth, usage plans, models, CORS, gateway responses) and REST APIs written as CloudFormation's
 * own AWS::ApiGateway::* resources, black-box over HTTP.
 */

const expectError = (answer: Answer, status: number, message: string) => {
  expect({ status: answer.status, message: answer.json().message }).toEqual({ status, message });
};

describe('SAM-generated APIs (Events: Api, SAM Auth)', () => {
  const runtime = fixtureRuntime('sam-events');
  let origin: string;
  let items: string;
  let key: string;

  beforeAll(() => {
    origin = runtime.info.restUrl;
    items = `${origin}/v1`;
    key = runtime.keyOf('ItemsApiApiKey');
  });

  it('serves Api events without RestApiId on the implicit ServerlessRestApi, stage Prod, root resource included', async () => {
    expect(runtime.info.apis.map((api) => [api.logicalId, api.stage])).toEqual([
      ['PartnersApi', 'partners'],
      ['ItemsApi', 'v1'],
      ['ServerlessRestApi', 'Prod'],
    ]);
    const hello = await call(`${origin}/Prod/hello`);
    expect(hello.status).toBe(200);
    expect(hello.json()).toMatchObject({ message: 'hello world', resource: '/hello', stage: 'Prod' });
    for (const url of [`${origin}/Prod`, `${origin}/Prod/`]) {
      const root = await call(url);
      expect({ status: root.status, resource: root.json().resource }).toEqual({ status: 200, resource: '/' });
    }
    // `!Sub https://${ServerlessRestApi}.execute-api...` in a function's environment names the local stage.
    expect(hello.json().apiUrl).toBe(`${origin}/Prod`);
  });

  it("prints a function's console lines under its name and Lambda request id, with the level", async () => {
    await call(`${origin}/Prod/hello`);
    expect(await runtime.waitForOutput(/^\[HelloWorldFunction [0-9a-f]{8}\] INFO hello from \/hello$/m)).toBe(true);
  });

  it('requires the API key where the event says ApiKeyRequired, from the usage plan SAM creates', async () => {
    expectError(await call(`${items}/items`), 403, 'Forbidden');
    expect(
      await runtime.waitForOutput(
        /GET \/v1\/items 403 .* — no API key \(x-api-key header\) on a method that requires one/,
      ),
    ).toBe(true);
    expectError(
      await call(`${items}/items`, { headers: { 'x-api-key': 'not-a-key-of-this-template' } }),
      403,
      'Forbidden',
    );
    expect(
      await runtime.waitForOutput(/GET \/v1\/items 403 .* — the API key not-a-… is not one of the template's keys/),
    ).toBe(true);
    const answer = await call(`${items}/items`, { headers: { 'x-api-key': key } });
    expect(answer.status).toBe(200);
    expect(answer.json().apiKeyId).toEqual(expect.any(String));
    expect(runtime.info.apiKeys.find((candidate) => candidate.logicalId === 'ItemsApiApiKey')?.usagePlan).toBe(
      'ItemsApiUsagePlan',
    );
  });

  it('puts the DefaultAuthorizer on every event without its own Auth, and runs TOKEN and REQUEST authorizers', async () => {
    expectError(await call(`${items}/items/7`), 401, 'Unauthorized');
    const allowed = await call(`${items}/items/7`, { headers: { Authorization: 'allow' } });
    expect(allowed.json()).toMatchObject({ pathParameters: { id: '7' }, authorizer: { principalId: 'user-allow' } });
    expectError(
      await call(`${items}/items/7`, { headers: { Authorization: 'deny' } }),
      403,
      'User is not authorized to access this resource with an explicit deny',
    );
    expectError(await call(`${items}/items/7`, { headers: { Authorization: 'nope' } }), 401, 'Unauthorized');
    expect(
      await runtime.waitForOutput(/GET \/v1\/items\/7 401 .* — TokenAuth: the authorizer answered Unauthorized/),
    ).toBe(true);
    expectError(await call(`${items}/by-request`), 401, 'Unauthorized');
    expect(
      await runtime.waitForOutput(/GET \/v1\/by-request 401 .* — RequestAuth: no method\.request\.querystring\.auth/),
    ).toBe(true);
    const byQuery = await call(`${items}/by-request?auth=allow`);
    expect(byQuery.json()).toMatchObject({ authorizer: { kind: 'REQUEST', principalId: 'user-allow' } });
  });

  it("answers the API's GatewayResponses (status, headers, template)", async () => {
    const answer = await call(`${items}/items/7`);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(answer.json()).toEqual({ message: 'Unauthorized', hint: 'send a token' });
  });

  it('validates a RequestModel body against the API Models', async () => {
    const headers = { Authorization: 'allow', 'Content-Type': 'application/json' };
    expectError(
      await call(`${items}/items`, { method: 'POST', headers, body: '{"nope":1}' }),
      400,
      'Invalid request body',
    );
    const created = await call(`${items}/items`, { method: 'POST', headers, body: '{"name":"lamp"}' });
    expect(created.json()).toMatchObject({ body: '{"name":"lamp"}' });
  });

  it('answers CORS preflight with the Cors settings, without the authorizer (AddDefaultAuthorizerToCorsPreflight)', async () => {
    const preflight = await call(`${items}/items`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(200);
    expect(Object.fromEntries([...preflight.headers].filter(([name]) => name.startsWith('access-control')))).toEqual({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET,OPTIONS,POST',
      'access-control-allow-headers': 'Content-Type,Authorization,x-api-key',
      'access-control-max-age': '600',
    });
  });

  it('runs the Cognito authorizer: ID tokens where no scopes are set, access tokens with a scope where they are', async () => {
    const id = await runtime.token({ sub: 'dana', token_use: 'id' });
    const access = await runtime.token({ sub: 'dana', scope: 'items/read' });
    const otherScope = await runtime.token({ sub: 'dana', scope: 'items/write' });
    expect((await call(`${items}/profile`, { headers: { Authorization: id } })).status).toBe(200);
    expectError(await call(`${items}/profile`, { headers: { Authorization: access } }), 401, 'Unauthorized');
    expect((await call(`${items}/me`, { headers: { Authorization: access } })).status).toBe(200);
    expectError(await call(`${items}/me`, { headers: { Authorization: otherScope } }), 401, 'Unauthorized');
    expectError(await call(`${items}/me`, { headers: { Authorization: id } }), 401, 'Unauthorized');
    expect(await runtime.waitForOutput(/GET \/v1\/me 401 .*none of the method's scopes \(items\/read\)/)).toBe(true);
  });

  it('verifies SigV4 on AWS_IAM events', async () => {
    expectError(await call(`${items}/internal`), 403, 'Missing Authentication Token');
    const headers = await signedHeaders(`${items}/internal`, runtime.info.credentials, 'us-east-1');
    expect((await call(`${items}/internal`, { headers })).status).toBe(200);
  });

  it('refuses, and names at start-up, a method whose Auth the runtime cannot enforce (never fails open)', async () => {
    expect(runtime.output()).toMatch(
      /Not run locally:\n(?:.*\n)*.*ItemsFunction\.Events\.Partners: Auth\.ResourcePolicy/,
    );
    expectError(await call(`${origin}/partners/partners`), 403, 'User is not authorized to access this resource');
    expect(await runtime.waitForOutput(/GET \/partners\/partners 403 .*not enforced locally/)).toBe(true);
    // The event's policy is the API's one policy: a caller it does not allow is denied on every method of the API.
    expectError(await call(`${origin}/partners/status`), 403, 'User is not authorized to access this resource');
  });

  it('lists every route in GET /_local/runtime: integration, authorizer and scopes, API key, validator, CORS, refusal', async () => {
    const routes = (await call(`${origin}/_local/runtime`)).json().routes as Record<string, unknown>[];
    const route = (api: string, key: string) => routes.find((entry) => entry.api === api && entry.route === key);
    expect(route('ServerlessRestApi', 'GET /')).toEqual({
      api: 'ServerlessRestApi',
      kind: 'REST',
      stage: 'Prod',
      route: 'GET /',
      integration: 'aws_proxy lambda:HelloWorldFunction',
      scopes: [],
      apiKeyRequired: false,
      corsPreflight: false,
      refused: false,
    });
    expect(route('ItemsApi', 'GET /me')).toMatchObject({
      authorizer: 'CognitoAuth (cognito_user_pools)',
      scopes: ['items/read'],
      corsPreflight: true,
    });
    expect(route('ItemsApi', 'GET /items')).toMatchObject({ apiKeyRequired: true });
    expect(route('ItemsApi', 'POST /items')).toMatchObject({ authorizer: 'TokenAuth (token)', validator: 'body' });
    expect(route('ItemsApi', 'OPTIONS /items')).toMatchObject({ integration: 'mock' });
    expect(route('PartnersApi', 'GET /status')).toMatchObject({ refused: true });
  });

  it('no longer reports Api events as not run', () => {
    expect(runtime.output()).not.toMatch(/Events\.(HelloWorld|ListItems)/);
  });
});

describe('raw AWS::ApiGateway resources', () => {
  const runtime = fixtureRuntime('raw-api');
  let prod: string;
  const key = 'pets-key-0123456789abcdefghijklmn';

  beforeAll(() => {
    prod = `${runtime.info.restUrl}/prod`;
  });

  it('serves the Stage of the Deployment, with its variables, and a method on the root resource', async () => {
    expect(runtime.info.apis.map((api) => [api.logicalId, api.stage])).toEqual([
      ['PetsApi', 'prod'],
      ['PetsApi', 'Stage'],
    ]);
    const root = await call(`${prod}/`);
    expect(root.json()).toEqual({ api: 'pets', greeting: 'hello from prod' });
    // The Deployment's own StageName is a stage too, served beside the other, without its variables.
    const other = await call(`${runtime.info.restUrl}/Stage/`);
    expect({ status: other.status, body: other.json() }).toEqual({ status: 200, body: { api: 'pets', greeting: '' } });
  });

  it('builds the resource tree from ParentId and PathPart, with the API key and request validator of the Method', async () => {
    expectError(await call(`${prod}/pets?type=cat`), 403, 'Forbidden');
    expectError(
      await call(`${prod}/pets`, { headers: { 'x-api-key': key } }),
      400,
      'Missing required request parameters: [type]',
    );
    const list = await call(`${prod}/pets?type=cat`, { headers: { 'x-api-key': key } });
    expect(list.json()).toMatchObject({ resource: '/pets', stage: 'prod' });
  });

  it('runs the AWS::ApiGateway::Authorizer of a CUSTOM method', async () => {
    expectError(await call(`${prod}/pets/9`, { headers: { Authorization: 'nope' } }), 401, 'Unauthorized');
    const pet = await call(`${prod}/pets/9`, { headers: { Authorization: 'allow' } });
    expect(pet.json()).toMatchObject({ resource: '/pets/{petId}', pathParameters: { petId: '9' } });
  });

  it('validates RequestModels with the Model resource, behind AWS_IAM', async () => {
    const body = '{"kind":"cat"}';
    const sign = (payload: string) =>
      signedHeaders(`${prod}/pets`, runtime.info.credentials, 'us-east-1', 'POST', payload);
    const invalid = await call(`${prod}/pets`, {
      method: 'POST',
      headers: await sign(body),
      body,
    });
    expectError(invalid, 400, 'Invalid request body');
    const good = '{"name":"tom"}';
    const created = await call(`${prod}/pets`, {
      method: 'POST',
      headers: await sign(good),
      body: good,
    });
    expect({ status: created.status, body: created.json() }).toEqual({ status: 201, body: { created: true } });
  });

  it('answers an unknown route with the GatewayResponse resource', async () => {
    const answer = await call(`${prod}/nowhere`);
    expect({ status: answer.status, body: answer.json() }).toEqual({ status: 404, body: { message: 'no such route' } });
  });
});
