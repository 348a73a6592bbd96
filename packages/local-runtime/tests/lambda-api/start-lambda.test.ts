import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { ListQueuesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { call, eventually, runtimeForSuite, signedHeaders } from '../../src/testing/index.ts';
import { FIXTURE, type LambdaEndpointProcess, startLambdaEndpoint } from './start-lambda-process.ts';

/**
 * `start-lambda`: the Lambda Invoke API on its own port, driven with the AWS SDK's Lambda client as `aws lambda
 * invoke --endpoint-url` would; and the same API behind `start`, where a function invokes another with the SDK.
 */
let endpoint: LambdaEndpointProcess;
let lambda: LambdaClient;
const decode = (payload: Uint8Array | undefined) =>
  JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;

beforeAll(async () => {
  endpoint = await startLambdaEndpoint(['--time-scale', '0.0001']);
  lambda = new LambdaClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: endpoint.credentials });
}, 90_000);

afterAll(async () => {
  lambda?.destroy();
  await endpoint?.stop();
});

describe('Invoke, RequestResponse', () => {
  it('runs the function named by logical id, name, partial or full ARN, and answers its result', async () => {
    for (const name of [
      'EchoFunction',
      'echo-function',
      '123456789012:function:echo-function',
      'arn:aws:lambda:us-east-1:123456789012:function:echo-function',
    ]) {
      const answer = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify({ n: 1 }) }));
      expect(answer.StatusCode).toBe(200);
      expect(answer.FunctionError).toBeUndefined();
      expect(answer.ExecutedVersion).toBe('$LATEST');
      const payload = decode(answer.Payload);
      expect(payload.echoed).toEqual({ n: 1 });
      expect(payload.functionName).toBe('echo-function');
      // The API's request id is the invocation's own.
      expect(payload.requestId).toBe(answer.$metadata.requestId);
    }
  });

  it('takes a qualifier: $LATEST, the AutoPublishAlias and its version 1; another is not found', async () => {
    const alias = await lambda.send(new InvokeCommand({ FunctionName: 'echo-function:live' }));
    expect(alias.ExecutedVersion).toBe('1');
    expect(decode(alias.Payload).echoed).toEqual({});
    const version = await lambda.send(new InvokeCommand({ FunctionName: 'echo-function', Qualifier: '1' }));
    expect(version.ExecutedVersion).toBe('1');
    const latest = await lambda.send(new InvokeCommand({ FunctionName: 'echo-function', Qualifier: '$LATEST' }));
    expect(latest.ExecutedVersion).toBe('$LATEST');
    const missing = lambda.send(new InvokeCommand({ FunctionName: 'echo-function', Qualifier: 'blue' }));
    await expect(missing).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(missing).rejects.toMatchObject({
      message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:echo-function:blue',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'echo-function:live', Qualifier: '$LATEST' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException', $metadata: { httpStatusCode: 400 } });
  });

  it('answers ResourceNotFoundException (404) for a function that is not in the template', async () => {
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('answers a function error as 200 with X-Amz-Function-Error: Unhandled and the error payload', async () => {
    const answer = await lambda.send(new InvokeCommand({ FunctionName: 'FailFunction' }));
    expect(answer.StatusCode).toBe(200);
    expect(answer.FunctionError).toBe('Unhandled');
    expect(decode(answer.Payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'boom' });
  });

  it('returns the last 4 KB of the invocation log, base64, with LogType Tail', async () => {
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: 'FailFunction', LogType: 'Tail', Payload: JSON.stringify({}) }),
    );
    const log = Buffer.from(answer.LogResult ?? '', 'base64').toString('utf8');
    const id = answer.$metadata.requestId;
    expect(log).toMatch(new RegExp(`^START RequestId: ${id} Version: \\$LATEST\\n`));
    expect(log).toMatch(new RegExp(`\\t${id}\\tINFO\\tabout to fail\\n`));
    expect(log).toMatch(
      new RegExp(
        `END RequestId: ${id}\\nREPORT RequestId: ${id}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 256 MB\\t\\n$`,
      ),
    );
    const untailed = await lambda.send(new InvokeCommand({ FunctionName: 'FailFunction' }));
    expect(untailed.LogResult).toBeUndefined();
  });

  it('refuses a payload that is not JSON (400) and one over 6 MB (413), without running the function', async () => {
    const url = `${endpoint.url}/2015-03-31/functions/EchoFunction/invocations`;
    const signed = async (body: string) => ({
      method: 'POST',
      body,
      headers: await signedHeaders(url, endpoint.credentials, 'us-east-1', 'POST', body, {
        service: 'lambda',
        headers: { 'content-type': 'application/json' },
      }),
    });
    const bad = await call(url, await signed('{not json'));
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
    expect(bad.json().message).toMatch(/^Could not parse request body into json/);
    const big = await call(url, await signed(JSON.stringify({ big: 'x'.repeat(6 * 1024 * 1024) })));
    expect(big.status).toBe(413);
    expect(big.headers.get('x-amzn-errortype')).toBe('RequestEntityTooLargeException');
    expect(big.json()).toEqual({
      Type: 'User',
      message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    });
    expect(endpoint.output()).not.toMatch(/INFO\techo \{"big"/);
  });

  it('answers a function name whose percent-encoding is broken with 400, not a failure of its own', async () => {
    const url = `${endpoint.url}/2015-03-31/functions/Echo%ZZ/invocations`;
    const answer = await call(url, {
      method: 'POST',
      body: '{}',
      headers: await signedHeaders(url, endpoint.credentials, 'us-east-1', 'POST', '{}', {
        service: 'lambda',
        headers: { 'content-type': 'application/json' },
      }),
    });
    expect({ status: answer.status, type: answer.headers.get('x-amzn-errortype') }).toEqual({
      status: 400,
      type: 'ValidationException',
    });
  });

  it('refuses an unsigned call and one signed with another key, 403 as Lambda answers', async () => {
    const url = `${endpoint.url}/2015-03-31/functions/EchoFunction/invocations`;
    const unsigned = await call(url, { method: 'POST', body: '{}' });
    expect({ status: unsigned.status, type: unsigned.headers.get('x-amzn-errortype') }).toEqual({
      status: 403,
      type: 'MissingAuthenticationTokenException',
    });
    const stranger = new LambdaClient({
      endpoint: endpoint.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIASTRANGER', secretAccessKey: 'not-the-local-secret' },
    });
    await expect(stranger.send(new InvokeCommand({ FunctionName: 'EchoFunction' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    stranger.destroy();
  });
});

describe('Invoke, DryRun and Event', () => {
  it('answers DryRun 204 for a function that exists, and 404 for one that does not', async () => {
    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'EchoFunction', InvocationType: 'DryRun' }));
    expect(dry.StatusCode).toBe(204);
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'nope', InvocationType: 'DryRun' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('queues an Event invocation (202) and retries a failing one as its EventInvokeConfig says', async () => {
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: 'FlakyFunction', InvocationType: 'Event', Payload: '{"tag":"async"}' }),
    );
    expect(answer.StatusCode).toBe(202);
    expect(answer.Payload?.length ?? 0).toBe(0);
    const sqs = new SQSClient({
      endpoint: endpoint.serviceUrl('sqs'),
      region: 'us-east-1',
      credentials: endpoint.credentials,
    });
    try {
      const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
      // Messages come back after their (time-scaled) visibility timeout: each is counted once, by id.
      const byId = new Map<string, Record<string, unknown>>();
      const attempts = () => [...byId.values()];
      // MaximumRetryAttempts: 1 → two attempts, with the same request id (the retry waits 60 s × the time scale).
      const delivered = await eventually(async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: QueueUrls[0], MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        for (const message of Messages) {
          byId.set(message.MessageId ?? '', JSON.parse(message.Body ?? '{}') as Record<string, unknown>);
        }
        return byId.size >= 2;
      }, 10_000);
      expect(delivered).toBe(true);
      expect(attempts().map((attempt) => attempt.attempt)).toEqual(['async', 'async']);
      expect(attempts().map((attempt) => attempt.requestId)).toEqual([
        answer.$metadata.requestId,
        answer.$metadata.requestId,
      ]);
      expect(
        await eventually(() => /asynchronous invocation failed .* on attempt 2 of 2: dropped/.test(endpoint.output())),
      ).toBe(true);
    } finally {
      sqs.destroy();
    }
  });
});

describe('the Lambda endpoint behind start', () => {
  const runtime = runtimeForSuite(['--template', FIXTURE]);

  it('lets a function invoke another with the SDK Lambda client (AWS_ENDPOINT_URL_LAMBDA)', async () => {
    const answer = await call(`${runtime.base}/call`);
    expect(answer.status).toBe(200);
    const body = answer.json();
    expect(body).toMatchObject({ status: 200, version: '$LATEST', payload: { echoed: { from: 'caller' } } });
    expect(runtime.info.services.map((service) => service.name)).toContain('lambda');
  });
});
