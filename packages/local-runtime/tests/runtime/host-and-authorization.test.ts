import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type RunningRuntime, startRuntime } from '../../src/testing/index.ts';
import { type RawAnswer, rawGet } from '../raw-http.ts';

/**
 * The Host and Authorization headers of hostile requests, black-box over real sockets: a JWT whose header the
 * authorizer cannot quote, the runtime's pages asked for by another host name (DNS rebinding), two Host headers,
 * two Authorization headers.
 */
const FIXTURE = fileURLToPath(new URL('../fixtures/edge-headers/template.yaml', import.meta.url));

let runtime: RunningRuntime;
let origin: string;

beforeAll(async () => {
  runtime = await startRuntime(['--template', FIXTURE]);
  origin = runtime.info.restUrl;
}, 90_000);
afterAll(() => runtime.stop());

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
