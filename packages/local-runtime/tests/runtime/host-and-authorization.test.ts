import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { isLocalHost } from '../../src/runtime/host-header.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';
import { type RawAnswer, rawGet, rawRequest } from '../raw-http.ts';

/**
 * The Host and Authorization headers of hostile requests, black-box over real sockets: a JWT whose header the
 * authorizer cannot quote, the runtime's pages asked for by another host name (DNS rebinding), two Host headers,
 * two Authorization headers.
 */
const ROUTES = fileURLToPath(new URL('../fixtures/edge-headers/routes.mjs', import.meta.url));

const runtime = fixtureRuntime('edge-headers', ['--routes', ROUTES]);
let origin: string;
let port: string;

beforeAll(() => {
  origin = runtime.info.restUrl;
  port = new URL(origin).port;
});

const outcome = (answer: RawAnswer) => ({ status: answer.status, text: answer.text.slice(0, 300) });
const httpApi = () => new URL(runtime.info.apis.find((api) => api.kind === 'HTTP')?.url ?? '').pathname;
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('a JWT the HTTP API authorizer refuses', () => {
  /** A token whose protected header lists `name` as critical: refused before its signature is looked at. */
  const critical = (name: string) =>
    `${base64url({ alg: 'RS256', typ: 'JWT', crit: [name], [name]: 1 })}.${base64url({ sub: 'mallory' })}.c2ln`;

  it.each([
    ['a non-ASCII name', 'é'],
    ['CR LF in the name', 'a\r\nb'],
  ])('is a clean 401 when its crit holds %s, the header never quoting the token', async (_what, name) => {
    const answer = await rawGet(origin, `${httpApi()}/me`, [['Authorization', `Bearer ${critical(name)}`]]);
    expect(outcome(answer)).toEqual({ status: 401, text: '{"message":"Unauthorized"}' });
    expect(answer.header('www-authenticate')).toBe(
      'Bearer scope="" error="invalid_token" error_description="the token is malformed"',
    );
  });

  it('takes a token of the local issuer', async () => {
    const token = await runtime.token({ sub: 'alice', aud: 'edge-client' });
    const answer = await rawGet(origin, `${httpApi()}/me`, [['Authorization', `Bearer ${token}`]]);
    expect(outcome(answer)).toMatchObject({ status: 200 });
  });
});

describe('a header value taken from the request', () => {
  it('is left out of the answer when it holds CR LF, and the log says so, instead of failing the answer', async () => {
    const answer = await rawGet(origin, '/edge/reflect?q=a%0D%0AX-Injected:%201');
    expect(outcome(answer)).toEqual({ status: 200, text: '{"reflected": true}' });
    expect([answer.header('x-reflected'), answer.header('x-injected')]).toEqual([undefined, undefined]);
    expect(await runtime.waitForOutput(/headers left out[^\n]*X-Reflected/)).toBe(true);
  });

  it('goes out as its UTF-8 bytes when it holds text beyond Latin-1', async () => {
    const answer = await rawGet(origin, `/edge/reflect?q=${encodeURIComponent('5 €')}`);
    expect(outcome(answer)).toMatchObject({ status: 200 });
    expect(Buffer.from(answer.header('x-reflected') ?? '', 'latin1').toString('utf8')).toBe('5 €');
  });
});

describe("the runtime's pages asked for by another host name", () => {
  /** `:PORT` stands for the runtime's port (known once it runs). */
  const withPort = (host: string) => host.replace(':PORT', `:${port}`);
  const FOREIGN = ['evil.example', 'evil.example:PORT', '127.0.0.1.nip.io:PORT', 'localhost.evil.example'];

  it.each(['/_local/runtime', '/_local/docs', '/_local/queues', '/_local/issuer/.well-known/jwks.json'])(
    'refuses %s with 403 and says why',
    async (path) => {
      for (const host of FOREIGN.map(withPort)) {
        const answer = await rawGet(origin, path, [], host);
        expect([host, answer.status]).toEqual([host, 403]);
        expect(answer.json().message).toContain('localhost');
        expect(answer.text).not.toContain(runtime.info.credentials.secretAccessKey);
      }
    },
  );

  it('mints no token for another host name', async () => {
    const answer = await rawRequest(
      origin,
      ['POST /_local/issuer/token HTTP/1.1', 'Host: evil.example', 'Content-Type: application/json'],
      '{"sub":"mallory"}',
    );
    expect(answer.status).toBe(403);
    expect(answer.text).not.toContain('token"');
  });

  it("answers the index only to this machine, execute-api's 403 to others", async () => {
    const foreign = await rawGet(origin, '/', [], 'evil.example');
    expect(outcome(foreign)).toEqual({ status: 403, text: '{"message":"Forbidden"}' });
    const local = await rawGet(origin, '/', [], withPort('localhost:PORT'));
    expect(local.status).toBe(200);
    expect(local.text).toContain('_local/runtime');
  });

  it.each(['127.0.0.1:PORT', 'localhost:PORT', '[::1]:PORT', 'localhost', 'api.localhost:PORT'])(
    'answers a Host of %s',
    async (pattern) => {
      const host = withPort(pattern);
      const info = await rawGet(origin, '/_local/runtime', [], host);
      expect(info.status).toBe(200);
      expect(info.json().credentials).toEqual(runtime.info.credentials);
      expect(info.header('access-control-allow-origin')).toBeUndefined();
      const docs = await rawGet(origin, '/_local/docs', [], host);
      expect([docs.status, docs.text]).toEqual([
        200,
        expect.stringContaining(runtime.info.credentials.secretAccessKey),
      ]);
    },
  );

  it('serves the APIs whatever the Host, as execute-api does', async () => {
    const answer = await rawGet(origin, '/edge/echo', [], 'evil.example');
    expect(outcome(answer)).toMatchObject({ status: 200 });
  });

  it('takes the host names of this machine and the --host it listens on', () => {
    expect(isLocalHost('dev-box.lan:3000', 'dev-box.lan')).toBe(true);
    expect(isLocalHost('DEV-BOX.LAN.', 'dev-box.lan')).toBe(true);
    expect(isLocalHost('192.168.1.20:3000', '0.0.0.0')).toBe(true);
    expect(isLocalHost('[fe80::1]:3000', '::')).toBe(true);
    expect(isLocalHost('other-box.lan:3000', 'dev-box.lan')).toBe(false);
    expect(isLocalHost('localhost.evil.example', '127.0.0.1')).toBe(false);
  });
});

describe('two Host headers', () => {
  const twice = (url: string, path: string, extra: string[] = []) => {
    const { host } = new URL(url);
    return rawRequest(url, [`GET ${path} HTTP/1.1`, `Host: ${host}`, 'Host: evil.example', ...extra]);
  };

  it('are a 400 on the API port: APIs and pages alike', async () => {
    for (const path of ['/edge/echo', `${httpApi()}/me`, '/_local/runtime']) {
      const answer = await twice(origin, path);
      expect([path, answer.status, answer.json().message]).toEqual([path, 400, expect.stringContaining('Host')]);
    }
  });

  it('are a 400 on the WebSocket port, handshake or not', async () => {
    const ws = runtime.info.wsUrl;
    const upgrade = [
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ];
    expect((await twice(ws, '/any', upgrade)).status).toBe(400);
    expect((await twice(ws, '/any/@connections/abc')).status).toBe(400);
  });

  it('are a 400 on every local AWS endpoint', async () => {
    for (const service of runtime.info.services) {
      const answer = await twice(service.url, '/');
      expect([service.name, answer.status]).toEqual([service.name, 400]);
    }
  });

  it('one Host is served', async () => {
    expect((await rawGet(origin, '/edge/echo')).status).toBe(200);
  });
});

describe('repeated headers', () => {
  it('are listed in multiValueHeaders on a REST API, the last one in headers (two Authorization headers too)', async () => {
    const answer = await rawGet(origin, '/edge/echo', [
      ['X-Trace', 'a'],
      ['X-Trace', 'b'],
      ['Authorization', 'first'],
      ['Authorization', 'second'],
    ]);
    expect(outcome(answer)).toMatchObject({ status: 200 });
    const event = answer.json().event as {
      headers: Record<string, string>;
      multiValueHeaders: Record<string, string[]>;
    };
    expect(event.multiValueHeaders['X-Trace']).toEqual(['a', 'b']);
    expect(event.headers['X-Trace']).toBe('b');
    expect(event.multiValueHeaders.Authorization).toEqual(['first', 'second']);
    expect(event.headers.Authorization).toBe('second');
  });

  it('are one value joined with a comma on an HTTP API: two Authorization headers are refused, whatever each holds', async () => {
    const token = await runtime.token({ sub: 'alice', aud: 'edge-client' });
    const answer = await rawGet(origin, `${httpApi()}/me`, [
      ['Authorization', 'Bearer not-a-token'],
      ['Authorization', `Bearer ${token}`],
    ]);
    expect(outcome(answer)).toEqual({ status: 401, text: '{"message":"Unauthorized"}' });
    expect(answer.header('www-authenticate')).toContain('error="invalid_token"');
  });
});
