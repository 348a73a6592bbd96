import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { type RunningRuntime, startRuntime } from '../../src/testing/index.ts';

/**
 * SigV4 as AWS checks it (issue 22, item 4), black-box over real sockets on an AWS_IAM route.
 */
const fixture = fileURLToPath(new URL('../fixtures/sigv4/template.yaml', import.meta.url));
// The fixture has no samconfig.toml: the stack is in the default region.
const REGION = 'us-east-1';
type Key = { accessKeyId: string; secretAccessKey: string };

let runtime: RunningRuntime;
let local: Key;
let whoami: string;

beforeAll(async () => {
  runtime = await startRuntime(['--template', fixture]);
  local = {
    accessKeyId: runtime.info.credentials.accessKeyId,
    secretAccessKey: runtime.info.credentials.secretAccessKey,
  };
  whoami = `${runtime.base}/whoami`;
}, 90_000);
afterAll(async () => {
  await runtime?.stop();
});

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: () => Record<string, unknown>;
}

/** A request with exactly these header lines (repeats and a foreign Host included), over node:http. */
const send = (url: string, init: { method?: string; headers?: [string, string][]; body?: string } = {}) =>
  new Promise<Reply>((resolve, reject) => {
    const target = new URL(url);
    const lines = init.headers ?? [];
    const withHost = lines.some(([name]) => name.toLowerCase() === 'host') ? lines : [['Host', target.host], ...lines];
    const request = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: init.method ?? 'GET',
        path: `${target.pathname}${target.search}`,
        headers: withHost.flat(),
        setHost: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text,
            json: () => JSON.parse(text) as Record<string, unknown>,
          });
        });
      },
    );
    request.on('error', reject);
    request.end(init.body);
  });

const signerFor = (key: Key, service: string) =>
  new SignatureV4({ credentials: key, region: REGION, service, sha256: Hash.bind(null, 'sha256') });

/** The headers an SDK client would send: `headers` (host among them unless left out) signed, plus the signature. */
const sign = async (
  url: string,
  options: { key?: Key; service?: string; method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Record<string, string>> => {
  const target = new URL(url);
  const signed = await signerFor(options.key ?? local, options.service ?? 'execute-api').sign({
    method: options.method ?? 'GET',
    protocol: 'http:',
    hostname: target.hostname,
    port: Number(target.port),
    path: target.pathname,
    query: Object.fromEntries(target.searchParams),
    headers: options.headers ?? { host: target.host },
    body: options.body ?? '',
  });
  return signed.headers as Record<string, string>;
};
const linesOf = (headers: Record<string, string>): [string, string][] => Object.entries(headers);

/** A presigned URL for `url`, as an SDK's presigner makes it. */
const presign = async (url: string, expiresIn: number, signingDate = new Date()) => {
  const target = new URL(url);
  const signed = await signerFor(local, 'execute-api').presign(
    {
      method: 'GET',
      protocol: 'http:',
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      query: {},
      headers: { host: target.host },
    },
    { expiresIn, signingDate },
  );
  return `${target.origin}${target.pathname}?${new URLSearchParams(signed.query as Record<string, string>)}`;
};

describe('SigV4 on an AWS_IAM route, checked as AWS checks it (item 4)', () => {
  it('serves a request signed with the local credentials, in the header or presigned', async () => {
    expect((await send(whoami, { headers: linesOf(await sign(whoami)) })).status).toBe(200);
    expect((await send(await presign(whoami, 60))).status).toBe(200);
  });

  it('refuses a signature that does not sign host, whatever Host is sent', async () => {
    const target = new URL(whoami);
    const unsigned = await sign(whoami, { headers: { 'x-purpose': 'no host' } });
    expect(unsigned.authorization).not.toMatch(/SignedHeaders=[^,]*host/);
    for (const host of [target.host, 'evil.example']) {
      const answer = await send(whoami, { headers: [['Host', host], ...linesOf(unsigned)] });
      expect({ status: answer.status, body: answer.json(), type: answer.headers['x-amzn-errortype'] }).toEqual({
        status: 403,
        body: { message: "'Host' must be a 'SignedHeader' in the AWS Authorization." },
        type: 'InvalidSignatureException',
      });
    }
  });

  it('refuses a presigned URL whose X-Amz-Expires is not 1 to 604800 seconds, and lets one expire', async () => {
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    for (const expires of [Number.NaN, 0]) {
      const answer = await send(await presign(whoami, expires, twoDaysAgo));
      expect(answer.status).toBe(403);
      expect(answer.json().message).toMatch(/X-Amz-Expires|Signature expired/);
    }
    const nan = await send(await presign(whoami, Number.NaN));
    expect({ status: nan.status, type: nan.headers['x-amzn-errortype'] }).toEqual({
      status: 403,
      type: 'IncompleteSignatureException',
    });
    expect((await send(await presign(whoami, 86_400, twoDaysAgo))).json().message).toMatch(/^Signature expired/);
    expect((await send(await presign(whoami, 604_800, twoDaysAgo))).status).toBe(200);
  });

  it('joins a repeated header as SigV4 does: sent twice, a signed header no longer matches its signature', async () => {
    const target = new URL(whoami);
    const once = await sign(whoami, { headers: { host: target.host, 'x-tenant': 'a' } });
    expect((await send(whoami, { headers: linesOf(once) })).status).toBe(200);
    const twice = await send(whoami, { headers: [...linesOf(once), ['X-Tenant', 'a']] });
    expect({ status: twice.status, type: twice.headers['x-amzn-errortype'] }).toEqual({
      status: 403,
      type: 'InvalidSignatureException',
    });
    // A client that signed the two values joined, as AWS joins them, is served.
    const joined = await sign(whoami, { headers: { host: target.host, 'x-tenant': 'a,b' } });
    const lines = linesOf(joined).filter(([name]) => name !== 'x-tenant');
    expect((await send(whoami, { headers: [...lines, ['X-Tenant', 'a'], ['X-Tenant', ' b ']] })).status).toBe(200);
  });

  it('takes one signature: two Signature= values, two Authorization headers or two X-Amz-Signature are refused', async () => {
    const good = await sign(whoami);
    const { authorization = '', ...rest } = good;
    const bogus = 'f'.repeat(64);
    const doubled = authorization.replace(/Signature=([0-9a-f]+)/, `Signature=${bogus}, Signature=$1`);
    const twoSignatures = await send(whoami, { headers: [...linesOf(rest), ['Authorization', doubled]] });
    expect({ status: twoSignatures.status, type: twoSignatures.headers['x-amzn-errortype'] }).toEqual({
      status: 403,
      type: 'IncompleteSignatureException',
    });
    const junk = authorization.replace(/Signature=[0-9a-f]+/, `Signature=${bogus}`);
    const twoHeaders = await send(whoami, {
      headers: [...linesOf(rest), ['Authorization', junk], ['Authorization', authorization]],
    });
    expect(twoHeaders.status).toBe(403);
    const twoQuery = await send(`${await presign(whoami, 60)}&X-Amz-Signature=${bogus}`);
    expect({ status: twoQuery.status, type: twoQuery.headers['x-amzn-errortype'] }).toEqual({
      status: 403,
      type: 'IncompleteSignatureException',
    });
  });
});
