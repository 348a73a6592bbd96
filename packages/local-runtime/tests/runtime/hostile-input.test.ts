import { connect as connectTcp, type Socket } from 'node:net';
import { ApiGatewayManagementApiClient, GetConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import {
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { call, openSocket, signedHeaders } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * Hostile input on every port the runtime opens, black-box over real sockets: a body cut short (Content-Length 100,
 * 2 bytes sent, then the connection closed) and a malformed chunk size cost that request only, and every port still
 * answers a good request afterwards. The local DynamoDB, whose emulation (dynalite) used to end the process on such a
 * request, is restarted with its data when it dies.
 */
const runtime = fixtureRuntime('hostile-input', [], { env: { SAM_LOCAL_RUNTIME_TEST_FAULTS: '1' } });
let clients: {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  ssm: SSMClient;
  sfn: SFNClient;
  lambda: LambdaClient;
  management: ApiGatewayManagementApiClient;
};
let table: string;

beforeAll(async () => {
  // The test-only faults let a test make the DynamoDB emulation throw or crash on request.
  const { accessKeyId, secretAccessKey } = runtime.info.credentials;
  const config = (endpoint: string) => ({
    endpoint,
    region: runtime.info.region,
    credentials: { accessKeyId, secretAccessKey },
    maxAttempts: 1,
  });
  clients = {
    dynamodb: new DynamoDBClient(config(runtime.serviceUrl('dynamodb'))),
    sqs: new SQSClient(config(runtime.serviceUrl('sqs'))),
    ssm: new SSMClient(config(runtime.serviceUrl('ssm'))),
    sfn: new SFNClient(config(runtime.serviceUrl('stepfunctions'))),
    lambda: new LambdaClient(config(runtime.serviceUrl('lambda'))),
    management: new ApiGatewayManagementApiClient(config(`${runtime.info.wsUrl}/live`)),
  };
  table = await runtime.tableName();
}, 120_000);

afterAll(async () => {
  for (const client of Object.values(clients ?? {})) client.destroy();
});

/** Writes `raw` on a fresh connection, closes its sending side, and resolves with whatever came back once closed. */
const sendRaw = (url: string, raw: string): Promise<string> =>
  new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connectTcp(Number(port), hostname, () => socket.end(raw));
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(received));
  });

const head = (method: string, path: string, headers: Record<string, string>) =>
  [
    `${method} ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ].join('\r\n');

/** The two requests every port gets: a body cut short, and a chunked body whose first chunk size is not hex. */
const hostile = async (url: string, path: string, headers: Record<string, string> = {}) => {
  await sendRaw(url, `${head('POST', path, { ...headers, 'Content-Length': '100' })}{"`);
  await sendRaw(url, `${head('POST', path, { ...headers, 'Transfer-Encoding': 'chunked' })}zz\r\n{"a":1}\r\n0\r\n\r\n`);
};

const amzJson = (target: string, version = '1.0') => ({
  'Content-Type': `application/x-amz-json-${version}`,
  'X-Amz-Target': target,
});

describe('a half-sent body and a malformed chunk cost that request only, on every port', () => {
  it('every REST and HTTP API, on the shared port and on a port of its own', async () => {
    const urls = runtime.info.apis.map((api) => api.url);
    // Two REST APIs with stage dev (one on its own port) and an HTTP API's $default stage.
    expect(new Set(urls.map((url) => new URL(url).port)).size).toBe(2);
    expect(runtime.info.apis.map((api) => api.kind).sort()).toEqual(['HTTP', 'REST', 'REST']);
    for (const url of urls) {
      await hostile(url, `${new URL(url).pathname.replace(/\/$/, '')}/echo`, { 'Content-Type': 'application/json' });
      const answer = await call(`${url}/echo`, { method: 'POST', body: '{}' });
      expect(answer.status).toBe(200);
      expect(answer.json()).toMatchObject({ ok: true });
    }
  });

  it("the runtime's own pages (the token issuer)", async () => {
    await hostile(runtime.info.restUrl, '/_local/issuer/token', { 'Content-Type': 'application/json' });
    expect((await runtime.token({ sub: 'alice' })).split('.')).toHaveLength(3);
  });

  it('the WebSocket port: @connections, a handshake reset while its $connect runs or while refused', async () => {
    await hostile(runtime.info.wsUrl, '/live/@connections/AAAAAAAAAAAAAAA=');
    /** Sends a handshake and resets the connection at once, before any answer can be read. */
    const handshakeThenReset = (extra: Record<string, string> = {}) =>
      new Promise<void>((resolve) => {
        const socket: Socket = connectTcp(Number(new URL(runtime.info.wsUrl).port), '127.0.0.1', () => {
          socket.write(
            head('GET', '/live', {
              ...extra,
              Upgrade: 'websocket',
              Connection: 'Upgrade',
              'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
              'Sec-WebSocket-Version': '13',
            }),
          );
          setImmediate(() => socket.resetAndDestroy());
        });
        socket.on('error', () => {});
        socket.on('close', () => resolve());
      });
    // The client resets the connection while $connect (a function) runs: the handshake alone is lost.
    await handshakeThenReset();
    // A handshake with two Host headers is refused (400) on the raw socket; clients that reset before reading that
    // answer cost nothing more (the write to a reset socket fails, and is its socket's end only).
    for (let attempt = 0; attempt < 40; attempt += 1) await handshakeThenReset({ Host: 'again.example' });
    expect((await call(`${runtime.info.restUrl}/dev/echo`)).status).toBe(200);
    // A request target that is not a URL, as a handshake and as a management call: API Gateway's 403.
    const handshake = { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Version': '13' };
    expect(
      await sendRaw(
        runtime.info.wsUrl,
        head('GET', 'http://[/live', { ...handshake, 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' }),
      ),
    ).toMatch(/^HTTP\/1\.1 403 /);
    expect(await sendRaw(runtime.info.wsUrl, head('GET', 'http://[/live/@connections/A', {}))).toMatch(
      /^HTTP\/1\.1 403 [\s\S]*Missing Authentication Token/,
    );
    await expect(
      clients.management.send(new GetConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=' })),
    ).rejects.toMatchObject({ name: 'GoneException' });
    const socket = await openSocket(`${runtime.info.wsUrl.replace(/^http/, 'ws')}/live`);
    socket.socket.send(JSON.stringify({ action: 'anything' }));
    expect(await runtime.waitForOutput(/^WS \$default \S+ 200$/m, 10_000)).toBe(true);
    socket.socket.close();
  });

  it('SSM', async () => {
    await hostile(runtime.serviceUrl('ssm'), '/', amzJson('AmazonSSM.GetParameter', '1.1'));
    const { Parameter } = await clients.ssm.send(new GetParameterCommand({ Name: '/hostile/setting' }));
    expect(Parameter?.Value).toBe('unchanged');
  });

  it('SQS, in its JSON and its query protocol', async () => {
    await hostile(runtime.serviceUrl('sqs'), '/', amzJson('AmazonSQS.SendMessage'));
    await hostile(runtime.serviceUrl('sqs'), '/', { 'Content-Type': 'application/x-www-form-urlencoded' });
    const queues = (await (await fetch(`${runtime.info.restUrl}/_local/queues`)).json()) as { name: string }[];
    const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queues[0]?.name ?? '' }));
    expect((await clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'still here' }))).MessageId).toEqual(
      expect.any(String),
    );
  });

  it('Step Functions', async () => {
    await hostile(runtime.serviceUrl('stepfunctions'), '/', amzJson('AWSStepFunctions.ListStateMachines'));
    const { stateMachines } = await clients.sfn.send(new ListStateMachinesCommand({}));
    expect(stateMachines).toHaveLength(1);
  });

  it('Lambda (the Invoke API)', async () => {
    await hostile(runtime.serviceUrl('lambda'), '/2015-03-31/functions/EchoFunction/invocations', {
      'Content-Type': 'application/json',
    });
    const { StatusCode, FunctionError } = await clients.lambda.send(
      new InvokeCommand({ FunctionName: 'EchoFunction', Payload: new TextEncoder().encode('{}') }),
    );
    expect({ StatusCode, FunctionError }).toEqual({ StatusCode: 200, FunctionError: undefined });
  });

  it('DynamoDB', async () => {
    await hostile(runtime.serviceUrl('dynamodb'), '/', amzJson('DynamoDB_20120810.PutItem'));
    const { TableNames } = await clients.dynamodb.send(new ListTablesCommand({}));
    expect(TableNames).toEqual([table]);
  });

  it('the Runtime API port a Python function talks to', async () => {
    const first = await call(`${runtime.info.restUrl}/dev/runtime-api`);
    expect(first.status).toBe(200);
    const runtimeApi = `http://${first.text}`;
    await hostile(runtimeApi, '/2018-06-01/runtime/invocation/not-a-request/response', {
      'Content-Type': 'application/json',
    });
    // The same warm environment answers again, through the same port.
    const again = await call(`${runtime.info.restUrl}/dev/runtime-api`);
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
  });
});

describe('the local DynamoDB runs apart, and is restarted with its data when it dies', () => {
  // Signed with the local credentials, as every call to the endpoint must be to reach the emulation.
  const post = async (target: string) => {
    const url = runtime.serviceUrl('dynamodb');
    const headers = await signedHeaders(url, runtime.info.credentials, runtime.info.region, 'POST', '{}', {
      service: 'dynamodb',
      headers: amzJson(target),
    });
    return call(url, { method: 'POST', headers, body: '{}' });
  };

  it("answers a throw inside the emulation's handler with DynamoDB's 500, and goes on serving", async () => {
    const answer = await post('LocalRuntimeFault.Throw');
    expect(answer.status).toBe(500);
    expect(answer.json()).toMatchObject({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError' });
    const { TableNames } = await clients.dynamodb.send(new ListTablesCommand({}));
    expect(TableNames).toEqual([table]);
  });

  it('keeps the items and the run-time TTL setting written before a crash of the emulation', async () => {
    await clients.dynamodb.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: 'before-crash' }, note: { S: 'kept' } } }),
    );
    await clients.dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
      }),
    );
    // The request that crashes the emulation is lost with it; nothing else is.
    await expect(post('LocalRuntimeFault.Crash')).rejects.toThrow();
    expect(await runtime.waitForOutput(/\[dynamodb\] .*restarted on port \d+; its data is kept/, 10_000)).toBe(true);
    const retrying = new DynamoDBClient({
      endpoint: runtime.serviceUrl('dynamodb'),
      region: runtime.info.region,
      credentials: runtime.info.credentials,
    });
    try {
      const { Item } = await retrying.send(
        new GetItemCommand({ TableName: table, Key: { pk: { S: 'before-crash' } } }),
      );
      expect(Item?.note).toEqual({ S: 'kept' });
      const { TimeToLiveDescription } = await retrying.send(new DescribeTimeToLiveCommand({ TableName: table }));
      expect(TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    } finally {
      retrying.destroy();
    }
  });

  it('the runtime is still up, and took none of the requests cut short for a failure of its own', async () => {
    expect((await call(`${runtime.info.restUrl}/dev/echo`)).status).toBe(200);
    expect(runtime.output()).not.toMatch(/unexpected error|Uncaught|ERR_UNHANDLED_REJECTION|^Node\.js v\d+/m);
  });
});
