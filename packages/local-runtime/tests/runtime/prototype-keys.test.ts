import { beforeAll, describe, expect, it } from '@jest/globals';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import WebSocket from 'ws';
import { fixtureRuntime } from '../fixture-runtime.ts';
import { PROTOTYPE_NAMES } from '../hostile/hostile-input.ts';
import { type RawAnswer, rawRequest } from '../raw-http.ts';

/**
 * Names a client chooses (header and query parameter names, path segments, JSON keys, WebSocket route keys, SQS
 * actions and attribute names) that are also names of Object.prototype members: each is an ordinary name, as on
 * AWS, on every port the runtime opens. No 5xx, no hang-up, and the function sees `headers.constructor === '...'`.
 */

// The names of Object.prototype's members a client may choose (those the fuzz test throws too).
const NAMES = PROTOTYPE_NAMES.filter((name) => name !== 'then' && name !== 'length' && name !== '__defineSetter__');

type Json = Record<string, unknown>;

/** `record[name]` only when it is the record's own: a JSON-parsed `__proto__` key is own, an inherited member is not. */
const own = (record: unknown, name: string): unknown =>
  record !== null && typeof record === 'object' && Object.hasOwn(record, name)
    ? (record as Record<string, unknown>)[name]
    : undefined;

const QUERY = NAMES.map((name) => `${encodeURIComponent(name)}=q-${encodeURIComponent(name)}`).join('&');
const HEADER_LINES = NAMES.map((name) => `${name}: h-${name}`);

const runtime = fixtureRuntime('prototype-keys');
let origin: string;
const region = 'us-east-1';

beforeAll(() => {
  origin = runtime.info.restUrl;
});

const get = (path: string, headers: string[] = [], method = 'GET', body = '') =>
  rawRequest(origin, [`${method} ${path} HTTP/1.1`, `Host: ${new URL(origin).host}`, ...headers], body);

/** The status and the part of the answer a failed expectation should show. */
const outcome = (answer: RawAnswer) => ({ status: answer.status, text: answer.text.slice(0, 300) });

const eventOf = (answer: RawAnswer) => {
  expect(outcome(answer)).toMatchObject({ status: 200 });
  return answer.json().event as Json;
};

describe('REST API', () => {
  it('gives a Lambda proxy function every header and query parameter, whatever its name', async () => {
    for (const name of NAMES) {
      const event = eventOf(await get(`/proto/echo/${encodeURIComponent(name)}?${QUERY}`, HEADER_LINES));
      expect(own(event.pathParameters, 'name')).toBe(name);
      for (const key of NAMES) {
        expect([key, own(event.headers, key)]).toEqual([key, `h-${key}`]);
        expect([key, own(event.multiValueHeaders, key)]).toEqual([key, [`h-${key}`]]);
        expect([key, own(event.queryStringParameters, key)]).toEqual([key, `q-${key}`]);
        expect([key, own(event.multiValueQueryStringParameters, key)]).toEqual([key, [`q-${key}`]]);
      }
    }
  }, 30_000);

  it('lists repeated headers and query parameters of those names in order, the last one in headers', async () => {
    const event = eventOf(
      await get('/proto/echo/x?__proto__=1&__proto__=2&constructor=3', [
        'constructor: a',
        'constructor: b',
        '__proto__: c',
      ]),
    );
    expect(own(event.multiValueHeaders, 'constructor')).toEqual(['a', 'b']);
    expect(own(event.headers, 'constructor')).toBe('b');
    expect(own(event.multiValueQueryStringParameters, '__proto__')).toEqual(['1', '2']);
    expect(own(event.queryStringParameters, '__proto__')).toBe('2');
    expect(own(event.headers, 'toString')).toBeUndefined();
  });

  it("passes a function's answer headers of those names on to the client", async () => {
    const answer = await get('/proto/echo/x?answer=prototype-names');
    expect(outcome(answer)).toMatchObject({ status: 200 });
    expect([answer.header('constructor'), answer.header('__proto__'), answer.header('toString')]).toEqual([
      'c',
      'p',
      't',
    ]);
  });

  it('maps those names in request templates of a non-proxy Lambda integration', async () => {
    const body = '{"constructor":"b","__proto__":{"x":1},"toString":"s"}';
    const answer = await get(
      '/proto/custom/constructor?__proto__=q&toString=r',
      ['constructor: h', 'Content-Type: application/json'],
      'POST',
      body,
    );
    expect(outcome(answer)).toMatchObject({ status: 200 });
    const event = answer.json().event as Json;
    expect(event).toMatchObject({ header: 'h', query: 'q', path: 'constructor', bodyValue: 'b', missing: '' });
    expect(JSON.stringify(event.body)).toBe(body);
    expect(String(event.queryNames).trim().split(' ').sort()).toEqual(['__proto__', 'toString']);
  });

  it('maps those names in the response of a MOCK integration, and leaves out what was not sent', async () => {
    const answer = await get('/proto/mock/__proto__?hasOwnProperty=q&valueOf=v', ['toString: h']);
    expect(outcome(answer)).toMatchObject({ status: 200 });
    expect(answer.json()).toEqual({ header: 'h', query: 'q', path: '__proto__', unsent: '' });
    expect(answer.header('x-query')).toBe('v');
    const bare = await get('/proto/mock/x');
    expect(outcome(bare)).toMatchObject({ status: 200 });
    expect(bare.header('x-query')).toBeUndefined();
  });

  it("lets a function's HTTPS request go to a host of those names (the local hosts map is no trap)", async () => {
    for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
      const answer = await get(`/proto/outbound?host=${name}`);
      expect([name, outcome(answer)]).toEqual([
        name,
        { status: 200, text: '{"thrown":false,"message":"not looked up"}' },
      ]);
    }
  });

  it('takes an identity source named toString as absent until the client sends it', async () => {
    expect((await get('/proto/guarded')).status).toBe(401);
    expect((await get('/proto/guarded?toString=allow')).status).toBe(200);
  });
});

describe('HTTP API', () => {
  it('gives payload 2.0 and 1.0 functions every header and query parameter, whatever its name', async () => {
    for (const version of ['v2', 'v1']) {
      for (const name of NAMES) {
        const event = eventOf(await get(`/${version}/${encodeURIComponent(name)}?${QUERY}`, HEADER_LINES));
        expect(own(event.pathParameters, 'name')).toBe(name);
        for (const key of NAMES) {
          // HTTP APIs lower-case header names.
          expect([version, key, own(event.headers, key.toLowerCase())]).toEqual([version, key, `h-${key}`]);
          const query = own(event.queryStringParameters, key);
          expect([version, key, query]).toEqual([version, key, `q-${key}`]);
          if (version === 'v1') {
            expect(own(event.multiValueHeaders, key.toLowerCase())).toEqual([`h-${key}`]);
            expect(own(event.multiValueQueryStringParameters, key)).toEqual([`q-${key}`]);
          }
        }
      }
    }
  }, 30_000);

  it('joins repeated query parameters of those names with commas (payload 2.0)', async () => {
    const event = eventOf(await get('/v2/x?constructor=1&constructor=2', ['__proto__: a', '__proto__: b']));
    expect(own(event.queryStringParameters, 'constructor')).toBe('1,2');
    expect(own(event.headers, '__proto__')).toBe('a,b');
  });

  it('takes an identity source named constructor as absent until the client sends it', async () => {
    expect((await get('/guarded')).status).toBe(401);
    expect((await get('/guarded?constructor=allow')).status).toBe(200);
  });
});

describe('WebSocket API', () => {
  const wsUrl = () => runtime.info.webSockets[0]?.url ?? '';

  it('answers a handshake with headers and query names of those names (authorizer and $connect included)', async () => {
    const { host, pathname } = new URL(wsUrl());
    const answer = await rawRequest(`http://${host}`, [
      `GET ${pathname}?token=allow&${QUERY} HTTP/1.1`,
      `Host: ${host}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      ...HEADER_LINES,
    ]).catch((error: unknown) => ({ status: 0, text: String(error) }) as RawAnswer);
    expect(outcome(answer)).toMatchObject({ status: 101 });
  });

  it('hands the $connect event, the authorizer and the routes those names as the client sent them', async () => {
    const headers = Object.fromEntries(NAMES.map((name) => [name, `h-${name}`]));
    const socket = new WebSocket(`${wsUrl()}?token=allow&${QUERY}`, { headers });
    const replies: Json[] = [];
    socket.on('message', (data) => replies.push(JSON.parse(data.toString()) as Json));
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`handshake refused with ${response.statusCode}`)),
      );
    });
    try {
      expect(await runtime.waitForOutput(/CONNECT-EVENT /, 10_000)).toBe(true);
      const line = /CONNECT-EVENT (\{.*\})/.exec(runtime.output())?.[1] ?? '{}';
      const connect = JSON.parse(line) as Json;
      for (const key of NAMES) {
        expect([key, own(connect.headers, key)]).toEqual([key, `h-${key}`]);
        expect([key, own(connect.multiValueHeaders, key)]).toEqual([key, [`h-${key}`]]);
        expect([key, own(connect.queryStringParameters, key)]).toEqual([key, `q-${key}`]);
        expect([key, own(connect.multiValueQueryStringParameters, key)]).toEqual([key, [`q-${key}`]]);
      }
      for (const name of NAMES) socket.send(JSON.stringify({ action: name, [name]: name }));
      const deadline = Date.now() + 15_000;
      while (replies.length < NAMES.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(replies).toHaveLength(NAMES.length);
      for (const reply of replies) {
        const event = own(reply, 'event') as Json;
        const context = event.requestContext as Json;
        expect(context.routeKey).toBe('$default');
        expect(context.authorizer).toMatchObject({ header: 'h-constructor', query: 'q-__proto__' });
      }
    } finally {
      socket.close();
    }
  }, 30_000);
});

/** A request to a local AWS endpoint, signed as the SDK signs it. */
const signed = async (service: string, url: string, headers: Record<string, string>, body: string) => {
  const target = new URL(url);
  const signer = new SignatureV4({
    credentials: runtime.info.credentials,
    region,
    service,
    sha256: Hash.bind(null, 'sha256'),
  });
  const request = await signer.sign({
    method: 'POST',
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port),
    path: target.pathname,
    query: {},
    headers: { host: target.host, ...headers },
    body,
  });
  const response = await fetch(url, { method: 'POST', headers: request.headers as Record<string, string>, body });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) as Json };
};

const awsJson = (service: string, endpoint: string, target: string, input: string, version = '1.0') =>
  signed(service, endpoint, { 'content-type': `application/x-amz-json-${version}`, 'x-amz-target': target }, input);

describe('SQS', () => {
  const queueUrl = async () => {
    const answer = await awsJson('sqs', runtime.serviceUrl('sqs'), 'AmazonSQS.ListQueues', '{}');
    return (answer.json().QueueUrls as string[])[0] ?? '';
  };
  const query = async (parameters: string) =>
    signed(
      'sqs',
      await queueUrl(),
      { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      parameters,
    );

  it('answers Action=<a prototype member> as an invalid action (query protocol)', async () => {
    for (const name of NAMES) {
      const answer = await query(`Action=${encodeURIComponent(name)}`);
      expect([name, answer.status, answer.text]).toEqual([name, 400, expect.stringContaining('InvalidAction')]);
    }
  }, 30_000);

  it('keeps message attributes of those names, and refuses them as queue attribute names', async () => {
    const attributes = NAMES.slice(0, 10)
      .map(
        (name, i) =>
          `MessageAttribute.${i + 1}.Name=${encodeURIComponent(name)}&MessageAttribute.${i + 1}.Value.DataType=String&MessageAttribute.${i + 1}.Value.StringValue=v-${encodeURIComponent(name)}`,
      )
      .join('&');
    const sent = await query(`Action=SendMessage&MessageBody=hello&constructor=1&__proto__=2&${attributes}`);
    expect([sent.status, sent.text]).toEqual([200, expect.stringContaining('MessageId')]);
    const received = await query('Action=ReceiveMessage&MessageAttributeName.1=All&WaitTimeSeconds=1');
    expect(received.status).toBe(200);
    const messages = (received.json().ReceiveMessageResponse as Json).ReceiveMessageResult as Json;
    // The query protocol's JSON answer names the list `messages` (see sqs/query-protocol.ts).
    const message = (messages.messages as Json[])[0] as Json;
    for (const name of NAMES.slice(0, 10)) {
      expect([name, own(message.MessageAttributes, name)]).toEqual([
        name,
        { DataType: 'String', StringValue: `v-${name}` },
      ]);
    }
    for (const name of NAMES) {
      const answer = await query(`Action=GetQueueAttributes&AttributeName.1=${encodeURIComponent(name)}`);
      expect([name, answer.status, answer.text]).toEqual([name, 400, expect.stringContaining('InvalidAttributeName')]);
    }
  });

  it('keeps message attributes named after prototype members in the JSON protocol', async () => {
    const url = await queueUrl();
    const input = `{"QueueUrl":${JSON.stringify(url)},"MessageBody":"x","MessageAttributes":{"__proto__":{"DataType":"String","StringValue":"p"},"constructor":{"DataType":"String","StringValue":"c"}}}`;
    const sent = await awsJson('sqs', runtime.serviceUrl('sqs'), 'AmazonSQS.SendMessage', input);
    expect([sent.status, sent.text]).toEqual([200, expect.stringContaining('MessageId')]);
    const received = await awsJson(
      'sqs',
      runtime.serviceUrl('sqs'),
      'AmazonSQS.ReceiveMessage',
      JSON.stringify({ QueueUrl: url, MessageAttributeNames: ['All'], WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }),
    );
    const messages = received.json().Messages as Json[];
    const message = messages.find((candidate) => candidate.Body === 'x') as Json;
    expect(own(message.MessageAttributes, '__proto__')).toEqual({ DataType: 'String', StringValue: 'p' });
    expect(own(message.MessageAttributes, 'constructor')).toEqual({ DataType: 'String', StringValue: 'c' });
  });
});

describe('SSM, Step Functions and DynamoDB', () => {
  it('takes parameter names and JSON keys of those names (SSM)', async () => {
    const ssm = (target: string, input: unknown) =>
      awsJson('ssm', runtime.serviceUrl('ssm'), `AmazonSSM.${target}`, JSON.stringify(input), '1.1');
    for (const name of NAMES) {
      expect([name, (await ssm(name, {})).status]).toEqual([name, 400]);
      const missing = await ssm('GetParameter', { Name: name });
      expect([name, missing.status, missing.text]).toEqual([name, 400, expect.stringContaining('ParameterNotFound')]);
      expect((await ssm('PutParameter', { Name: name, Value: `v-${name}` })).status).toBe(200);
      const found = await ssm('GetParameter', { Name: name });
      expect((found.json().Parameter as Json).Value).toBe(`v-${name}`);
    }
    const smuggled = await awsJson(
      'ssm',
      runtime.serviceUrl('ssm'),
      'AmazonSSM.PutParameter',
      '{"Name":"/smuggled","__proto__":{"Value":"v"}}',
      '1.1',
    );
    expect([smuggled.status, smuggled.text]).toEqual([400, expect.stringContaining('ValidationException')]);
  }, 30_000);

  it('runs an execution whose input has keys of those names, and fails one that lacks the path (Step Functions)', async () => {
    const endpoint = runtime.serviceUrl('stepfunctions');
    const list = await awsJson('states', endpoint, 'AWSStepFunctions.ListStateMachines', '{}');
    const arn = ((list.json().stateMachines as Json[])[0] as Json).stateMachineArn as string;
    const start = (input: string) =>
      awsJson(
        'states',
        endpoint,
        'AWSStepFunctions.StartSyncExecution',
        JSON.stringify({ stateMachineArn: arn, input }),
      );
    const input = '{"constructor":"c","__proto__":{"a":1},"toString":"t"}';
    const done = await start(input);
    expect([done.status, done.json().status]).toEqual([200, 'SUCCEEDED']);
    expect(JSON.parse(done.json().output as string)).toEqual(JSON.parse(`{"picked":"c","whole":${input}}`));
    const failed = await start('{"other":1}');
    expect([failed.status, failed.json().status]).toEqual([200, 'FAILED']);
    for (const name of NAMES) {
      expect([name, (await awsJson('states', endpoint, `AWSStepFunctions.${name}`, '{}')).status]).toEqual([name, 400]);
    }
  });

  it('stores item attributes of those names (DynamoDB)', async () => {
    const endpoint = runtime.serviceUrl('dynamodb');
    const table = await runtime.tableName();
    const dynamodb = (target: string, input: string) =>
      awsJson('dynamodb', endpoint, `DynamoDB_20120810.${target}`, input);
    // dynalite drops an attribute named __proto__ (its own objects are plain): that one is only asked not to fail.
    const names = NAMES.filter((name) => name !== '__proto__');
    const item = Object.fromEntries([['id', { S: 'one' }], ...names.map((name) => [name, { S: `v-${name}` }])]);
    const put = await dynamodb('PutItem', JSON.stringify({ TableName: table, Item: item }));
    expect([put.status, put.text]).toEqual([200, '{}']);
    const read = await dynamodb('GetItem', JSON.stringify({ TableName: table, Key: { id: { S: 'one' } } }));
    expect(read.status).toBe(200);
    for (const name of names) expect([name, own(read.json().Item, name)]).toEqual([name, { S: `v-${name}` }]);
    const proto = await dynamodb('PutItem', `{"TableName":"${table}","Item":{"id":{"S":"two"},"__proto__":{"S":"p"}}}`);
    expect(proto.status).toBeLessThan(500);
    for (const name of NAMES) expect([name, (await dynamodb(name, '{}')).status]).toEqual([name, 400]);
  });
});
