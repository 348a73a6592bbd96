import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { openSocket } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * SigV4 at every front door that checks it (issue 22, items 4, 5 and 9), black-box over real sockets: an AWS_IAM
 * route, the @connections API and the four local AWS endpoints, each refusing what AWS refuses, in AWS's own words.
 */
// The fixture has no samconfig.toml: the stack is in the default region.
const REGION = 'us-east-1';
type Key = { accessKeyId: string; secretAccessKey: string };

const runtime = fixtureRuntime('sigv4');
let local: Key;
let whoami: string;

beforeAll(() => {
  local = {
    accessKeyId: runtime.info.credentials.accessKeyId,
    secretAccessKey: runtime.info.credentials.secretAccessKey,
  };
  whoami = `${runtime.base}/whoami`;
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
const json = (target: string, version: '1.0' | '1.1') => ({
  'X-Amz-Target': target,
  'Content-Type': `application/x-amz-json-${version}`,
});

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

describe('the @connections API needs IAM (item 5)', () => {
  const connectionsUrl = (id: string) => `${runtime.info.wsUrl}/live/@connections/${id}`;
  const connect = async () => {
    const before = runtime.output().match(/^WS \$connect 200 \S+$/gm)?.length ?? 0;
    const socket = await openSocket(`${runtime.info.webSockets[0]?.url}`);
    await runtime.waitForOutput(new RegExp(`(?:^WS \\$connect 200 \\S+$[\\s\\S]*){${before + 1}}`, 'm'));
    const id =
      runtime
        .output()
        .match(/^WS \$connect 200 (\S+)$/gm)
        ?.[before]?.split(' ')
        .at(-1) ?? '';
    return { socket, id };
  };

  it('answers unsigned GET, POST and DELETE with 403 Missing Authentication Token, touching nothing', async () => {
    const { socket, id } = await connect();
    for (const method of ['GET', 'POST', 'DELETE']) {
      const answer = await send(connectionsUrl(id), { method, body: method === 'POST' ? '{"x":1}' : '' });
      expect({ status: answer.status, body: answer.json(), type: answer.headers['x-amzn-errortype'] }).toEqual({
        status: 403,
        body: { message: 'Missing Authentication Token' },
        type: 'MissingAuthenticationTokenException',
      });
    }
    expect(socket.messages).toEqual([]);
    expect(socket.socket.readyState).toBe(socket.socket.OPEN);
    // The local credentials' signature, as the functions' SDK clients send it, is served.
    const url = connectionsUrl(id);
    const signed = await send(url, { headers: linesOf(await sign(url)) });
    expect(signed.status).toBe(200);
    expect(signed.json()).toHaveProperty('connectedAt');
    socket.socket.close();
  });

  it('refuses another key and a wrong secret with the signature error', async () => {
    const url = connectionsUrl('abc=');
    const other = await send(url, {
      headers: linesOf(await sign(url, { key: { accessKeyId: 'AKIAOTHERKEY00000000', secretAccessKey: 'x' } })),
    });
    expect({ status: other.status, body: other.json(), type: other.headers['x-amzn-errortype'] }).toEqual({
      status: 403,
      body: { message: 'The security token included in the request is invalid.' },
      type: 'UnrecognizedClientException',
    });
    const wrong = await send(url, {
      headers: linesOf(await sign(url, { key: { ...local, secretAccessKey: 'nope' } })),
    });
    expect({ status: wrong.status, type: wrong.headers['x-amzn-errortype'] }).toEqual({
      status: 403,
      type: 'InvalidSignatureException',
    });
    expect(wrong.json().message).toMatch(/^The request signature we calculated does not match/);
  });

  it('answers a malformed percent-encoding in the id with 400, signed or not, never 500', async () => {
    const url = connectionsUrl('%ZZ');
    const signed = await send(url, { headers: linesOf(await sign(url)) });
    expect({ status: signed.status, body: signed.json(), type: signed.headers['x-amzn-errortype'] }).toEqual({
      status: 400,
      body: { message: 'Invalid connectionId: %ZZ' },
      type: 'BadRequestException',
    });
    expect((await send(url)).status).toBe(403);
  });
});

describe('the local AWS endpoints take the local credentials only (item 9)', () => {
  const other = { accessKeyId: 'AKIAOTHERKEY00000000', secretAccessKey: 'other-secret' };
  const garbage = 'AWS4-HMAC-SHA256 Credential=garbage';
  const endpoints = () => [
    {
      name: 'ssm',
      headers: json('AmazonSSM.GetParameter', '1.1'),
      body: '{"Name":"/sigv4/greeting"}',
      type: (name: string) => name,
    },
    {
      name: 'stepfunctions',
      headers: json('AWSStepFunctions.ListStateMachines', '1.0'),
      body: '{}',
      type: (name: string) => name,
    },
    {
      name: 'dynamodb',
      headers: json('DynamoDB_20120810.ListTables', '1.0'),
      body: '{}',
      type: (name: string) => `com.amazon.coral.service#${name}`,
    },
  ];

  it('answers a request with no signature or a malformed one in each service JSON protocol', async () => {
    for (const endpoint of endpoints()) {
      const url = runtime.serviceUrl(endpoint.name);
      const unsigned = await send(url, { method: 'POST', headers: linesOf(endpoint.headers), body: endpoint.body });
      expect({ name: endpoint.name, status: unsigned.status, type: unsigned.json().__type }).toEqual({
        name: endpoint.name,
        status: 400,
        type: endpoint.type('MissingAuthenticationTokenException'),
      });
      const malformed = await send(url, {
        method: 'POST',
        headers: [...linesOf(endpoint.headers), ['Authorization', garbage]],
        body: endpoint.body,
      });
      expect({ name: endpoint.name, status: malformed.status, type: malformed.json().__type }).toEqual({
        name: endpoint.name,
        status: 400,
        type: endpoint.type('IncompleteSignatureException'),
      });
    }
  });

  it('refuses another key and a wrong secret as AWS does, which the SDK clients report by name', async () => {
    const config = (name: string, key: Key) => ({
      endpoint: runtime.serviceUrl(name),
      region: REGION,
      credentials: key,
    });
    const failures = async (key: Key) => {
      const names: Record<string, unknown> = {};
      const attempt = (promise: Promise<unknown>) =>
        promise.then(
          () => 'served',
          (error: { name?: string; $metadata?: { httpStatusCode?: number } }) =>
            `${error.name} ${error.$metadata?.httpStatusCode}`,
        );
      const ssm = new SSMClient(config('ssm', key));
      const sfn = new SFNClient(config('stepfunctions', key));
      const dynamodb = new DynamoDBClient(config('dynamodb', key));
      const sqs = new SQSClient(config('sqs', key));
      names.ssm = await attempt(ssm.send(new GetParameterCommand({ Name: '/sigv4/greeting' })));
      names.sfn = await attempt(sfn.send(new ListStateMachinesCommand({})));
      names.dynamodb = await attempt(dynamodb.send(new ListTablesCommand({})));
      names.sqs = await attempt(sqs.send(new ListQueuesCommand({})));
      for (const client of [ssm, sfn, dynamodb, sqs]) client.destroy();
      return names;
    };
    expect(await failures(local)).toEqual({ ssm: 'served', sfn: 'served', dynamodb: 'served', sqs: 'served' });
    expect(await failures(other)).toEqual({
      ssm: 'UnrecognizedClientException 400',
      sfn: 'UnrecognizedClientException 400',
      dynamodb: 'UnrecognizedClientException 400',
      sqs: 'InvalidClientTokenId 403',
    });
    expect(await failures({ ...local, secretAccessKey: 'wrong' })).toEqual({
      ssm: 'InvalidSignatureException 400',
      sfn: 'InvalidSignatureException 400',
      dynamodb: 'InvalidSignatureException 400',
      sqs: 'SignatureDoesNotMatch 403',
    });
  });

  it("answers SQS in both its protocols: JSON with x-amzn-query-error, the query protocol's ErrorResponse", async () => {
    const url = runtime.serviceUrl('sqs');
    const unsigned = await send(url, {
      method: 'POST',
      headers: linesOf(json('AmazonSQS.ListQueues', '1.0')),
      body: '{}',
    });
    expect({
      status: unsigned.status,
      type: unsigned.json().__type,
      query: unsigned.headers['x-amzn-query-error'],
    }).toEqual({
      status: 403,
      type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
      query: 'MissingAuthenticationToken;Sender',
    });
    const form = [['Content-Type', 'application/x-www-form-urlencoded']] as [string, string][];
    const query = await send(url, { method: 'POST', headers: form, body: 'Action=ListQueues' });
    expect(query.status).toBe(403);
    expect(query.text).toMatch(
      /<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code><Message>Request is missing Authentication Token<\/Message>/,
    );
    const signedBy = async (key: Key) =>
      send(url, {
        method: 'POST',
        headers: linesOf(
          await sign(url, {
            key,
            service: 'sqs',
            method: 'POST',
            headers: { host: new URL(url).host, 'content-type': 'application/x-www-form-urlencoded' },
            body: 'Action=ListQueues',
          }),
        ),
        body: 'Action=ListQueues',
      });
    expect((await signedBy(local)).status).toBe(200);
    const refused = await signedBy(other);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('<Code>InvalidClientTokenId</Code>');
  });

  it('names the rule at start-up', () => {
    expect(runtime.output()).toMatch(/Signatures: requests here and to @connections must be signed \(SigV4\)/);
  });
});

describe('--accept-any-signature', () => {
  const relaxed = fixtureRuntime('sigv4', ['--accept-any-signature']);

  it('takes any well-formed signature at the endpoints and @connections, still no unsigned request', async () => {
    const other = { accessKeyId: 'AKIAANYTOOL000000000', secretAccessKey: 'any' };
    const ssm = new SSMClient({ endpoint: relaxed.serviceUrl('ssm'), region: 'eu-central-1', credentials: other });
    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: '/sigv4/greeting' }));
    ssm.destroy();
    expect(Parameter?.Value).toBe('hello');
    const url = `${relaxed.info.wsUrl}/live/@connections/abc=`;
    expect((await send(url, { headers: linesOf(await sign(url, { key: other })) })).status).toBe(410);
    expect((await send(url)).status).toBe(403);
    const unsigned = await send(relaxed.serviceUrl('ssm'), {
      method: 'POST',
      headers: linesOf(json('AmazonSSM.GetParameter', '1.1')),
      body: '{"Name":"/sigv4/greeting"}',
    });
    expect(unsigned.json().__type).toBe('MissingAuthenticationTokenException');
    expect(relaxed.output()).toMatch(/Signatures: any well-formed SigV4 signature is accepted/);
  });
});
