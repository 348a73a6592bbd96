import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { call, signedHeaders, startRuntime } from '../../src/testing/index.ts';
import { fixtureRuntime, fixtureTemplate } from '../fixture-runtime.ts';
import { rawGet, rawRequest } from '../raw-http.ts';

/**
 * Lambda function URLs, black-box: the runtime runs tests/fixtures/function-urls/template.yaml (SAM FunctionUrlConfig
 * with and without Cors, an AWS::Lambda::Url with AuthType AWS_IAM) as a child process, each URL on a port of its own;
 * every assertion is about what comes back over HTTP.
 */
type Json = Record<string, unknown>;

describe('Lambda function URLs', () => {
  const runtime = fixtureRuntime('function-urls');
  const urlOf = (logicalId: string): string => {
    const url = runtime.info.functionUrls.find((candidate) => candidate.logicalId === logicalId);
    if (!url) throw new Error(`${logicalId} is not served:\n${runtime.output()}`);
    return url.url;
  };

  it('serves each URL on a port of its own, named in the banner and in /_local/runtime', async () => {
    const urls = runtime.info.functionUrls;
    expect(urls.map((url) => [url.logicalId, url.authType])).toEqual([
      ['EchoFunctionUrl', 'NONE'],
      ['ShapesFunctionUrl', 'NONE'],
      ['StreamFunctionUrl', 'NONE'],
      ['PrivateUrl', 'AWS_IAM'],
    ]);
    expect(new Set(urls.map((url) => new URL(url.url).port)).size).toBe(4);
    for (const url of urls) {
      expect(url.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(url.id).toMatch(/^[a-z0-9]{32}$/);
      expect(runtime.output()).toContain(`Function URL ${url.logicalId}  ${url.url}`);
    }
    expect(runtime.output()).not.toMatch(/Not run locally:[\s\S]*AWS::Lambda::Url/);
  });

  it('names at start-up what it does not run: a streaming URL runs buffered, an unknown AuthType is not served', async () => {
    expect(runtime.output()).toContain(
      'function URL StreamFunctionUrl: InvokeMode RESPONSE_STREAM: streaming handlers (awslambda.streamifyResponse) are not run; the URL answers as a BUFFERED one',
    );
    expect(runtime.output()).toContain('function URL OddUrl: AuthType CUSTOM is neither NONE nor AWS_IAM: not served');
    expect(runtime.output()).toContain("function URL PrivateUrl: Qualifier live: the function's latest code answers");
    const streamed = await call(`${urlOf('StreamFunctionUrl')}object`);
    expect([streamed.status, streamed.text]).toEqual([200, '{"message":"hi"}']);
  });

  it('gives the function the whole path, the query, cookies and repeated headers as the 2.0 function URL event', async () => {
    const url = urlOf('EchoFunctionUrl');
    const answer = await rawGet(url, '/any/deep/path?a=1&a=2&b=x%20y', [
      ['Cookie', 'c1=v1; c2=v2'],
      ['X-Multi', 'one'],
      ['X-Multi', 'two'],
      ['User-Agent', 'test/agent'],
    ]);
    expect(answer.status).toBe(200);
    expect(answer.header('x-echo')).toBe('yes');
    expect(answer.header('set-cookie')).toBe('session=abc; Path=/');
    const event = answer.json().event as Json;
    const id = runtime.info.functionUrls.find((candidate) => candidate.logicalId === 'EchoFunctionUrl')?.id;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/any/deep/path',
      rawQueryString: 'a=1&a=2&b=x%20y',
      cookies: ['c1=v1', 'c2=v2'],
      queryStringParameters: { a: '1,2', b: 'x y' },
      isBase64Encoded: false,
    });
    expect(event).not.toHaveProperty('body');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event).not.toHaveProperty('stageVariables');
    const headers = event.headers as Json;
    expect(headers['x-multi']).toBe('one,two');
    expect(headers).not.toHaveProperty('cookie');
    expect(headers['user-agent']).toBe('test/agent');
    const context = event.requestContext as Json;
    expect(context).toMatchObject({
      accountId: 'anonymous',
      apiId: id,
      domainName: `${id}.lambda-url.us-east-1.on.aws`,
      domainPrefix: id,
      http: { method: 'GET', path: '/any/deep/path', protocol: 'HTTP/1.1', userAgent: 'test/agent' },
      routeKey: '$default',
      stage: '$default',
    });
    expect(context).not.toHaveProperty('authorizer');
    expect(context.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(typeof context.timeEpoch).toBe('number');
  });

  it('base64-encodes a binary body and passes a JSON one as text', async () => {
    const url = urlOf('EchoFunctionUrl');
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const binary = await call(`${url}upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    const event = binary.json().event as Json;
    expect(event).toMatchObject({ body: bytes.toString('base64'), isBase64Encoded: true, rawPath: '/upload' });
    expect((event.requestContext as Json).http).toMatchObject({ method: 'POST' });
    const text = await call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(text.json().event).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
  });

  it('answers a result without statusCode as a JSON 200, and a function error as 502', async () => {
    const url = urlOf('ShapesFunctionUrl');
    const shape = async (path: string) => {
      const answer = await call(`${url}${path}`);
      return [answer.status, answer.headers.get('content-type'), answer.text];
    };
    const json = 'application/json';
    expect(await shape('number')).toEqual([200, json, '42']);
    expect(await shape('object')).toEqual([200, json, '{"message":"hi"}']);
    expect(await shape('string')).toEqual([200, json, 'Hello from Lambda!']);
    // A structured answer without a content type is labelled application/json too.
    expect(await shape('nothing')).toEqual([404, json, 'no such shape']);
    const failed: unknown[] = [502, 'text/plain; charset=utf-8', 'Internal Server Error'];
    expect(await shape('throw')).toEqual(failed);
    // Past the function's 1-second timeout.
    expect(await shape('slow')).toEqual(failed);
  });

  it('refuses a body over the 6 MB invocation payload with 413, without invoking the function', async () => {
    const answer = await call(urlOf('EchoFunctionUrl'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(6 * 1024 * 1024 + 1),
    });
    expect([answer.status, answer.headers.get('x-amzn-errortype')]).toEqual([413, 'RequestEntityTooLargeException']);
  });

  it('puts the local URL of `!GetAtt <Fn>Url.FunctionUrl` in another function environment', async () => {
    const answer = await call(urlOf('EchoFunctionUrl'));
    expect(answer.json().shapesUrl).toBe(urlOf('ShapesFunctionUrl'));
  });

  it('refuses an unsigned or badly signed request to an AWS_IAM URL and takes one signed for lambda', async () => {
    const url = urlOf('PrivateUrl');
    const forbidden = {
      Message:
        'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
    };
    const unsigned = await call(`${url}secret`);
    expect([unsigned.status, unsigned.json(), unsigned.headers.get('x-amzn-errortype')]).toEqual([
      403,
      forbidden,
      'AccessDeniedException',
    ]);
    const { credentials, region } = runtime.info;
    const wrong = await signedHeaders(`${url}secret`, { ...credentials, secretAccessKey: 'wrong' }, region, 'GET', '', {
      service: 'lambda',
    });
    const badly = await call(`${url}secret`, { headers: wrong });
    expect([badly.status, badly.json()]).toEqual([403, forbidden]);
    const forApiGateway = await signedHeaders(`${url}secret`, credentials, region);
    expect((await call(`${url}secret`, { headers: forApiGateway })).status).toBe(403);

    const signed = await signedHeaders(`${url}secret`, credentials, region, 'GET', '', { service: 'lambda' });
    const answer = await call(`${url}secret`, { headers: signed });
    expect(answer.status).toBe(200);
    const context = (answer.json().event as Json).requestContext as Json;
    expect(context.accountId).toBe(credentials.accountId);
    expect((context.authorizer as Json).iam).toMatchObject({ accessKey: credentials.accessKeyId });
  });

  it('answers a CORS preflight from the configuration without the function, and adds CORS headers to answers', async () => {
    const url = urlOf('EchoFunctionUrl');
    const preflight = await call(`${url}anything`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-custom',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.text).toBe('');
    expect(Object.fromEntries([...preflight.headers].filter(([name]) => name.startsWith('access-control-')))).toEqual({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'content-type,x-custom',
      'access-control-max-age': '300',
      'access-control-allow-credentials': 'true',
    });
    const other = await call(url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect([other.status, other.headers.get('access-control-allow-origin')]).toEqual([204, null]);

    const answer = await call(url, { headers: { origin: 'https://app.example.com' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(answer.headers.get('access-control-expose-headers')).toBe('x-echo');
    expect(answer.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('answers hostile requests on its port cleanly and keeps serving', async () => {
    const url = urlOf('ShapesFunctionUrl');
    const { host } = new URL(url);
    const badMethod = await rawRequest(url, ['BREW /number HTTP/1.1', `Host: ${host}`]);
    expect(badMethod.status).toBeGreaterThanOrEqual(400);
    expect(badMethod.status).toBeLessThan(500);
    const hugeHeader = await rawRequest(url, ['GET /number HTTP/1.1', `Host: ${host}`, `X-Big: ${'a'.repeat(40_000)}`]);
    expect(hugeHeader.status).toBe(431);
    const garbage = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: Number(new URL(url).port) });
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve(text));
      socket.write('\u0000\u0001garbage\r\n\r\n');
    });
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    // `/_local/...` is the function's too: a function URL has no runtime pages.
    const local = await call(`${url}_local/runtime`);
    expect(local.status).toBe(404);
    const after = await call(`${url}number`);
    expect([after.status, after.text]).toEqual([200, '42']);
  });
});

describe('--function-url-port', () => {
  it('names the flag when the first function URL port is in use, and starts nothing', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      await expect(
        startRuntime(['--template', fixtureTemplate('function-urls'), '--function-url-port', String(port)]),
      ).rejects.toThrow(
        `port ${port} on 127.0.0.1 is in use: stop what holds it or pass --function-url-port <free port>`,
      );
    } finally {
      holder.close();
    }
  });
});
