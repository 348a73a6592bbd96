import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Answer, call, signedHeaders } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * The gateway's behaviours, black-box: the runtime runs packages/local-runtime/tests/fixtures/gateway/template.yaml as a child
 * process, and every assertion is about what comes back over HTTP.
 */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let backend: Server;
const seen: Seen[] = [];

beforeAll(async () => {
  backend = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      });
      if (request.url?.startsWith('/slow')) {
        setTimeout(() => response.writeHead(200).end('late'), 2000);
        return;
      }
      const status = request.url?.startsWith('/broken') ? 500 : 201;
      response.writeHead(status, { 'Content-Type': 'text/plain', 'X-Backend': 'legacy' }).end(`backend says ${status}`);
    });
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
});
const runtime = fixtureRuntime('gateway', () => [
  '--parameter-overrides',
  `BackendUrl=http://127.0.0.1:${(backend.address() as AddressInfo).port}`,
]);

afterAll(async () => {
  backend?.closeAllConnections();
  await new Promise((resolve) => backend?.close(resolve));
});

const get = (path: string, headers: Record<string, string> = {}) => call(`${runtime.base}${path}`, { headers });
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const expectError = (answer: Answer, status: number, message: string | null, errorType: string) => {
  expect({
    status: answer.status,
    message: answer.json().message,
    type: answer.headers.get('x-amzn-errortype'),
  }).toEqual({
    status,
    message,
    type: errorType,
  });
};

describe('routing', () => {
  it('answers an unknown path or method with 403 Missing Authentication Token, through the DEFAULT_4XX response', async () => {
    const answer = await get('/no/such/route');
    expectError(answer, 403, 'Missing Authentication Token', 'MissingAuthenticationTokenException');
    expect(answer.json().type).toBe('MISSING_AUTHENTICATION_TOKEN');
    expect(answer.headers.get('x-gateway-error')).toBe('yes');
    expectError(
      await call(`${runtime.base}/mock`, { method: 'DELETE' }),
      403,
      'Missing Authentication Token',
      'MissingAuthenticationTokenException',
    );
  });

  it('answers a stage that does not exist with 403 Forbidden', async () => {
    expectError(await call(`${runtime.info.restUrl}/prod/mock`), 403, 'Forbidden', 'ForbiddenException');
  });

  it('reports the template constructs it does not run, by name', () => {
    expect(runtime.output()).toContain(
      'DeliveryStream (AWS::KinesisFirehose::DeliveryStream): resource type not supported locally',
    );
    expect(runtime.output()).toMatch(/Queues .*\n\s+local-stack-Queue-\w+\s+visibility 30 s/);
    expect(runtime.output()).toMatch(/No local effect .*1 AWS::Logs::LogGroup/);
  });
});

describe('Lambda proxy integration', () => {
  it('builds the REST proxy event, the Lambda context and the function environment', async () => {
    const answer = await get('/echo/abc%20d?x=1&x=2&y=z', { 'X-Custom': 'v' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-echo')).toBe('yes');
    expect(answer.headers.get('set-cookie')).toBe('a=1, b=2');
    const { event, context, environment } = answer.json() as {
      event: Record<string, unknown> & { requestContext: Record<string, unknown> };
      context: Record<string, unknown>;
      environment: Record<string, unknown>;
    };
    expect(event).toMatchObject({
      resource: '/echo/{id}',
      path: '/echo/abc d',
      httpMethod: 'GET',
      pathParameters: { id: 'abc d' },
      queryStringParameters: { x: '2', y: 'z' },
      multiValueQueryStringParameters: { x: ['1', '2'], y: ['z'] },
      stageVariables: { greeting: 'hello' },
      body: null,
      isBase64Encoded: false,
    });
    expect((event.headers as Record<string, string>)['X-Custom']).toBe('v');
    expect(event.requestContext).toMatchObject({
      stage: 'local',
      resourcePath: '/echo/{id}',
      httpMethod: 'GET',
      path: '/local/echo/abc%20d'.replace('%20', ' '),
      identity: expect.objectContaining({ sourceIp: '127.0.0.1' }),
    });
    expect(event.requestContext.requestId).toBe(answer.headers.get('x-amzn-requestid'));
    expect(context.functionName).toMatch(/EchoFunction/);
    expect(context.memoryLimitInMB).toBe('256');
    // Lambda's request id is its own, as on AWS: not API Gateway's.
    expect(context.awsRequestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(context.awsRequestId).not.toBe(answer.headers.get('x-amzn-requestid'));
    expect(context.remainingTimeInMillis).toBeGreaterThan(0);
    expect(context.remainingTimeInMillis).toBeLessThanOrEqual(5000);
    expect(environment).toEqual({ GREETING: 'hello from local', STAGE: 'local', AWS_REGION: expect.any(String) });
  });

  it.each([
    ['throws', '/fail/throw'],
    ['returns a malformed proxy answer', '/fail/malformed'],
    ['returns a string', '/fail/string'],
    ['runs past its own timeout', '/fail/slow'],
  ])('answers 502 Internal server error when the function %s', async (_, path) => {
    const answer = await get(path);
    expect(answer.status).toBe(502);
    expect(answer.json()).toEqual({ message: 'Internal server error' });
  });

  it('answers 504 Endpoint request timed out when the integration timeout runs out, and keeps serving', async () => {
    const answer = await get('/fail-fast/slow');
    expectError(answer, 504, 'Endpoint request timed out', 'InternalServerErrorException');
    expect((await get('/fail/ok')).json()).toEqual({ mode: 'ok' });
  });
});

describe('MOCK integration with mapping templates', () => {
  it('renders the response template with $context, $input.params and $stageVariables', async () => {
    const answer = await get('/mock?name=bob');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-mock')).toBe('yes');
    expect(answer.json()).toEqual({ stage: 'local', name: 'bob', greeting: 'hello' });
  });

  it('selects the integration response by the status code the request template chose', async () => {
    const answer = await get('/mock?missing=1');
    expect(answer.status).toBe(404);
    expect(answer.json()).toEqual({ message: 'nothing here' });
  });
});

describe('token authorizer', () => {
  it('refuses a request without a token, or with one the validation expression rejects, with 401', async () => {
    expectError(await get('/secure'), 401, 'Unauthorized', 'UnauthorizedException');
    expectError(await get('/secure', bearer('Not-Valid!')), 401, 'Unauthorized', 'UnauthorizedException');
  });

  it('answers an explicit Deny with 403, a thrown Unauthorized with 401, and any other failure with 500', async () => {
    expectError(
      await get('/secure', bearer('deny')),
      403,
      'User is not authorized to access this resource with an explicit deny',
      'AccessDeniedException',
    );
    expectError(await get('/secure', bearer('unauthorized')), 401, 'Unauthorized', 'UnauthorizedException');
    expectError(await get('/secure', bearer('crash')), 500, null, 'AuthorizerConfigurationException');
  });

  it('caches the policy by token and evaluates it again for each method, without invoking the authorizer again', async () => {
    const first = await get('/secure', bearer('allow-get'));
    expect(first.status).toBe(200);
    const authorizer = (first.json().event as { requestContext: { authorizer: Record<string, string> } }).requestContext
      .authorizer;
    // Context values reach the integration as strings.
    expect(authorizer).toMatchObject({ principalId: 'user-1', admin: 'false', token: 'allow-get' });
    const count = Number(authorizer.invocations);
    const post = await call(`${runtime.base}/secure`, { method: 'POST', headers: bearer('allow-get') });
    expectError(post, 403, 'User is not authorized to access this resource', 'AccessDeniedException');
    const again = await get('/secure', bearer('allow-get'));
    expect(
      (again.json().event as { requestContext: { authorizer: Record<string, string> } }).requestContext.authorizer
        .invocations,
    ).toBe(String(count));
    const other = await get('/secure', bearer('allow-get-2'));
    // One new invocation for the new token: the POST and the second GET were answered from the cache.
    expect(
      (other.json().event as { requestContext: { authorizer: Record<string, string> } }).requestContext.authorizer
        .invocations,
    ).toBe(String(count + 1));
  });

  it('gives a Lambda non-proxy integration the request template and maps its result and errors', async () => {
    const answer = await get('/custom/abc', bearer('allow-get'));
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ got: 'abc', caller: 'user-1', skus: ['a', 'b'] });
    const failed = await get('/custom/fail', bearer('allow-get'));
    expect(failed.status).toBe(400);
    expect(failed.json()).toEqual({ error: '[BadRequest] cannot use fail' });
  });
});

describe('API keys and usage plans', () => {
  it('refuses a missing, unknown or disabled key with 403 Forbidden', async () => {
    expectError(await get('/limited'), 403, 'Forbidden', 'ForbiddenException');
    expectError(await get('/limited', { 'x-api-key': 'not-a-key' }), 403, 'Forbidden', 'ForbiddenException');
    expectError(
      await get('/limited', { 'x-api-key': 'disabled-key-value-0123456789' }),
      403,
      'Forbidden',
      'ForbiddenException',
    );
  });

  it('throttles a key beyond its plan burst with 429 Too Many Requests', async () => {
    const key = runtime.keyOf('ThrottledKey');
    const answers = await Promise.all([1, 2, 3].map(() => get('/limited', { 'x-api-key': key })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 429]);
    expectError(
      answers.find((answer) => answer.status === 429) as Answer,
      429,
      'Too Many Requests',
      'TooManyRequestsException',
    );
    expect(answers.find((answer) => answer.status === 200)?.json()).toEqual({ apiKeyId: expect.any(String) });
  });

  it('answers 429 Limit Exceeded once the quota of the period is spent', async () => {
    const key = { 'x-api-key': 'quota-key-value-0123456789' };
    for (let i = 0; i < 3; i++) expect((await get('/limited', key)).status).toBe(200);
    expectError(await get('/limited', key), 429, 'Limit Exceeded', 'LimitExceededException');
  });

  it('throttles a method with its stage method setting', async () => {
    const [first, second] = [await get('/stage-throttled'), await get('/stage-throttled')];
    expect(first?.status).toBe(200);
    expectError(second as Answer, 429, 'Too Many Requests', 'TooManyRequestsException');
  });
});

describe('request validation', () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    call(`${runtime.base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  // Headers before the query string, as AWS lists them (parity: test_api_gateway_request_validator).
  it('names the missing required parameters', async () => {
    const answer = await post('/validated', { name: 'ok' });
    expectError(answer, 400, 'Missing required request parameters: [X-Trace, mode]', 'BadRequestException');
  });

  it('validates the body against its model (JSON Schema draft 4) and lists what is wrong', async () => {
    const answer = await post('/validated?mode=a', { name: 'x', extra: 1 }, { 'X-Trace': 't' });
    expectError(answer, 400, 'Invalid request body', 'BadRequestException');
    expect(answer.json().errors).toContain('is too short');
    expect(answer.json().errors).toContain('"extra"');
    const ok = await post('/validated?mode=a', { name: 'xy', count: 2 }, { 'X-Trace': 't' });
    expect({ status: ok.status, body: ok.json() }).toEqual({ status: 201, body: { created: true } });
  });
});

describe('response cache', () => {
  const invocations = async (query: string, headers: Record<string, string> = {}) => {
    const answer = await get(`/cached?q=${query}`, headers);
    return { count: answer.json().invocations as number, warning: answer.headers.get('warning') };
  };

  it('serves the cached answer per cache key until the TTL expires', async () => {
    const first = await invocations('a');
    expect((await invocations('a')).count).toBe(first.count);
    expect((await invocations('b')).count).not.toBe(first.count);
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect((await invocations('a')).count).not.toBe(first.count);
  });

  it('ignores Cache-Control: max-age=0 from an unauthorised caller, with a warning, but obeys a signed one', async () => {
    const first = await invocations('c');
    const ignored = await invocations('c', { 'Cache-Control': 'max-age=0' });
    expect(ignored.count).toBe(first.count);
    expect(ignored.warning).toMatch(/ignored/);
    const url = `${runtime.base}/cached?q=c`;
    const signed = await signedHeaders(url, runtime.info.credentials, 'us-east-1');
    const refreshed = await call(url, { headers: { ...signed, 'Cache-Control': 'max-age=0' } });
    expect(refreshed.json().invocations).not.toBe(first.count);
  });
});

describe('HTTP proxy integration', () => {
  it('passes method, path, query, headers and body to the back end and its answer back, errors included', async () => {
    const answer = await call(`${runtime.base}/backend/items/42?x=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', 'X-Client': 'c' },
      body: 'hello',
    });
    expect({ status: answer.status, text: answer.text, backend: answer.headers.get('x-backend') }).toEqual({
      status: 201,
      text: 'backend says 201',
      backend: 'legacy',
    });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      url: '/items/42?x=1',
      body: 'hello',
      headers: expect.objectContaining({ 'x-client': 'c', 'x-from-gateway': 'yes' }),
    });
    const broken = await get('/backend/broken');
    expect({ status: broken.status, text: broken.text }).toEqual({ status: 500, text: 'backend says 500' });
  });

  it('answers 504 when the back end is slower than the integration timeout', async () => {
    expectError(await get('/backend/slow'), 504, 'Endpoint request timed out', 'InternalServerErrorException');
  });
});

describe('process', () => {
  it('stops cleanly on SIGTERM', async () => {
    const code = await runtime.stop();
    expect(code).toBe(0);
  });
});
