import { createHash } from 'node:crypto';
import { call, signedHeaders } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';
import { type AttackCase, attackTools, deep, FORM, form, portOf, runAll } from './attack-tools.ts';
import { requestBytes } from './hostile-input.ts';
import { HOSTILE_VALUES, JSON_SERVICES } from './json-service-fields.ts';
import { type RawAnswer, rawExchange } from './raw-http.ts';
import { SIGNING_NAMES } from './service-requests.ts';

/**
 * Targeted attacks on the local AWS endpoints that the seeded fuzz rarely hits: each JSON-protocol operation fed
 * values of the wrong type, numbers JSON cannot hold, lone surrogates, deep nesting and long strings in every member it
 * reads; the query protocols fed duplicated, missing and broken parameters; Lambda Invoke, S3 and the token issuer fed
 * hostile payloads, keys, ranges and bodies; 100,000-level payloads inside strings; broken SigV4 signatures. Each
 * gets one answer, a 4xx in the service's own shape (never a 5xx, a hang or a close), and the runtime serves on.
 */
const runtime = fixtureRuntime('hostile', ['--time-scale', '0.01']);
const { serviceUrl, signedRequest } = attackTools(runtime);

/** The fields that address a real resource, so a request gets past "no such resource" to the fields after. */
const realFields = (service: string): Record<string, string> => {
  const machine = /(arn:aws:states:\S+:stateMachine:\S+)/.exec(runtime.output())?.[1];
  switch (service) {
    case 'sqs':
      return { QueueUrl: JSON.stringify(queue) };
    case 'stepfunctions':
      return machine ? { stateMachineArn: JSON.stringify(machine) } : {};
    case 'ssm':
      return { Name: '"/hostile/setting"' };
    default:
      return {};
  }
};

let tableName = '';
let queue = '';
beforeAll(async () => {
  tableName = await runtime.tableName();
  const queues = (await (await fetch(`${runtime.info.restUrl}/_local/queues`)).json()) as { url: string }[];
  queue = queues[0]?.url ?? '';
}, 90_000);

it('answers every JSON-protocol operation fed wrong types, odd numbers and deep nesting in every field with a 4xx', async () => {
  const cases = [];
  for (const spec of JSON_SERVICES) {
    const real = spec.service === 'dynamodb' ? { TableName: JSON.stringify(tableName) } : realFields(spec.service);
    for (const operation of spec.operations)
      for (const [valueName, value] of Object.entries(HOSTILE_VALUES))
        for (const variant of ['every field', 'real resource'] as const) {
          const fields = spec.fields.map((field) => [field, value]);
          // One field 100,000 levels deep (the others real), rather than all of them: the body stays small.
          if (valueName === 'deep' && variant === 'real resource')
            fields.splice(0, fields.length, ...Object.keys(real).map((field) => [field, 'null']), [
              spec.deepField,
              deep(100_000),
            ]);
          const body = `{${fields
            .map(
              ([field, text]) =>
                `${JSON.stringify(field)}:${variant === 'real resource' && real[field as string] ? real[field as string] : text}`,
            )
            .join(',')}}`;
          cases.push({
            label: `${spec.service} ${operation} ${valueName} (${variant})`,
            port: portOf(serviceUrl(spec.service)),
            bytes: () =>
              signedRequest(spec.service, 'POST', '/', body, {
                'content-type': `application/x-amz-json-${spec.version}`,
                'x-amz-target': `${spec.target}.${operation}`,
              }),
            ok: (answer: RawAnswer) => (answer.status ?? 0) < 400 || /"__type"/.test(answer.body.toString()),
          });
        }
  }
  expect(await runAll(cases)).toEqual([]);
  expect(runtime.exited()).toBe(false);
}, 120_000);

/** An answer in the query protocol's shape: `<ErrorResponse>` XML, or its JSON form when JSON was asked for. */
const queryShaped = (answer: RawAnswer) =>
  (answer.status ?? 0) < 400 || /<ErrorResponse|<Error>|"__type"|"Error"/.test(answer.body.toString());

it('answers the query protocols (SQS, SNS, SSM) fed duplicated, missing, broken and numerous parameters with a 4xx', async () => {
  const created = await rawExchange(
    portOf(serviceUrl('sns')),
    await signedRequest(
      'sns',
      'POST',
      '/',
      form(['Action=CreateTopic', 'Name=hostile-topic', 'Version=2010-03-31']),
      FORM,
    ),
  );
  const topic = /<TopicArn>([^<]+)<\/TopicArn>/.exec(created.body.toString())?.[1] ?? 'arn:aws:sns:us-east-1:1:x';
  const queueUrl = encodeURIComponent(queue);
  const topicArn = encodeURIComponent(topic);
  const many = Array.from({ length: 10_000 }, (_, index) => `p${index}=${index}`);
  const bodies: Record<string, string[]> = {
    sqs: [
      form(['Action=SendMessage', 'Action=ReceiveMessage', `QueueUrl=${queueUrl}`, 'MessageBody=x']),
      form(['Action=SendMessage', `QueueUrl=${queueUrl}`, 'MessageBody=%ZZ%']),
      form(['Action=SendMessage', `QueueUrl=${queueUrl}`, 'MessageBody=%ED%A0%80%FF%FE']),
      form(['Action=SendMessage', `QueueUrl=${queueUrl}`]),
      form(['Action=SendMessage', `QueueUrl=${queueUrl}`, 'MessageBody=x', 'DelaySeconds=1e999']),
      form(['Action=SendMessage', `QueueUrl=${queueUrl}`, 'MessageBody=x', 'MessageAttribute.1.Name=a']),
      form([
        'Action=SendMessage',
        `QueueUrl=${queueUrl}`,
        'MessageBody=x',
        'MessageAttribute.18446744073709551616.Name=a',
        'MessageAttribute.18446744073709551616.Value.DataType=Number',
        'MessageAttribute.18446744073709551616.Value.StringValue=1e999',
      ]),
      form(['Action=SendMessageBatch', `QueueUrl=${queueUrl}`, 'SendMessageBatchRequestEntry.99999999.Id=a']),
      form(['Action=SendMessageBatch', `QueueUrl=${queueUrl}`, 'SendMessageBatchRequestEntry.__proto__.Id=a']),
      form(['Action=ReceiveMessage', `QueueUrl=${queueUrl}`, 'MaxNumberOfMessages=-0', 'WaitTimeSeconds=0x10']),
      form(['Action=CreateQueue', `QueueName=${'q'.repeat(81)}`]),
      form([
        'Action=CreateQueue',
        'QueueName=hostile',
        'Attribute.1.Name=RedrivePolicy',
        'Attribute.1.Value=%7B%22a%22%3A',
      ]),
      form(['Action=SendMessage', ...many]),
      form([]),
      '{"Action":"SendMessage"}',
    ],
    ssm: [
      form(['Action=GetParameter', 'Name=%ZZ']),
      form(['Action=GetParameter', 'Name=%2Fhostile%2Fsetting', '__proto__=x', 'constructor=y', 'toString=z']),
      form(['Action=GetParameters', 'Names.member.99999999999999999999=a']),
      form(['Action=GetParameters', 'Names.member.1=a', 'Names.member.1=b', 'Names.member.-1=c']),
      form(['Action=GetParameters', ...Array.from({ length: 2000 }, (_, index) => `Names.member.${index}=a${index}`)]),
      form(['Action=PutParameter', 'Name=%2Fq', 'Value=x', 'Type=String', 'Overwrite=maybe']),
      form(['Action=PutParameter', `Name=%2F${'a'.repeat(3000)}`, 'Value=x', 'Type=String']),
      form(['Action=PutParameter', 'Name=%2Fq', `Value=${'v'.repeat(9000)}`, 'Type=String', 'Overwrite=true']),
      form(['Action=GetParametersByPath', 'Path=%2F', 'MaxResults=1e999', 'NextToken=%00']),
      form(['Action=__proto__']),
      form(['Action=GetParameter', 'Action=DeleteParameter', 'Name=%2Fq']),
    ],
    sns: [
      form(['Action=Publish', 'Action=ListTopics', `TopicArn=${topicArn}`, 'Message=x']),
      form(['Action=Publish', `TopicArn=${topicArn}`, 'Message=%ZZ']),
      form(['Action=Publish', `TopicArn=${topicArn}`]),
      form([
        'Action=Publish',
        `TopicArn=${topicArn}`,
        'Message=x',
        'MessageAttributes.entry.1.Name=n',
        'MessageAttributes.entry.1.Value.DataType=Number',
        'MessageAttributes.entry.1.Value.StringValue=1e999',
      ]),
      form([
        'Action=Publish',
        `TopicArn=${topicArn}`,
        'Message=x',
        'MessageAttributes.entry.1.Name=n',
        'MessageAttributes.entry.1.Value.DataType=String.Array',
        'MessageAttributes.entry.1.Value.StringValue=%5B%5B%5B%5B',
      ]),
      form(['Action=Publish', `TopicArn=${topicArn}`, 'Message=%7B%22default%22%3A1%7D', 'MessageStructure=json']),
      form(['Action=PublishBatch', `TopicArn=${topicArn}`, 'PublishBatchRequestEntries.member.99999999.Id=a']),
      form(['Action=PublishBatch', `TopicArn=${topicArn}`, 'PublishBatchRequestEntries.member.1.Message=x']),
      form(['Action=CreateTopic', `Name=${'t'.repeat(257)}`]),
      form(['Action=Subscribe', `TopicArn=${topicArn}`, 'Protocol=sqs', 'Endpoint=%00']),
      form([
        'Action=SetSubscriptionAttributes',
        'SubscriptionArn=x',
        'AttributeName=FilterPolicy',
        `AttributeValue=${encodeURIComponent(deep(100_000))}`,
      ]),
      form(['Action=Publish', ...many]),
      form([]),
    ],
  };
  // Parameter Store's quotas, in its own words: a name past 2,048 characters, a standard value past 4,096.
  const ssmError = async (body: string) => {
    const answer = await rawExchange(portOf(serviceUrl('ssm')), await signedRequest('ssm', 'POST', '/', body, FORM));
    return `${answer.status} ${/<Message>([^<]*)/.exec(answer.body.toString())?.[1] ?? ''}`;
  };
  expect(await ssmError(form(['Action=PutParameter', `Name=%2F${'a'.repeat(2048)}`, 'Value=x']))).toMatch(
    /^400 1 validation error detected: .* Member must have length less than or equal to 2048$/,
  );
  expect(await ssmError(form(['Action=PutParameter', 'Name=%2Fbig', `Value=${'v'.repeat(4097)}`]))).toMatch(
    /^400 Standard tier parameters support a maximum parameter value of 4096 characters\./,
  );
  expect(await ssmError(form(['Action=PutParameter', 'Name=%2Fbig', `Value=${'v'.repeat(4096)}`]))).toBe('200 ');
  const cases = Object.entries(bodies).flatMap(([service, list]) =>
    list.map((body, index) => ({
      label: `${service} query case ${index}: ${body.slice(0, 80)}`,
      port: portOf(serviceUrl(service)),
      bytes: () => signedRequest(service, 'POST', '/', body, FORM),
      ok: queryShaped,
    })),
  );
  expect(await runAll(cases)).toEqual([]);
  expect(runtime.exited()).toBe(false);
}, 60_000);

it('answers Lambda Invoke fed hostile payloads, names and headers with a 4xx in its own shape', async () => {
  const invoke = (name: string, query = '') => `/2015-03-31/functions/${name}/invocations${query}`;
  const requests: [string, string, string | Buffer, Record<string, string>][] = [
    ['POST', invoke('EchoFunction'), deep(100_000), {}],
    ['POST', invoke('EchoFunction'), '{"a":1e999,"b":-0,"c":18446744073709551616,"d":"\\ud800"}', {}],
    ['POST', invoke('EchoFunction'), Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), {}],
    ['POST', invoke('EchoFunction'), '{"a":', {}],
    ['POST', invoke('EchoFunction'), `"${'a'.repeat(7 * 1024 * 1024)}"`, {}],
    ['POST', invoke('EchoFunction'), '{}', { 'x-amz-invocation-type': 'Sometimes' }],
    ['POST', invoke('EchoFunction'), '{}', { 'x-amz-log-type': '__proto__' }],
    ['POST', invoke('EchoFunction'), '{}', { 'x-amz-client-context': '%%%not base64' }],
    ['POST', invoke('EchoFunction'), '{}', { 'x-amz-client-context': Buffer.from('[[[').toString('base64') }],
    ['POST', invoke('EchoFunction', '?Qualifier=%00'), '{}', {}],
    ['POST', invoke('EchoFunction', '?Qualifier=__proto__'), '{}', {}],
    ['POST', invoke('f'.repeat(200)), '{}', {}],
    ['POST', invoke('%ZZ'), '{}', {}],
    ['POST', invoke('constructor'), '{}', {}],
    ['POST', invoke('arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3AEchoFunction%3A%3A%3A'), '{}', {}],
    ['GET', invoke('EchoFunction'), '', {}],
  ];
  const cases = requests.map(([method, path, body, headers], index) => ({
    label: `lambda case ${index}: ${method} ${path.slice(0, 80)}`,
    port: portOf(serviceUrl('lambda')),
    bytes: () => signedRequest('lambda', method, path, body, { 'content-type': 'application/json', ...headers }),
    ok: (answer: RawAnswer) =>
      (answer.status ?? 0) < 400 || /"(Type|__type|message|Message)"/.test(answer.body.toString()),
  }));
  expect(await runAll(cases)).toEqual([]);
  // A ClientContext that is not base64 of a JSON object: Lambda's InvalidRequestContentException; one that is, taken.
  const withContext = async (context: string) => {
    const answer = await rawExchange(
      portOf(serviceUrl('lambda')),
      await signedRequest('lambda', 'POST', invoke('EchoFunction'), '{}', {
        'content-type': 'application/json',
        'x-amz-client-context': context,
      }),
    );
    return `${answer.status} ${/"message":"([^"]*)"/.exec(answer.body.toString())?.[1] ?? ''}`;
  };
  const refused = '400 Client context must be a valid Base64-encoded JSON object.';
  expect(await withContext('%%%not base64')).toBe(refused);
  expect(await withContext(Buffer.from('[[[').toString('base64'))).toBe(refused);
  expect(await withContext(Buffer.from('{"custom":{"a":"b"}}').toString('base64'))).toMatch(/^200 /);
  expect(runtime.exited()).toBe(false);
}, 60_000);

it('answers S3 fed hostile keys, bucket names, ranges and aws-chunked bodies with a 4xx in its own shape', async () => {
  const s3 = (method: string, path: string, body: string | Buffer = '', headers: Record<string, string> = {}) =>
    signedRequest('s3', method, path, body, { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers });
  const put = await rawExchange(portOf(serviceUrl('s3')), await s3('PUT', '/hostile-bucket'));
  expect(put.status).toBeLessThan(300);
  const stored = await rawExchange(portOf(serviceUrl('s3')), await s3('PUT', '/hostile-bucket/ten', '0123456789'));
  expect(stored.status).toBe(200);
  const requests: [string, string, string, Record<string, string>][] = [
    ['PUT', '/hostile-bucket/../escape', 'x', {}],
    ['PUT', '/hostile-bucket/%2e%2e/%2e%2e/escape', 'x', {}],
    ['PUT', '/hostile-bucket/a%00b', 'x', {}],
    ['PUT', `/hostile-bucket/${'k'.repeat(1100)}`, 'x', {}],
    ['PUT', '/hostile-bucket/%ZZ', 'x', {}],
    ['PUT', '/hostile-bucket/%ED%A0%80', 'x', {}],
    ['PUT', `/${'b'.repeat(64)}`, '', {}],
    ['PUT', '/..', '', {}],
    ['PUT', '/__proto__', '', {}],
    ['GET', '/hostile-bucket/ten', '', { range: 'bytes=100-200' }],
    ['GET', '/hostile-bucket/ten', '', { range: 'bytes=5-1' }],
    ['GET', '/hostile-bucket/ten', '', { range: 'bytes=-0' }],
    ['GET', '/hostile-bucket/ten', '', { range: 'bytes=18446744073709551616-' }],
    ['GET', '/hostile-bucket/ten', '', { range: `bytes=${Array.from({ length: 2000 }, () => '0-1').join(',')}` }],
    ['GET', '/hostile-bucket/ten', '', { range: 'garbage' }],
    ['PUT', '/hostile-bucket/md5', 'x', { 'content-md5': 'not-md5' }],
    ['PUT', '/hostile-bucket/md5', 'x', { 'content-md5': Buffer.alloc(16).toString('base64') }],
    ['PUT', '/hostile-bucket/sum', 'x', { 'x-amz-checksum-crc32': '%%%' }],
    [
      'PUT',
      '/hostile-bucket/chunked',
      'ffffffffffffffffff\r\nx\r\n0\r\n\r\n',
      { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '1' },
    ],
    [
      'PUT',
      '/hostile-bucket/chunked',
      '5\r\nx\r\n0\r\n\r\n',
      { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '5' },
    ],
    [
      'PUT',
      '/hostile-bucket/chunked',
      '1\r\nx\r\n0\r\n\r\n',
      { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '999999999999' },
    ],
    ['PUT', '/hostile-bucket/chunked', 'zz;chunk-signature=x\r\n', { 'content-encoding': 'aws-chunked' }],
    ['GET', '/hostile-bucket?list-type=2&max-keys=1e999&continuation-token=%%%', '', {}],
    ['GET', '/hostile-bucket?list-type=2&start-after=%00&delimiter=%ED%A0%80', '', {}],
    ['GET', '/hostile-bucket?list-type=3', '', {}],
  ];
  const cases = requests.map(([method, path, body, headers], index) => ({
    label: `s3 case ${index}: ${method} ${path.slice(0, 80)} ${JSON.stringify(headers).slice(0, 60)}`,
    port: portOf(serviceUrl('s3')),
    bytes: () => s3(method, path, body, headers),
    ok: (answer: RawAnswer) => (answer.status ?? 0) < 400 || /<Error>/.test(answer.body.toString()),
  }));
  expect(await runAll(cases)).toEqual([]);
  // What S3 refuses, by its own codes ("Error responses"): a key past 1,024 bytes, a Content-MD5 that is no MD5 or
  // not the body's.
  const codeOf = async (method: string, path: string, body: string, headers: Record<string, string>) => {
    const answer = await rawExchange(portOf(serviceUrl('s3')), await s3(method, path, body, headers));
    return `${answer.status} ${/<Code>([^<]+)<\/Code>/.exec(answer.body.toString())?.[1]}`;
  };
  expect(await codeOf('PUT', `/hostile-bucket/${'k'.repeat(1025)}`, 'x', {})).toBe('400 KeyTooLongError');
  expect(await codeOf('PUT', `/hostile-bucket/${encodeURIComponent('é'.repeat(512))}`, 'x', {})).toBe('200 undefined');
  expect(await codeOf('PUT', '/hostile-bucket/md5', 'x', { 'content-md5': 'not-md5' })).toBe('400 InvalidDigest');
  const zeros = Buffer.alloc(16).toString('base64');
  expect(await codeOf('PUT', '/hostile-bucket/md5', 'x', { 'content-md5': zeros })).toBe('400 BadDigest');
  const chunkedAs = (declared: string) => ({
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': declared,
  });
  expect(await codeOf('PUT', '/hostile-bucket/chunked', '1\r\nx\r\n0\r\n\r\n', chunkedAs('999999999999'))).toBe(
    '400 IncompleteBody',
  );
  expect(await codeOf('PUT', '/hostile-bucket/chunked', '1\r\nx\r\n0\r\n\r\n', chunkedAs('1'))).toBe('200 undefined');
  const md5 = createHash('md5').update('x').digest('base64');
  expect(await codeOf('PUT', '/hostile-bucket/md5', 'x', { 'content-md5': md5 })).toBe('200 undefined');
  // Nothing escaped the bucket: a key of `..` segments is a key like any other.
  const listing = await call(`${serviceUrl('s3')}/`, { method: 'GET' });
  expect(listing.status).toBeLessThan(500);
  expect(runtime.exited()).toBe(false);
}, 60_000);

/** JSON 100,000 levels deep, as a string inside a well-formed request: what each service parses and walks itself. */
const deepText = JSON.stringify(deep(100_000));
const deepObject = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;

it('costs one request, never the process, for payloads nested 100,000 levels deep inside strings', async () => {
  const machine = /(arn:aws:states:\S+:stateMachine:\S+)/.exec(runtime.output())?.[1] ?? '';
  const json = (service: string, target: string, version: string, body: string) => ({
    label: `${target} with deep text`,
    port: portOf(serviceUrl(service)),
    bytes: () =>
      signedRequest(service, 'POST', '/', body, {
        'content-type': `application/x-amz-json-${version}`,
        'x-amz-target': target,
      }),
  });
  const cases = [
    json(
      'stepfunctions',
      'AWSStepFunctions.StartSyncExecution',
      '1.0',
      `{"stateMachineArn":"${machine}","input":${deepText}}`,
    ),
    json(
      'stepfunctions',
      'AWSStepFunctions.StartSyncExecution',
      '1.0',
      `{"stateMachineArn":"${machine}","input":${JSON.stringify(deepObject)}}`,
    ),
    json(
      'stepfunctions',
      'AWSStepFunctions.StartExecution',
      '1.0',
      `{"stateMachineArn":"${machine}","input":${deepText}}`,
    ),
    json(
      'eventbridge',
      'AWSEvents.PutEvents',
      '1.1',
      `{"Entries":[{"Source":"s","DetailType":"d","Detail":${JSON.stringify(deepObject)}}]}`,
    ),
    json(
      'eventbridge',
      'AWSEvents.TestEventPattern',
      '1.1',
      `{"EventPattern":${JSON.stringify(deepObject)},"Event":"{}"}`,
    ),
    json(
      'eventbridge',
      'AWSEvents.TestEventPattern',
      '1.1',
      `{"EventPattern":"{\\"source\\":[\\"s\\"]}","Event":${JSON.stringify(deepObject)}}`,
    ),
    json(
      'sqs',
      'AmazonSQS.CreateQueue',
      '1.0',
      `{"QueueName":"deep","Attributes":{"RedrivePolicy":${JSON.stringify(deepObject)}}}`,
    ),
    json(
      'ssm',
      'AmazonSSM.PutParameter',
      '1.1',
      `{"Name":"/deep","Value":${deepText},"Type":"String","Overwrite":true}`,
    ),
    json('secretsmanager', 'secretsmanager.CreateSecret', '1.1', `{"Name":"deep","SecretString":${deepText}}`),
    json(
      'dynamodb',
      'DynamoDB_20120810.PutItem',
      '1.0',
      `{"TableName":"${tableName}","Item":{"id":{"S":"deep"},"m":${'{"M":{"a":'.repeat(5000)}{"S":"x"}${'}}'.repeat(5000)}}}`,
    ),
    {
      label: 'SNS filter policy with deep text',
      port: portOf(serviceUrl('sns')),
      bytes: () =>
        signedRequest(
          'sns',
          'POST',
          '/',
          `Action=CreateTopic&Name=deep&Attributes.entry.1.key=Policy&Attributes.entry.1.value=${encodeURIComponent(deepObject)}`,
          FORM,
        ),
    },
    {
      label: 'Lambda Invoke with a deep object',
      port: portOf(serviceUrl('lambda')),
      bytes: () =>
        signedRequest('lambda', 'POST', '/2015-03-31/functions/EchoFunction/invocations', deepObject, {
          'content-type': 'application/json',
        }),
    },
    {
      label: 'the token issuer with deep claims',
      port: portOf(runtime.info.restUrl),
      bytes: () =>
        requestBytes(
          'POST',
          '/_local/issuer/token',
          [
            ['Host', new URL(runtime.info.restUrl).host],
            ['Content-Type', 'application/json'],
          ],
          Buffer.from(`{"sub":"a","claims":${deepObject},"extra":${deepObject}}`),
        ),
    },
  ];
  expect(await runAll(cases)).toEqual([]);
  // DynamoDB's own refusal past 32 levels of nested attributes; 30 levels are stored.
  const nestedItem = async (levels: number) => {
    const body = `{"TableName":"${tableName}","Item":{"id":{"S":"nested${levels}"},"m":${'{"M":{"a":'.repeat(levels)}{"S":"x"}${'}}'.repeat(levels)}}}`;
    const answer = await rawExchange(
      portOf(serviceUrl('dynamodb')),
      await signedRequest('dynamodb', 'POST', '/', body, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.PutItem',
      }),
    );
    return `${answer.status} ${/"message":"(Nesting Levels[^:]*)/.exec(answer.body.toString())?.[1] ?? ''}`;
  };
  expect(await nestedItem(30)).toBe('200 ');
  expect(await nestedItem(100)).toBe('400 Nesting Levels have exceeded supported limits');
  expect(runtime.exited()).toBe(false);
}, 60_000);

it('answers the token issuer fed wrong types with a 4xx that says why', async () => {
  const bodies = [
    '{"sub":{"toString":1}}',
    '{"sub":["a"],"scope":{"__proto__":1}}',
    '{"sub":"a","expiresInSeconds":1e999}',
    '{"sub":"a","expires_in":-1}',
    '{"sub":"a","scope":["a",{"b":1}]}',
    '{"sub":"a","token_use":null}',
    '{"sub":"a","aud":{"toString":1}}',
    '{"sub":"\\ud800"}',
    '[]',
    'null',
    '"x"',
    '{"sub":"a","__proto__":{"admin":true}}',
  ];
  const host = new URL(runtime.info.restUrl).host;
  const cases = [
    ...bodies.map((body) => ({
      label: `issuer POST ${body}`,
      port: portOf(runtime.info.restUrl),
      bytes: () =>
        requestBytes(
          'POST',
          '/_local/issuer/token',
          [
            ['Host', host],
            ['Content-Type', 'application/json'],
          ],
          Buffer.from(body),
        ),
      ok: (answer: RawAnswer) => (answer.status ?? 0) < 400 || /"message"/.test(answer.body.toString()),
    })),
    ...['?sub=%ZZ', '?sub=a&sub=b&scope=%00', `?${Array.from({ length: 10_000 }, (_, i) => `c${i}=1`).join('&')}`].map(
      (query) => ({
        label: `issuer GET ${query.slice(0, 40)}`,
        port: portOf(runtime.info.restUrl),
        bytes: () => requestBytes('GET', `/_local/issuer/token${query}`, [['Host', host]], Buffer.alloc(0)),
        ok: (answer: RawAnswer) => (answer.status ?? 0) < 400 || /"message"/.test(answer.body.toString()),
      }),
    ),
  ];
  expect(await runAll(cases)).toEqual([]);
}, 60_000);

/** A request to the JSON-protocol operation `operation` of `service`, as JSON_SERVICES names its target. */
const jsonShape = (service: string, operation: string, body = '{}') => {
  const spec = JSON_SERVICES.find((candidate) => candidate.service === service);
  return {
    path: '/',
    headers: {
      'content-type': `application/x-amz-json-${spec?.version}`,
      'x-amz-target': `${spec?.target}.${operation}`,
    },
    body,
  };
};

/** What a request to each service looks like, so that only its signature is wrong. */
const SIGNED_SHAPES: Record<string, { path: string; headers: Record<string, string>; body: string }> = {
  sqs: jsonShape('sqs', 'ListQueues'),
  ssm: jsonShape('ssm', 'GetParametersByPath', '{"Path":"/"}'),
  dynamodb: jsonShape('dynamodb', 'ListTables'),
  stepfunctions: jsonShape('stepfunctions', 'ListStateMachines'),
  secretsmanager: jsonShape('secretsmanager', 'ListSecrets'),
  eventbridge: jsonShape('eventbridge', 'ListEventBuses'),
  sns: { path: '/', headers: FORM, body: 'Action=ListTopics&Version=2010-03-31' },
  s3: { path: '/', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: '' },
  lambda: {
    path: '/2015-03-31/functions/EchoFunction/invocations',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  },
};

it('answers garbage, expired and foreign SigV4 signatures on every service with its own 4xx', async () => {
  const cases: AttackCase[] = [];
  for (const service of runtime.info.services) {
    const shape = SIGNED_SHAPES[service.name];
    if (!shape) continue;
    const method = service.name === 's3' ? 'GET' : 'POST';
    const url = `${service.url}${shape.path}`;
    const sign = (region: string, signingName: string) =>
      signedHeaders(url, runtime.info.credentials, region, method, shape.body, {
        service: signingName,
        headers: shape.headers,
      });
    const good = await sign('us-east-1', SIGNING_NAMES[service.name] ?? service.name);
    const authorization = good.authorization ?? '';
    /** The good signature's headers with `change` made (an undefined value leaves the header out). */
    const changed = (change: Record<string, string | undefined>) =>
      Object.fromEntries(
        Object.entries({ ...good, ...change }).filter((entry): entry is [string, string] => entry[1] !== undefined),
      );
    const broken: Record<string, Record<string, string>> = {
      'another region': await sign('eu-west-1', SIGNING_NAMES[service.name] ?? service.name),
      'another service': await sign('us-east-1', service.name === 'sqs' ? 'sns' : 'sqs'),
      'a date in 2000': changed({ 'x-amz-date': '20000101T000000Z' }),
      'a date that is no date': changed({ 'x-amz-date': '2024-13-45T99:99:99Z' }),
      'no date': changed({ 'x-amz-date': undefined }),
      'an algorithm alone': changed({ authorization: 'AWS4-HMAC-SHA256' }),
      'an empty credential': changed({ authorization: 'AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=' }),
      'a credential of 300 slashes': changed({
        authorization: `AWS4-HMAC-SHA256 Credential=${'/'.repeat(300)}, SignedHeaders=host, Signature=00`,
      }),
      SigV2: changed({ authorization: 'AWS AKIDEXAMPLE:c2lnbmF0dXJl' }),
      'a bearer token': changed({ authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' }),
      'two signatures': changed({ authorization: `${authorization}, ${authorization}` }),
    };
    // Taken locally, though AWS may refuse them: a header named in SignedHeaders but not sent is left out of the
    // signature (which still has to match the rest), and a session token is not checked (the local credentials
    // have none). Neither lets a request through without the right signature; each must still be answered.
    const lenient: Record<string, Record<string, string>> = {
      'signed headers that are not sent': changed({
        authorization: authorization.replace('SignedHeaders=', 'SignedHeaders=x-missing;'),
      }),
      'a security token that is no token': changed({ 'x-amz-security-token': '%%%' }),
    };
    for (const [what, headers] of [...Object.entries(broken), ...Object.entries(lenient)])
      cases.push({
        label: `${service.name}: ${what}`,
        port: portOf(service.url),
        bytes: () => requestBytes(method, shape.path, Object.entries(headers), Buffer.from(shape.body)),
        ok: (answer: RawAnswer) => what in lenient || ((answer.status ?? 0) >= 400 && answer.body.length > 0),
      });
    cases.push({
      label: `${service.name}: presigned query of garbage`,
      port: portOf(service.url),
      bytes: async () =>
        requestBytes(
          method,
          `${shape.path}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%ZZ&X-Amz-Date=x&X-Amz-Expires=1e999&X-Amz-SignedHeaders=host&X-Amz-Signature=00`,
          [['Host', new URL(service.url).host], ...Object.entries(shape.headers)],
          Buffer.from(shape.body),
        ),
      ok: (answer: RawAnswer) => (answer.status ?? 0) >= 400 && answer.body.length > 0,
    });
  }
  expect(await runAll(cases)).toEqual([]);
}, 60_000);

it('answers expressions, numbers and patterns that nest or run long inside strings with a 4xx', async () => {
  const parens = (depth: number, inner: string) => `${'('.repeat(depth)}${inner}${')'.repeat(depth)}`;
  const dynamo = (operation: string, body: Record<string, unknown>) => ({
    label: `dynamodb ${operation} ${JSON.stringify(body).slice(0, 90)}`,
    port: portOf(serviceUrl('dynamodb')),
    bytes: () =>
      signedRequest('dynamodb', 'POST', '/', JSON.stringify({ TableName: tableName, ...body }), {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
      }),
    ok: (answer: RawAnswer) => (answer.status ?? 0) < 400 || /"__type"/.test(answer.body.toString()),
  });
  const values = { ':v': { S: 'x' } };
  const cases: AttackCase[] = [
    ...['1e999', '-0', 'NaN', 'Infinity', '1234567890123456789012345678901234567890', '0x10', '', ' 1'].map((n) =>
      dynamo('PutItem', { Item: { id: { S: `n${n}` }, n: { N: n } } }),
    ),
    dynamo('PutItem', { Item: { id: { S: 'b' }, b: { B: '%%%not base64' } } }),
    dynamo('PutItem', { Item: { id: { S: 'ns' }, s: { NS: ['1', '1'] } } }),
    dynamo('PutItem', { Item: { id: { S: 'two types' }, s: { S: 'x', N: '1' } } }),
    dynamo('PutItem', { Item: { id: { S: '\ud800' } } }),
    dynamo('Query', { KeyConditionExpression: parens(10_000, 'id = :v'), ExpressionAttributeValues: values }),
    dynamo('Scan', { FilterExpression: parens(10_000, 'id = :v'), ExpressionAttributeValues: values }),
    dynamo('Scan', { FilterExpression: `${'NOT '.repeat(10_000)}id = :v`, ExpressionAttributeValues: values }),
    dynamo('Scan', {
      FilterExpression: Array.from({ length: 5000 }, () => 'id = :v').join(' AND '),
      ExpressionAttributeValues: values,
    }),
    dynamo('Scan', { ProjectionExpression: Array.from({ length: 5000 }, (_, index) => `a${index}`).join(', ') }),
    dynamo('Scan', { ProjectionExpression: `a${'.b'.repeat(10_000)}` }),
    dynamo('Scan', { ProjectionExpression: `a${'[0]'.repeat(10_000)}` }),
    dynamo('UpdateItem', {
      Key: { id: { S: 'u' } },
      UpdateExpression: `SET a = ${parens(10_000, ':v')}`,
      ExpressionAttributeValues: values,
    }),
    dynamo('UpdateItem', {
      Key: { id: { S: 'u' } },
      UpdateExpression: `SET a = ${Array.from({ length: 5000 }, () => 'if_not_exists(a, :v)').join(' + ')}`,
      ExpressionAttributeValues: values,
    }),
    dynamo('PutItem', { Item: { id: { S: 'c' } }, ConditionExpression: parens(10_000, 'attribute_not_exists(id)') }),
  ];
  const event = JSON.stringify({
    id: '1',
    account: '123456789012',
    source: 's',
    time: '2024-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    'detail-type': 'd',
    detail: {},
  });
  const deepPattern = `{"detail":${'{"a":'.repeat(100_000)}["x"]${'}'.repeat(100_000)}}`;
  for (const pattern of [
    deepPattern,
    `{"source":[${Array.from({ length: 100_000 }, () => '"s"').join(',')}]}`,
    '{"source":[{"prefix":{"toString":1}}]}',
    '{"source":[{"numeric":[">",1e999,"<",-1e999]}]}',
    '{"source":[{"anything-but":{"anything-but":{"anything-but":"s"}}}]}',
    '{"source":[{"wildcard":"*********************************************************x"}]}',
    '{"__proto__":["s"],"constructor":{"prototype":["x"]}}',
  ])
    cases.push({
      label: `eventbridge TestEventPattern ${pattern.slice(0, 80)}`,
      port: portOf(serviceUrl('eventbridge')),
      bytes: () =>
        signedRequest('eventbridge', 'POST', '/', JSON.stringify({ EventPattern: pattern, Event: event }), {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSEvents.TestEventPattern',
        }),
      ok: (answer: RawAnswer) => (answer.status ?? 0) < 400 || /"__type"/.test(answer.body.toString()),
    });
  expect(await runAll(cases)).toEqual([]);
  // dynalite parses nested parentheses in time exponential in their depth: past 7 levels the local DynamoDB refuses
  // the expression, where it answered nothing (to anyone) for seconds to hours; 7 levels are still served.
  const scanStatus = async (depth: number) => {
    const body = JSON.stringify({
      TableName: tableName,
      FilterExpression: `${'id = :v AND ('.repeat(depth)}id = :v${')'.repeat(depth)}`,
      ExpressionAttributeValues: values,
    });
    const answer = await rawExchange(
      portOf(serviceUrl('dynamodb')),
      await signedRequest('dynamodb', 'POST', '/', body, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.Scan',
      }),
    );
    return `${answer.status} ${/Invalid FilterExpression: parentheses nested deeper than 7 /.test(answer.body.toString())}`;
  };
  expect(await scanStatus(7)).toBe('200 false');
  expect(await scanStatus(8)).toBe('400 true');
  expect(runtime.exited()).toBe(false);
}, 60_000);

it('still serves a well-signed request on every service after the battery', async () => {
  const statuses: Record<string, number | undefined> = {};
  for (const service of runtime.info.services) {
    const shape = SIGNED_SHAPES[service.name];
    if (!shape) continue;
    const method = service.name === 's3' ? 'GET' : 'POST';
    const answer = await rawExchange(
      portOf(service.url),
      await signedRequest(service.name, method, shape.path, shape.body, shape.headers),
    );
    statuses[service.name] = answer.status;
  }
  expect(statuses).toEqual(Object.fromEntries(Object.keys(SIGNED_SHAPES).map((name) => [name, 200])));
  expect(runtime.exited()).toBe(false);
});

it('answers SQS message attributes of hostile types and values, and loses no message it took', async () => {
  const send = (attributes: string) =>
    signedRequest(
      'sqs',
      'POST',
      '/',
      `{"QueueUrl":${JSON.stringify(queue)},"MessageBody":"m","MessageAttributes":${attributes}}`,
      { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' },
    );
  const attributeSets = [
    '{"a":{"DataType":"Binary","BinaryValue":"%%%"}}',
    '{"a":{"DataType":"Binary","BinaryValue":5}}',
    '{"a":{"DataType":"Number","StringValue":"1e999"}}',
    '{"a":{"DataType":"Number","StringValue":"NaN"}}',
    '{"a":{"DataType":"Number.__proto__","StringValue":"1"}}',
    '{"a":{"DataType":"String","StringValue":"\\ud800"}}',
    '{"a":{"DataType":"String"}}',
    '{"a":{"DataType":"","StringValue":"x"}}',
    '{"a":{"DataType":"String","StringValue":"x","BinaryValue":"eA=="}}',
    `{"a":{"DataType":"String.${'a'.repeat(300)}","StringValue":"x"}}`,
    `{${Array.from({ length: 11 }, (_, index) => `"k${index}":{"DataType":"String","StringValue":"x"}`).join(',')}}`,
    `{"${'k'.repeat(257)}":{"DataType":"String","StringValue":"x"}}`,
    '{"AWS.x":{"DataType":"String","StringValue":"x"}}',
    '{"a..b":{"DataType":"String","StringValue":"x"}}',
    '{"":{"DataType":"String","StringValue":"x"}}',
    '[]',
    '{"a":[]}',
    '{"a":{"DataType":{"toString":1},"StringValue":"x"}}',
  ];
  const answers = await Promise.all(
    attributeSets.map(async (attributes) => ({
      attributes,
      answer: await rawExchange(portOf(serviceUrl('sqs')), await send(attributes)),
    })),
  );
  const bad = answers.filter(
    ({ answer }) =>
      answer.status === undefined ||
      answer.status >= 500 ||
      (answer.status >= 400 && !/"__type"/.test(answer.body.toString())),
  );
  expect(bad.map(({ attributes, answer }) => `${attributes}: ${answer.status} ${answer.body}`)).toEqual([]);
  if (process.env.ATTACK_DEBUG)
    for (const { attributes, answer } of answers)
      process.stdout.write(`${answer.status} ${attributes.slice(0, 80)} ${answer.body.subarray(0, 160)}\n`);
  // Every message taken is received, its attributes intact.
  const taken = answers.filter(({ answer }) => answer.status === 200).length;
  let received = 0;
  for (let round = 0; round < 20 && received < taken; round += 1) {
    const answer = await rawExchange(
      portOf(serviceUrl('sqs')),
      await signedRequest(
        'sqs',
        'POST',
        '/',
        `{"QueueUrl":${JSON.stringify(queue)},"MaxNumberOfMessages":10,"MessageAttributeNames":["All"],"VisibilityTimeout":60}`,
        { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ReceiveMessage' },
      ),
    );
    expect(answer.status).toBe(200);
    received +=
      (JSON.parse(answer.body.toString()) as { Messages?: unknown[] }).Messages?.filter(
        (message) => (message as { Body?: string }).Body === 'm',
      ).length ?? 0;
  }
  expect(received).toBeGreaterThanOrEqual(taken);
}, 60_000);

it('answers DeleteObjects fed hostile XML with a 4xx in S3’s shape, promptly', async () => {
  const s3 = (body: string) =>
    signedRequest('s3', 'POST', '/hostile-bucket?delete', body, {
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'content-md5': createHash('md5').update(body).digest('base64'),
      'content-type': 'application/xml',
    });
  await rawExchange(
    portOf(serviceUrl('s3')),
    await signedRequest('s3', 'PUT', '/hostile-bucket', '', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }),
  );
  const documents = [
    '<Delete><Object><Key>&#x110000;</Key></Object></Delete>',
    '<Delete><Object><Key>&#99999999999;</Key></Object></Delete>',
    '<Delete><Object><Key>&#xD800;</Key></Object></Delete>',
    '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><Delete><Object><Key>&b;</Key></Object></Delete>',
    '<Delete><Object><Key>x</Key></Object><Object></Object></Delete>',
    `<Delete>${'<Object>'.repeat(200_000)}</Delete>`,
    `<Delete>${'<Object><Key>'.repeat(100_000)}</Delete>`,
    `<Delete>${'<Object><Key>k</Key></Object>'.repeat(1001)}</Delete>`,
    '<Delete><Object><Key>../../etc/passwd</Key></Object><Quiet>maybe</Quiet></Delete>',
    '',
  ];
  const cases: AttackCase[] = documents.map((document, index) => ({
    label: `s3 DeleteObjects case ${index}: ${document.slice(0, 60)}`,
    port: portOf(serviceUrl('s3')),
    bytes: () => s3(document),
    ok: (answer: RawAnswer) => (answer.status ?? 0) < 400 || /<Error>/.test(answer.body.toString()),
  }));
  expect(await runAll(cases)).toEqual([]);
  expect(runtime.exited()).toBe(false);
}, 60_000);

it('matches EventBridge wildcards of many stars against long values at once, and as AWS does', async () => {
  const test = async (wildcard: string, source: string) => {
    const event = JSON.stringify({
      id: '1',
      account: '123456789012',
      source,
      time: '2024-01-01T00:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'd',
      detail: {},
    });
    const answer = await rawExchange(
      portOf(serviceUrl('eventbridge')),
      await signedRequest(
        'eventbridge',
        'POST',
        '/',
        JSON.stringify({ EventPattern: JSON.stringify({ source: [{ wildcard }] }), Event: event }),
        { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.TestEventPattern' },
      ),
      5000,
    );
    return answer.hung ? 'no answer' : answer.body.toString();
  };
  // Polynomial backtracking of `.*` runs: this one held the event loop (every port) for minutes.
  expect(await test(`${'*a'.repeat(12)}b`, 'a'.repeat(200))).toBe('{"Result":false}');
  expect(await test(`${'*a'.repeat(12)}b`, `${'a'.repeat(200)}b`)).toBe('{"Result":true}');
  expect(await test('ab*ba', 'aba')).toBe('{"Result":false}');
  expect(await test('a*b*c', 'abbbc')).toBe('{"Result":true}');
  expect(await test('a\\*b', 'a*b')).toBe('{"Result":true}');
  expect(await test('a\\*b', 'axb')).toBe('{"Result":false}');
  expect(await test('*', '')).toBe('{"Result":true}');
}, 60_000);
