import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type Answer, call } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * API Gateway's own behaviour at the edges of a REST API, black-box over HTTP: path normalisation, the request id a
 * client may choose, the payload and request-size quotas, validation by content type, deep JSON through mapping
 * templates, and IAM wildcards across line breaks.
 */
const runtime = fixtureRuntime('gateway');
let base: string;

beforeAll(() => {
  base = runtime.base;
});

/** A raw request, so the path goes on the wire exactly as written (fetch would normalise it). */
const raw = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
  new Promise<Answer>((resolve, reject) => {
    const target = new URL(runtime.info.restUrl);
    const req = httpRequest(
      { host: target.hostname, port: target.port, path, method: init.method ?? 'GET', headers: init.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const headers = new Headers();
          for (const [name, value] of Object.entries(response.headers))
            if (typeof value === 'string') headers.set(name, value);
          resolve({ status: response.statusCode ?? 0, headers, text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });

const eventOf = (answer: Answer) => answer.json().event as APIGatewayProxyEvent;

const stage = () => new URL(base).pathname.slice(1);

describe('paths', () => {
  it('collapses repeated slashes before and after the stage', async () => {
    for (const path of [`//${stage()}/echo/a`, `/${stage()}//echo//a`, `///${stage()}///echo/a?x=1`]) {
      const answer = await raw(path);
      expect({ path, status: answer.status, resource: eventOf(answer).resource }).toEqual({
        path,
        status: 200,
        resource: '/echo/{id}',
      });
    }
  });
});

describe('x-amzn-RequestId', () => {
  it('keeps a client UUID as the request id, and replaces anything else', async () => {
    const id = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';
    const chosen = await call(`${base}/echo/a`, { headers: { 'x-amzn-RequestId': id } });
    expect(chosen.headers.get('x-amzn-requestid')).toBe(id);
    expect(eventOf(chosen).requestContext.requestId).toBe(id);
    const refused = await call(`${base}/echo/a`, { headers: { 'x-amzn-RequestId': 'not-a-uuid' } });
    expect(refused.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(refused.headers.get('x-amzn-requestid')).not.toBe('not-a-uuid');
  });
});

describe('payload and request-size quotas', () => {
  it('answers a body over 10 MB at the edge, as API Gateway does, with no request id', async () => {
    const answer = await call(`${base}/echo/a`, { method: 'POST', body: 'x'.repeat(10 * 1024 * 1024 + 1) });
    expect(answer.status).toBe(413);
    expect(answer.text).toBe('HTTP content length exceeded 10485760 bytes.');
    expect(answer.headers.get('content-type')).toBe('text; charset=utf-8');
    expect(answer.headers.get('x-amzn-requestid')).toBeNull();
  });

  it('refuses a Lambda event over 6 MB without invoking the function', async () => {
    const before = (await call(`${base}/echo/count`)).json().invocations as number;
    const answer = await call(`${base}/typed`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: 'x'.repeat(7 * 1024 * 1024),
    });
    expect(answer.status).toBe(413);
    expect(answer.json()).toMatchObject({ message: 'Request Too Long' });
    expect(answer.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(await runtime.waitForOutput(/POST \S+\/typed 413 .*synchronous payload limit; .* was not invoked/)).toBe(
      true,
    );
    expect((await call(`${base}/echo/count`)).json().invocations).toBe(before + 1);
  });

  it('refuses a URL over 8,192 characters (edge-optimized API) with 414', async () => {
    const answer = await raw(`/${stage()}/echo/${'a'.repeat(8200)}`);
    expect(answer.status).toBe(414);
    expect(answer.json().message).toBe('Request URI too long');
  });

  it('refuses request line and headers over 10,240 bytes', async () => {
    const answer = await raw(`/${stage()}/echo/a`, { headers: { 'X-Big': 'b'.repeat(11_000) } });
    expect(answer.status).toBe(431);
  });

  it('refuses an authorized method whose ARN would pass 1,600 bytes with 414', async () => {
    const answer = await call(`${base}/secure/${'i'.repeat(1600)}`, { headers: { Authorization: 'Bearer allow-get' } });
    expect(answer.status).toBe(414);
    const short = await call(`${base}/secure/${'i'.repeat(100)}`, { headers: { Authorization: 'Bearer allow-get' } });
    expect(short.status).toBe(200);
  });
});

describe('request validation by content type', () => {
  it('validates a body only against the model of its own content type', async () => {
    const json = await call(`${base}/typed`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"nope":1}',
    });
    expect(json.status).toBe(400);
    const text = await call(`${base}/typed`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hi' });
    expect(text.status).toBe(200);
    expect(eventOf(text).body).toBe('hi');
  });
});

describe('deep JSON through a mapping template', () => {
  it('answers 10,000 levels of nesting without a crash or an unexplained 500, and logs why', async () => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const answer = await call(`${base}/mapped`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: deep,
    });
    expect(answer.status).toBe(400);
    expect(answer.json().message).toBe('Invalid request body');
    expect(await runtime.waitForOutput(/POST \S+\/mapped 400 .*nested too deeply/)).toBe(true);
    const shallow = await call(`${base}/mapped`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"a":{"b":1}}',
    });
    expect(shallow.json()).toEqual({ mapped: true });
  });
});

describe('authorizer policies', () => {
  it('lets a Resource wildcard match encoded line breaks in a path parameter', async () => {
    const answer = await call(`${base}/secure/a%0d%0ab`, { headers: { Authorization: 'Bearer allow-get' } });
    expect(answer.status).toBe(200);
    expect(eventOf(answer).pathParameters).toEqual({ id: 'a\r\nb' });
  });
});

describe('the local index', () => {
  it('answers / and /_local with the stages and pages, and an unknown stage with 403 plus where the stages are', async () => {
    for (const path of ['/', '/_local']) {
      const index = await call(`${runtime.info.restUrl}${path}`);
      expect(index.status).toBe(200);
      expect(index.json()).toMatchObject({ apis: [{ logicalId: 'Api', url: base }], pages: expect.any(Array) });
    }
    const unknown = await call(`${runtime.info.restUrl}/nostage/items`);
    expect(unknown.status).toBe(403);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
    expect(unknown.json()).toMatchObject({ message: 'Forbidden', localRuntime: { apis: [{ url: base }] } });
    const page = await call(`${runtime.info.restUrl}/nostage`, { headers: { Accept: 'text/html' } });
    expect(page.status).toBe(403);
    expect(page.text).toContain(`<a href="${base}">`);
  });

  it('prints a copy-paste export line for the AWS CLI and SDKs', () => {
    expect(runtime.output()).toMatch(
      /export AWS_ENDPOINT_URL_\w+=http:\/\/127\.0\.0\.1:\d+ .*AWS_ACCESS_KEY_ID=\w+ AWS_SECRET_ACCESS_KEY=\S+ AWS_REGION=[\w-]+/,
    );
  });
});
