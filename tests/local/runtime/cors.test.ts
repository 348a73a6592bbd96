import { type Answer, call, type RunningRuntime, startRuntime } from 'sam-local-runtime/testing';

/**
 * CORS per stage through the local runtime, from template.yaml itself: the stage's one AllowedOrigin (StageConfig)
 * reaches the preflight MOCKs and the gateway responses as the stage variable allowedOrigin and the functions as
 * ALLOWED_ORIGIN. dev keeps `*`; the test stage names its own origin, and then never `*`.
 */
let dev: RunningRuntime;
let test: RunningRuntime;

beforeAll(async () => {
  [dev, test] = await Promise.all([startRuntime([]), startRuntime(['--config-env', 'test'])]);
}, 120_000);

afterAll(async () => {
  await Promise.all([dev?.stop(), test?.stop()]);
});

const ORIGIN = 'https://test.orders.example.com';
const preflight = (runtime: RunningRuntime, path: string) =>
  call(`${runtime.base}${path}`, {
    method: 'OPTIONS',
    headers: {
      Origin: ORIGIN,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization,content-type,x-api-key',
    },
  });
const originOf = (answer: Answer) => answer.headers.get('access-control-allow-origin');

describe.each([
  ['dev', () => dev, '*'],
  ['test', () => test, ORIGIN],
])('the %s stage', (_stage, runtime, origin) => {
  it('answers the preflight of every kind of route with no key and no token (MOCK)', async () => {
    for (const path of ['/health', '/v1/catalog', '/v1/orders', '/v2/orders/ord_abc', '/v1/legacy/a/b', '/v1/me']) {
      const answer = await preflight(runtime(), path);
      expect({ path, status: answer.status, origin: originOf(answer) }).toEqual({ path, status: 200, origin });
      expect(answer.headers.get('access-control-allow-methods')).toBe('GET,POST,OPTIONS');
      expect(answer.headers.get('access-control-allow-headers')).toBe(
        'Content-Type,Authorization,X-Api-Key,Idempotency-Key',
      );
    }
  });

  it("puts the origin on the gateway's own errors (gateway responses)", async () => {
    const answer = await call(`${runtime().base}/v1/catalog`, { headers: { Origin: ORIGIN } });
    expect({ status: answer.status, origin: originOf(answer) }).toEqual({ status: 403, origin });
    const unauthorized = await call(`${runtime().base}/v2/orders/ord_abc`, { headers: { Origin: ORIGIN } });
    expect({ status: unauthorized.status, origin: originOf(unauthorized) }).toEqual({ status: 401, origin });
  });

  it("puts the origin on a MOCK's answer and on a function's answer", async () => {
    const health = await call(`${runtime().base}/health`, { headers: { Origin: ORIGIN } });
    expect({ status: health.status, origin: originOf(health) }).toEqual({ status: 200, origin });
    const catalog = await call(`${runtime().base}/v1/catalog`, {
      headers: { Origin: ORIGIN, 'x-api-key': runtime().keyOf('BasicApiKey') },
    });
    expect({ status: catalog.status, origin: originOf(catalog) }).toEqual({ status: 200, origin });
  });
});
