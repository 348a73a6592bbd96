import type { APIGatewayProxyEvent } from 'aws-lambda';
import { proxyHeaders } from '../../src/rest/integrations/proxy-request.ts';
import { runtimeForSuite } from '../../src/testing/index.ts';
import { send } from './client.ts';
import { recorded } from './recordings.ts';
import { sendDataMapping } from './scenarios/lambda-proxy-events.ts';

/**
 * The REST Lambda proxy event as AWS recorded it (test_apigateway_lambda.py, recordings read from
 * ../shared/fixtures): each expected value below is the recorded one.
 */
const runtime = runtimeForSuite(['--template', 'packages/local-runtime/tests/parity/fixture/template.yaml']);
let events: string;
let mapping: string;

beforeAll(() => {
  const urlOf = (logicalId: string) => runtime.info.apis.find((api) => api.logicalId === logicalId)?.url as string;
  events = urlOf('EventsApi');
  mapping = urlOf('MappingApi');
});

const TEST = 'test_lambda_aws_proxy_integration';
const recordedEvent = (key: string, test = TEST) =>
  recorded({ file: 'test_apigateway_lambda', test, key }) as APIGatewayProxyEvent;
const eventAt = async (path: string, headers: Record<string, string> = {}) =>
  (await send(events, 'GET', path, { 'User-Agent': 'python-requests/testing', ...headers }))
    .content as APIGatewayProxyEvent;

const deploymentOf = (event: APIGatewayProxyEvent) => (event.requestContext as { deploymentId?: string }).deploymentId;

const CLOUDFRONT = /^(CloudFront-|Via$|X-Amz-Cf-)/;
const namesOf = (headers: object | null) =>
  Object.keys(headers ?? {})
    .filter((name) => !CLOUDFRONT.test(name))
    .sort();

describe('headers', () => {
  it('holds Authorization and User-Agent in canonical case at an edge-optimized API, other names as sent', async () => {
    const want = recordedEvent(
      'http-proxy-invocation-data-mapping',
      'test_lambda_aws_proxy_integration_request_data_mapping',
    );
    const answer = await sendDataMapping(mapping);
    const got = JSON.parse(answer.text) as APIGatewayProxyEvent;
    const wantContent = (want as unknown as { content: APIGatewayProxyEvent }).content;
    expect(namesOf(got.headers)).toEqual(namesOf(wantContent.headers));
    expect(namesOf(got.multiValueHeaders)).toEqual(namesOf(wantContent.multiValueHeaders));
    expect(got.headers['User-Agent']).toBe(wantContent.headers['User-Agent']);

    const auth = await eventAt('/stage/proxy-value', { authorization: 'random-value' });
    expect(auth.headers.Authorization).toBe(
      recordedEvent('invocation-payload-without-trailing-slash').headers.Authorization,
    );
    expect(auth.multiValueHeaders.Authorization).toEqual(['random-value']);
  });

  it('drops Connection and Content-Length (none of the recorded events holds them)', async () => {
    const answer = await send(events, 'POST', '/stage/proxy-value', { Connection: 'keep-alive' }, '{"a":1}');
    const event = JSON.parse(answer.text) as APIGatewayProxyEvent;
    const names = Object.keys(event.headers).map((name) => name.toLowerCase());
    expect(names).not.toContain('connection');
    expect(names).not.toContain('content-length');
    expect(Object.keys(event.multiValueHeaders).map((name) => name.toLowerCase())).not.toContain('content-length');
  });

  it('keeps every name as sent at a regional API (no CloudFront in front)', () => {
    const request = {
      headers: { authorization: 'x', 'user-Agent': 'y' },
      multiHeaders: { authorization: ['x'], 'user-Agent': ['y'] },
    } as unknown as Parameters<typeof proxyHeaders>[0];
    expect(proxyHeaders(request, 'REGIONAL').single).toEqual({ authorization: 'x', 'user-Agent': 'y' });
    expect(proxyHeaders(request, 'EDGE').single).toEqual({ Authorization: 'x', 'User-Agent': 'y' });
  });
});

describe('requestContext', () => {
  it('has a deploymentId, the same for every request of the stage and in $context.deploymentId', async () => {
    const first = await eventAt('/stage/proxy-value');
    const second = await eventAt('/stage/hardcoded');
    expect(deploymentOf(recordedEvent('invocation-payload-without-trailing-slash'))).toBe('<deployment-id:1>');
    expect(deploymentOf(recordedEvent('invocation-hardcoded'))).toBe('<deployment-id:1>');
    expect(deploymentOf(first)).toMatch(/^[a-z0-9]{6}$/);
    expect(deploymentOf(second)).toBe(deploymentOf(first));
    const context = (await send(events, 'GET', '/stage/deployment-id')).content as { deploymentId: string };
    expect(context.deploymentId).toBe(deploymentOf(first));
  });

  it('has no apiKey, apiKeyId or clientCert in identity when there are none', async () => {
    const got = await eventAt('/stage/proxy-value');
    expect(Object.keys(got.requestContext.identity).sort()).toEqual(
      Object.keys(recordedEvent('invocation-payload-without-trailing-slash').requestContext.identity).sort(),
    );
  });
});

describe('paths', () => {
  it.each([
    ['invocation-payload-with-double-slash', '/stage/proxy-value//double-slash'],
    ['invocation-payload-with-prepended-slash', '/stage//proxy-value'],
    ['invocation-payload-with-prepended-slash-to-stage', '//stage/proxy-value'],
    ['invocation-payload-with-trailing-slash', '/stage/proxy-value/'],
    ['invocation-hardcoded', '/stage//hardcoded'],
  ])('keeps repeated slashes after the stage as recorded in %s', async (key, path) => {
    const want = recordedEvent(key);
    const got = await eventAt(path);
    expect({ path: got.path, pathParameters: got.pathParameters, contextPath: got.requestContext.path }).toEqual({
      path: want.path,
      pathParameters: want.pathParameters,
      contextPath: want.requestContext.path,
    });
  });

  it('passes a greedy path parameter percent-encoded as sent', async () => {
    const want = recordedEvent('invocation-payload-with-path-encoded-email');
    const got = await eventAt('/stage/proxy-value/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com');
    expect(got.pathParameters).toEqual(want.pathParameters);
    expect(got.path).toBe(want.path);
  });
});
