import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Answer, call, runtimeForSuite } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * HTTP APIs, black-box: the runtime runs packages/local-runtime/tests/fixtures/http-api/template.yaml (SAM:
 * AWS::Serverless::HttpApi, implicit HttpApi events, JWT and Lambda authorizers, CORS) and raw-template.yaml
 * (AWS::ApiGatewayV2::Api with Route, Integration and Stage resources, first-class AWS integrations, HTTP_PROXY,
 * quick create) as child processes; every assertion is about what comes back over HTTP.
 */
type Json = Record<string, unknown>;

const eventOf = (answer: Answer): Json => answer.json().event as Json;
const contextOf = (event: Json): Json => event.requestContext as Json;
const expectError = (answer: Answer, status: number, message: string) => {
  expect({ status: answer.status, body: answer.json() }).toEqual({ status, body: { message } });
};

describe('SAM HTTP APIs', () => {
  const runtime = fixtureRuntime('http-api');
  let root: string;
  let dev: string;

  beforeAll(() => {
    const urlOf = (logicalId: string) => {
      const api = runtime.info.apis.find((candidate) => candidate.logicalId === logicalId);
      if (!api) throw new Error(`${logicalId} is not served:\n${runtime.output()}`);
      return api.url;
    };
    root = urlOf('ServerlessHttpApi');
    dev = urlOf('ProtectedApi');
  });

  it('lists its routes in GET /_local/runtime, with the function, payload format, authorizer, scopes and CORS', async () => {
    const routes = (await call(`${runtime.info.restUrl}/_local/runtime`)).json().routes as Json[];
    expect(routes.find((entry) => entry.api === 'ProtectedApi' && entry.route === 'GET /admin')).toEqual({
      api: 'ProtectedApi',
      kind: 'HTTP',
      stage: 'dev',
      route: 'GET /admin',
      integration: 'aws_proxy lambda:EchoFunction 2.0',
      authorizer: 'OAuth (jwt)',
      scopes: ['admin'],
      apiKeyRequired: false,
      corsPreflight: true,
      refused: false,
    });
    expect(routes.find((entry) => entry.route === 'GET /policy/{id}')).toMatchObject({
      integration: 'aws_proxy lambda:EchoFunction 1.0',
      authorizer: 'PolicyAuth (lambda)',
    });
  });

  const token = (body: Json = {}) => runtime.token({ sub: 'alice', ...body });
  const bearer = async (body: Json = {}) => ({ Authorization: `Bearer ${await token(body)}` });

  it('serves the implicit ServerlessHttpApi at the root ($default stage) and names both APIs in the banner', () => {
    expect(root).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(dev).toBe(`${root}/dev`);
    expect(runtime.info.apis.filter((api) => api.logicalId.endsWith('Api')).map((api) => api.stage)).toEqual(
      expect.arrayContaining(['$default', 'dev']),
    );
    expect(runtime.output()).toMatch(
      /HTTP API ServerlessHttpApi {2}http:\/\/127\.0\.0\.1:\d+\n {2}GET \/items\/\{id\}/,
    );
    expect(runtime.output()).toMatch(/GET \/admin +lambda-proxy 2\.0 +OAuth \(JWT\) \[admin\]/);
    expect(runtime.output()).not.toMatch(/Events\.GetItem \(HttpApi\)/);
  });

  it('hands the function a payload 2.0 event and turns its cookies into set-cookie headers', async () => {
    const answer = await call(`${root}/items/42?tag=a&tag=b&one=1`, {
      headers: { 'X-Custom': 'Yes', Cookie: 'c1=v1; c2=v2' },
    });
    expect(answer.status).toBe(200);
    const event = eventOf(answer);
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /items/{id}',
      rawPath: '/items/42',
      rawQueryString: 'tag=a&tag=b&one=1',
      cookies: ['c1=v1', 'c2=v2'],
      queryStringParameters: { tag: 'a,b', one: '1' },
      pathParameters: { id: '42' },
      isBase64Encoded: false,
    });
    expect(event.headers).toMatchObject({ 'x-custom': 'Yes' });
    expect(event.headers).not.toHaveProperty('cookie');
    expect(event).not.toHaveProperty('body');
    expect(event).not.toHaveProperty('stageVariables');
    expect(contextOf(event)).toMatchObject({
      stage: '$default',
      routeKey: 'GET /items/{id}',
      http: { method: 'GET', path: '/items/42', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
      requestId: answer.headers.get('apigw-requestid'),
    });
    expect(answer.headers.getSetCookie()).toEqual(['session=abc; Path=/', 'theme=dark']);
  });

  it('matches greedy {proxy+} routes for any method, and answers 404 Not Found when no route matches', async () => {
    const files = await call(`${root}/files/a/b/c.txt`, { method: 'DELETE' });
    expect(eventOf(files)).toMatchObject({ routeKey: 'ANY /files/{proxy+}', pathParameters: { proxy: 'a/b/c.txt' } });
    expectError(await call(`${root}/files`), 404, 'Not Found');
    expectError(await call(`${root}/items/42`, { method: 'POST' }), 404, 'Not Found');
    expectError(await call(`${root}/nowhere`), 404, 'Not Found');
    expect(
      await runtime.waitForOutput(/GET \/nowhere 404 .* no route of ServerlessHttpApi matches GET \/nowhere/),
    ).toBe(true);
  });

  it('passes a text-like body as text and any other base64-encoded (payload 2.0 has no binary media types)', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    const binary = eventOf(
      await call(`${root}/files/up`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: bytes }),
    );
    expect([binary.body, binary.isBase64Encoded]).toEqual([bytes.toString('base64'), true]);
    const text = eventOf(
      await call(`${root}/files/up`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: '{"a":1}',
      }),
    );
    expect([text.body, text.isBase64Encoded]).toEqual(['{"a":1}', false]);
  });

  it('answers a body over 10 MB with the HTTP API 413, not the REST edge text', async () => {
    const answer = await call(`${root}/files/big`, { method: 'POST', body: 'x'.repeat(10 * 1024 * 1024 + 1) });
    expectError(answer, 413, 'Request Entity Too Large');
    expect(await runtime.waitForOutput(/POST \/files\/big 413 .* the body is over the 10 MB limit/)).toBe(true);
  });

  it('hands a PayloadFormatVersion 1.0 route the 1.0 event', async () => {
    const answer = await call(`${root}/legacy/7?x=1&x=2`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"hello":"world"}',
    });
    const event = eventOf(answer);
    expect(event).toMatchObject({
      version: '1.0',
      resource: '/legacy/{id}',
      path: '/legacy/7',
      httpMethod: 'POST',
      multiValueQueryStringParameters: { x: ['1', '2'] },
      pathParameters: { id: '7' },
      stageVariables: null,
      body: '{"hello":"world"}',
      isBase64Encoded: false,
    });
    expect((event.multiValueHeaders as Json)['content-type']).toEqual(['application/json']);
    expect(contextOf(event)).toMatchObject({ stage: '$default', resourcePath: '/legacy/{id}', httpMethod: 'POST' });
  });

  it('infers a 2.0 response from an answer without statusCode, and reads a structured one', async () => {
    const text = await call(`${root}/shapes/string`);
    expect([text.status, text.headers.get('content-type'), text.text]).toEqual([
      200,
      'application/json',
      'Hello from Lambda!',
    ]);
    const object = await call(`${root}/shapes/object`);
    expect([object.status, object.headers.get('content-type'), object.json()]).toEqual([
      200,
      'application/json',
      { message: 'Hello from Lambda!' },
    ]);
    expect((await call(`${root}/shapes/array`)).text).toBe('[1,2,3]');
    const plain = await call(`${root}/shapes/plain`);
    expect([plain.status, plain.text]).toEqual([201, 'made']);
    const binary = await fetch(`${root}/shapes/binary`);
    expect(Buffer.from(await binary.arrayBuffer())).toEqual(Buffer.from('iVBORw0K', 'base64'));
  });

  it('answers 500 Internal Server Error for malformed answers and function errors, and 1.0 never infers', async () => {
    expectError(await call(`${root}/shapes/malformed`), 500, 'Internal Server Error');
    expectError(await call(`${root}/shapes/throw`), 500, 'Internal Server Error');
    expect(await runtime.waitForOutput(/GET \/shapes\/throw 500 .*the function failed: Error: boom/)).toBe(true);
    expectError(await call(`${root}/legacy-shapes/string`), 500, 'Internal Server Error');
    expect((await call(`${root}/legacy-shapes/plain`)).status).toBe(201);
  });

  it('JWT authorizer: 401 without or with a bad token, 200 with a local issuer token, claims in the event', async () => {
    expectError(await call(`${dev}/me`), 401, 'Unauthorized');
    const bad = await call(`${dev}/me`, { headers: { Authorization: 'Bearer not.a.jwt' } });
    expectError(bad, 401, 'Unauthorized');
    expect(bad.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    const answer = await call(`${dev}/me`, { headers: await bearer({ scope: 'read' }) });
    expect(answer.status).toBe(200);
    const event = eventOf(answer);
    expect(event).toMatchObject({ rawPath: '/dev/me', stageVariables: { color: 'blue' } });
    expect(contextOf(event)).toMatchObject({
      stage: 'dev',
      authorizer: { jwt: { claims: { sub: 'alice', scope: 'read' }, scopes: null } },
    });
  });

  it('JWT authorizer: AuthorizationScopes need one of the scopes (403 Forbidden otherwise)', async () => {
    const refused = await call(`${dev}/admin`, { headers: await bearer({ scope: 'read' }) });
    expectError(refused, 403, 'Forbidden');
    expect(refused.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    const allowed = await call(`${dev}/admin`, { headers: await bearer({ scope: 'read admin' }) });
    expect(allowed.status).toBe(200);
    expect(contextOf(eventOf(allowed)).authorizer).toMatchObject({ jwt: { scopes: ['read', 'admin'] } });
  });

  it('JWT authorizer with an external issuer: the local issuer stands in, the audience is checked', async () => {
    const wrongAudience = await call(`${dev}/partner`, { headers: await bearer() });
    expectError(wrongAudience, 401, 'Unauthorized');
    expect(wrongAudience.headers.get('www-authenticate')).toMatch(/valid audience/);
    const answer = await call(`${dev}/partner`, { headers: await bearer({ aud: 'https://api.example.com' }) });
    expect(answer.status).toBe(200);
  });

  it('Lambda authorizer, 2.0 simple responses: 401 without the identity source, 403 when refused, cached by TTL', async () => {
    expectError(await call(`${dev}/simple`), 401, 'Unauthorized');
    expectError(await call(`${dev}/simple`, { headers: { 'x-token': 'nope' } }), 403, 'Forbidden');
    const first = contextOf(eventOf(await call(`${dev}/simple`, { headers: { 'x-token': 'allow' } })));
    const second = contextOf(eventOf(await call(`${dev}/simple`, { headers: { 'x-token': 'allow' } })));
    expect(first.authorizer).toMatchObject({ lambda: { user: 'alice', tags: ['a', 'b'] } });
    // ReauthorizeEvery: 60 — the second request is answered from the cache, without invoking the authorizer.
    expect((second.authorizer as { lambda: Json }).lambda.calls).toBe(
      (first.authorizer as { lambda: Json }).lambda.calls,
    );
  });

  it('Lambda authorizer, 1.0 IAM policy: matched against the route ARN, context in the 1.0 event', async () => {
    const allowed = await call(`${dev}/policy/1`, { headers: { 'x-token': 'allow' } });
    expect(allowed.status).toBe(200);
    expect(contextOf(eventOf(allowed)).authorizer).toMatchObject({ user: 'alice', principalId: 'alice' });
    expectError(await call(`${dev}/policy/1`, { headers: { 'x-token': 'deny' } }), 403, 'Forbidden');
    expectError(await call(`${dev}/policy/2`, { headers: { 'x-token': 'one' } }), 403, 'Forbidden');
    expect((await call(`${dev}/policy/1`, { headers: { 'x-token': 'one' } })).status).toBe(200);
    expect(
      await runtime.waitForOutput(
        /does not allow execute-api:Invoke on arn:aws:execute-api:[^ ]+\/dev\/GET\/policy\/2/,
      ),
    ).toBe(true);
  });

  it('CORS: API Gateway answers the preflight, puts its headers on answers and drops the function’s', async () => {
    const preflight = await call(`${dev}/me`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://app.example.com',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(Object.fromEntries(preflight.headers)).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'authorization,content-type',
      'access-control-max-age': '600',
      'access-control-allow-credentials': 'true',
    });
    const stranger = await call(`${dev}/me`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(stranger.status).toBe(204);
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
    const answer = await call(`${dev}/open`, { method: 'POST', headers: { Origin: 'https://app.example.com' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(answer.headers.get('access-control-expose-headers')).toBe('x-echo');
    const refused = await call(`${dev}/me`, { headers: { Origin: 'https://app.example.com' } });
    expect([refused.status, refused.headers.get('access-control-allow-origin')]).toEqual([
      401,
      'https://app.example.com',
    ]);
  });
});

describe('AWS::ApiGatewayV2 HTTP APIs', () => {
  let backend: Server;
  let api: string;
  const seen: { url: string; headers: IncomingMessage['headers']; method: string }[] = [];

  beforeAll(async () => {
    backend = createServer((request, response) => {
      seen.push({ url: request.url ?? '', headers: request.headers, method: request.method ?? '' });
      request.resume();
      request.on('end', () => response.writeHead(201, { 'Content-Type': 'text/plain' }).end('from backend'));
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  });
  const runtime = runtimeForSuite(() => [
    '--template',
    'packages/local-runtime/tests/fixtures/http-api/raw-template.yaml',
    '--parameter-overrides',
    `BackendUrl=http://127.0.0.1:${(backend.address() as AddressInfo).port}`,
  ]);
  beforeAll(() => {
    const httpApi = runtime.info.apis.find((candidate) => candidate.logicalId === 'HttpApi');
    if (!httpApi) throw new Error(`HttpApi is not served:\n${runtime.output()}`);
    api = httpApi.url;
  });

  afterAll(async () => {
    backend?.closeAllConnections();
    await new Promise((resolve) => backend?.close(resolve));
  });

  it('routes by the Route resources: a 1.0 integration, and the $default route for anything else', async () => {
    expect(eventOf(await call(`${api}/hello`))).toMatchObject({
      version: '1.0',
      resource: '/hello',
      httpMethod: 'GET',
    });
    expect(eventOf(await call(`${api}/not/declared`, { method: 'PUT' }))).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/not/declared',
    });
  });

  it('with a $default route, a preflight reaches the integration (and gets the CORS headers)', async () => {
    const answer = await call(`${api}/hello`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://any.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(eventOf(answer)).toMatchObject({ routeKey: '$default' });
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('SQS-SendMessage sends the mapped body to the local queue; a missing parameter is 400', async () => {
    const answer = await call(`${api}/queue`, { method: 'POST', body: JSON.stringify({ message: 'hello queue' }) });
    expect(answer.status).toBe(200);
    const sent = answer.json() as { SendMessageResponse: { SendMessageResult: { MessageId: string } } };
    const { MessageId } = sent.SendMessageResponse.SendMessageResult;
    const queues = (await (await fetch(`${runtime.info.restUrl}/_local/queues`)).json()) as {
      messages: { messageId: string; body: string }[];
    }[];
    expect(queues[0]?.messages).toContainEqual(expect.objectContaining({ messageId: MessageId, body: 'hello queue' }));
    expectError(await call(`${api}/queue`, { method: 'POST', body: '{}' }), 400, 'Bad Request');
  });

  it('StepFunctions-StartExecution starts the local state machine with the body as input', async () => {
    const answer = await call(`${api}/workflow`, { method: 'POST', body: JSON.stringify({ order: 1 }) });
    expect(answer.status).toBe(200);
    expect(answer.json().executionArn).toMatch(/^arn:aws:states:us-east-1:123456789012:execution:/);
  });

  it('EventBridge-PutEvents puts the event on the local default bus and answers what PutEvents answers', async () => {
    const answer = await call(`${api}/events`, { method: 'POST', body: JSON.stringify({ order: 1 }) });
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
  });

  it('HTTP_PROXY fills {proxy} in the URI, applies parameter mappings and passes the answer back', async () => {
    const answer = await call(`${api}/backend/a/b?q=1`, { method: 'PATCH', headers: { 'X-Client': 'yes' } });
    expect([answer.status, answer.text]).toEqual([201, 'from backend']);
    expect(seen.at(-1)).toMatchObject({
      method: 'PATCH',
      url: '/upstream/a/b?q=1',
      headers: expect.objectContaining({ 'x-client': 'yes', 'x-from': 'gateway' }),
    });
  });

  it('quick create (Target): a $default route on a $default stage, on a port of its own', async () => {
    const quick = runtime.info.apis.find((candidate) => candidate.logicalId === 'QuickApi');
    expect(quick?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(quick?.url).not.toBe(api);
    expect(eventOf(await call(`${quick?.url}/anything`))).toMatchObject({ version: '2.0', routeKey: '$default' });
  });
});
