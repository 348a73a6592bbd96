import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { call, signedHeaders } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';
import { requestBytes } from './hostile-input.ts';
import { type RawAnswer, rawExchange } from './raw-http.ts';
import { SIGNING_NAMES, signServiceRequest } from './service-requests.ts';

/**
 * Targeted attacks the seeded fuzz rarely hits, on every port: each service operation fed values of the wrong JSON
 * type, numbers JSON cannot hold, lone surrogates, deep nesting and huge strings in every field it reads; the query
 * protocols fed duplicated, missing and broken parameters; S3 fed hostile keys, ranges and aws-chunked bodies; every
 * port fed HTTP framing odd enough to slip past a parser. Each must get one answer, a 4xx in the service's own shape
 * (never a 5xx, a hang or a close), and the runtime serves on.
 */
const runtime = fixtureRuntime('hostile', ['--time-scale', '0.01']);
const CONCURRENCY = 6;

const serviceUrl = (name: string) => {
  const service = runtime.info.services.find((candidate) => candidate.name === name);
  if (!service) throw new Error(`no ${name} endpoint: ${runtime.info.services.map((s) => s.name).join(', ')}`);
  return service.url;
};
const portOf = (url: string) => Number(new URL(url).port);

/**
 * Signed as the service's SDK client would sign it, the path as given (no URL parser to resolve `..` or fix escapes),
 * then sent as raw bytes.
 */
const signedRequest = async (
  service: string,
  method: string,
  target: string,
  body: string | Buffer,
  headers: Record<string, string>,
): Promise<Buffer> => {
  const url = serviceUrl(service);
  const signed = await signServiceRequest(runtime.info.credentials, service, url, {
    method,
    target,
    headers: { host: new URL(url).host, ...headers },
    body,
  });
  return requestBytes(method, target, Object.entries(signed), Buffer.from(body));
};

/** Runs the cases a few at a time; returns what went wrong, one line per case. */
const runAll = async (
  cases: { label: string; port: number; bytes: () => Promise<Buffer> | Buffer; ok?: (answer: RawAnswer) => boolean }[],
) => {
  const findings: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < cases.length) {
      const one = cases[next] as (typeof cases)[number];
      next += 1;
      const answer = await rawExchange(one.port, await one.bytes());
      const text = answer.body.subarray(0, 160).toString();
      if (process.env.ATTACK_DEBUG) process.stdout.write(`${answer.status} ${one.label} => ${text.slice(0, 120)}\n`);
      if (answer.hung) findings.push(`${one.label}: no answer`);
      else if (answer.status === undefined && !answer.resetWhileSending)
        findings.push(`${one.label}: closed unanswered`);
      else if ((answer.status ?? 0) >= 500) findings.push(`${one.label}: ${answer.status} ${text}`);
      else if (one.ok && !one.ok(answer)) findings.push(`${one.label}: ${answer.status} ${text}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return findings;
};

const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

/** Values as JSON text, so numbers and escapes JSON.stringify would never write reach the service. */
const HOSTILE_VALUES: Record<string, string> = {
  number: '5',
  null: 'null',
  array: '[]',
  object: '{}',
  arrayOfNulls: '[null,null]',
  arrayOfObjects: '[{},{"__proto__":{}}]',
  boolean: 'true',
  infinity: '1e999',
  negativeZero: '-0',
  twoToThe64: '18446744073709551616',
  loneSurrogate: '"\\ud800"',
  protoKeys: '{"__proto__":{"x":1},"constructor":{"prototype":1},"toString":1}',
  longString: `"${'a'.repeat(3000)}"`,
  deep: deep(5000),
};

interface JsonService {
  service: string;
  target: string;
  version: string;
  operations: string[];
  /** Every field the operations read. */
  fields: string[];
  /** The field a payload goes in: the one fed 100,000 levels of nesting. */
  deepField: string;
}

const JSON_SERVICES: JsonService[] = [
  {
    service: 'sqs',
    deepField: 'MessageAttributes',
    target: 'AmazonSQS',
    version: '1.0',
    operations: [
      'SendMessage',
      'SendMessageBatch',
      'ReceiveMessage',
      'DeleteMessage',
      'DeleteMessageBatch',
      'ChangeMessageVisibility',
      'ChangeMessageVisibilityBatch',
      'GetQueueUrl',
      'GetQueueAttributes',
      'SetQueueAttributes',
      'CreateQueue',
      'DeleteQueue',
      'ListQueues',
      'PurgeQueue',
      'ListDeadLetterSourceQueues',
      'TagQueue',
      'ListQueueTags',
    ],
    fields: [
      'QueueUrl',
      'QueueName',
      'MessageBody',
      'DelaySeconds',
      'MessageAttributes',
      'MessageSystemAttributes',
      'MessageDeduplicationId',
      'MessageGroupId',
      'Entries',
      'MaxNumberOfMessages',
      'VisibilityTimeout',
      'WaitTimeSeconds',
      'AttributeNames',
      'MessageAttributeNames',
      'MessageSystemAttributeNames',
      'ReceiptHandle',
      'Attributes',
      'QueueNamePrefix',
      'MaxResults',
      'NextToken',
      'Tags',
    ],
  },
  {
    service: 'ssm',
    deepField: 'Value',
    target: 'AmazonSSM',
    version: '1.1',
    operations: ['GetParameter', 'GetParameters', 'GetParametersByPath', 'PutParameter', 'DeleteParameter'],
    fields: [
      'Name',
      'Names',
      'Path',
      'Recursive',
      'WithDecryption',
      'Value',
      'Type',
      'Overwrite',
      'MaxResults',
      'NextToken',
      'ParameterFilters',
    ],
  },
  {
    service: 'stepfunctions',
    deepField: 'input',
    target: 'AWSStepFunctions',
    version: '1.0',
    operations: [
      'StartExecution',
      'StartSyncExecution',
      'DescribeExecution',
      'ListExecutions',
      'StopExecution',
      'GetExecutionHistory',
      'DescribeStateMachine',
      'DeleteStateMachine',
      'ListStateMachines',
    ],
    fields: [
      'stateMachineArn',
      'executionArn',
      'name',
      'input',
      'maxResults',
      'nextToken',
      'reverseOrder',
      'statusFilter',
      'cause',
      'error',
      'includeExecutionData',
    ],
  },
  {
    service: 'secretsmanager',
    deepField: 'SecretString',
    target: 'secretsmanager',
    version: '1.1',
    operations: [
      'GetSecretValue',
      'BatchGetSecretValue',
      'DescribeSecret',
      'ListSecrets',
      'CreateSecret',
      'PutSecretValue',
      'UpdateSecret',
      'DeleteSecret',
      'RestoreSecret',
      'GetRandomPassword',
      'TagResource',
      'UntagResource',
    ],
    fields: [
      'SecretId',
      'SecretIdList',
      'Name',
      'SecretString',
      'SecretBinary',
      'Description',
      'KmsKeyId',
      'ClientRequestToken',
      'Tags',
      'TagKeys',
      'Filters',
      'MaxResults',
      'NextToken',
      'SortOrder',
      'IncludePlannedDeletion',
      'VersionId',
      'VersionStage',
      'VersionStages',
      'RecoveryWindowInDays',
      'ForceDeleteWithoutRecovery',
      'PasswordLength',
      'ExcludeCharacters',
      'ExcludeNumbers',
      'ExcludePunctuation',
      'IncludeSpace',
      'RequireEachIncludedType',
    ],
  },
  {
    service: 'eventbridge',
    deepField: 'Entries',
    target: 'AWSEvents',
    version: '1.1',
    operations: [
      'PutEvents',
      'ListEventBuses',
      'DescribeEventBus',
      'ListRules',
      'DescribeRule',
      'ListTargetsByRule',
      'TestEventPattern',
    ],
    fields: ['Entries', 'Name', 'NamePrefix', 'EventBusName', 'Rule', 'EventPattern', 'Event', 'Limit', 'NextToken'],
  },
  {
    service: 'dynamodb',
    deepField: 'Item',
    target: 'DynamoDB_20120810',
    version: '1.0',
    operations: [
      'PutItem',
      'GetItem',
      'UpdateItem',
      'DeleteItem',
      'Query',
      'Scan',
      'BatchGetItem',
      'BatchWriteItem',
      'TransactWriteItems',
      'TransactGetItems',
      'DescribeTable',
      'CreateTable',
      'UpdateTimeToLive',
      'DescribeTimeToLive',
      'ListTables',
    ],
    fields: [
      'TableName',
      'Item',
      'Key',
      'RequestItems',
      'TransactItems',
      'KeyConditionExpression',
      'FilterExpression',
      'UpdateExpression',
      'ConditionExpression',
      'ProjectionExpression',
      'ExpressionAttributeNames',
      'ExpressionAttributeValues',
      'ExclusiveStartKey',
      'Limit',
      'AttributeDefinitions',
      'KeySchema',
      'TimeToLiveSpecification',
    ],
  },
];

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

const form = (pairs: string[]) => pairs.join('&');
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** An answer in the query protocol's shape: `<ErrorResponse>` XML, or its JSON form when JSON was asked for. */
const queryShaped = (answer: RawAnswer) =>
  (answer.status ?? 0) < 400 || /<ErrorResponse|<Error>|"__type"|"Error"/.test(answer.body.toString());

it('answers the query protocols (SQS, SNS) fed duplicated, missing, broken and numerous parameters with a 4xx', async () => {
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
  const md5 = createHash('md5').update('x').digest('base64');
  expect(await codeOf('PUT', '/hostile-bucket/md5', 'x', { 'content-md5': md5 })).toBe('200 undefined');
  // Nothing escaped the bucket: a key of `..` segments is a key like any other.
  const listing = await call(`${serviceUrl('s3')}/`, { method: 'GET' });
  expect(listing.status).toBeLessThan(500);
  expect(runtime.exited()).toBe(false);
}, 60_000);

/** Every port the runtime opens, by name. */
const allPorts = (): [string, number][] => [
  ['api', portOf(runtime.info.restUrl)],
  ['websocket', portOf(runtime.info.wsUrl)],
  ...runtime.info.apis.map((api): [string, number] => [`${api.kind} ${api.logicalId}`, portOf(api.url)]),
  ...runtime.info.services.map((service): [string, number] => [service.name, portOf(service.url)]),
];

/** Requests whose framing is odd enough to slip past a parser, or to make a server answer twice or not at all. */
const FRAMING: Record<string, string> = {
  'two different Content-Lengths': 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x',
  'two equal Content-Lengths':
    'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
  'a chunk size past 64 bits':
    'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nx\r\n0\r\n\r\n',
  'a coding after chunked': 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n',
  'chunked twice':
    'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'a header line without a colon': 'GET / HTTP/1.1\r\nHost: h\r\nNo-Colon-Here\r\n\r\n',
  'a 1 MB header': `GET / HTTP/1.1\r\nHost: h\r\nX-Big: ${'a'.repeat(1024 * 1024)}\r\n\r\n`,
  '10,000 headers': `GET / HTTP/1.1\r\nHost: h\r\n${'a:1\r\n'.repeat(10_000)}\r\n`,
  'HTTP/1.0 without Host': 'GET / HTTP/1.0\r\n\r\n',
  'HTTP/1.1 without Host': 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n',
  'HTTP/0.9': 'GET /\r\n\r\n',
  'HTTP/2 preface': 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
  'an absolute-form target': 'GET http://127.0.0.1/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
  'an absolute-form target naming another host':
    'GET http://169.254.169.254/latest/meta-data HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
  'the asterisk target': 'OPTIONS * HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
  TRACE: 'TRACE / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
  'a method past the known': 'BREW / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
  'Expect: a token servers do not know':
    'POST / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
  'a body on GET with a bad chunk':
    'GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxx\r\n0\r\n\r\n',
  'a bare LF line end': 'GET / HTTP/1.1\nHost: h\nConnection: close\n\n',
  'a NUL in the path': 'GET /a\u0000b HTTP/1.1\r\nHost: h\r\n\r\n',
  'a space in a header name': 'GET / HTTP/1.1\r\nHost: h\r\nX Y: 1\r\n\r\n',
};

it('answers HTTP framing attacks on every port with one answer, no 5xx, and serves on', async () => {
  const cases = allPorts().flatMap(([name, port]) =>
    Object.entries(FRAMING).map(([what, text]) => ({
      label: `${name}: ${what}`,
      port,
      bytes: () => Buffer.from(text, 'latin1'),
      // Every refusal says why: no empty 4xx.
      ok: (answer: RawAnswer) => (answer.status ?? 0) < 400 || answer.body.length > 0,
    })),
  );
  expect(await runAll(cases)).toEqual([]);
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

const apiUrl = (kind: 'REST' | 'HTTP') => {
  const api = runtime.info.apis.find((candidate) => candidate.kind === kind);
  if (!api) throw new Error(`the fixture has no ${kind} API`);
  return new URL(api.url);
};

it('answers REST and HTTP APIs fed encoded dots and slashes, 3,000 query parameters, huge Accept lists and deep bodies', async () => {
  const params = Array.from({ length: 3000 }, (_, index) => `p${index % 50}=${index}`).join('&');
  const accept = Array.from({ length: 1000 }, (_, index) => `type${index}/sub;q=0.${index % 10}`).join(',');
  const requests: [string, string, [string, string][], string][] = [
    ['GET', '/%2e%2e/%2e%2e/_local/runtime', [], ''],
    ['GET', '/..%2f..%2f_local%2fruntime', [], ''],
    ['GET', '/mock/%2e%2e', [], ''],
    ['GET', '/a%2fb/%2F%2f', [], ''],
    ['GET', '/%ZZ/%', [], ''],
    ['GET', '/%C0%AE%C0%AE/', [], ''],
    ['GET', `/mock?${params}`, [], ''],
    ['GET', '/mock?q=%ZZ&%=1&=&&q', [], ''],
    ['GET', '/mock?q=%24util.urlDecode(%27%25%27)%23set(%24a%3D1)', [], ''],
    ['GET', '/mock', [['Accept', accept]], ''],
    ['GET', '/mock', [['Accept', '*/*;q=1e999, text/html;q=-0']], ''],
    ['POST', '/mapped', [['Content-Type', 'application/json']], deep(100_000)],
    ['POST', '/mapped', [['Content-Type', 'application/json']], `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`],
    ['POST', '/mapped', [['Content-Type', 'application/json']], '{"a":1e999,"b":-0,"c":18446744073709551616}'],
    ['POST', '/mapped', [['Content-Type', 'application/json']], '{"a":"\\ud800","__proto__":{"x":1}}'],
    ['POST', '/anything', [['Content-Type', 'application/json']], deep(100_000)],
    ['POST', '/v1/anything', [['Content-Type', 'application/json']], deep(100_000)],
    ['GET', '/anything', [['Cookie', Array.from({ length: 1000 }, (_, index) => `c${index}=${index}`).join('; ')]], ''],
    ['GET', '/anything', [['Content-Type', 'multipart/form-data; boundary=']], ''],
  ];
  const cases = (['REST', 'HTTP'] as const).flatMap((kind) => {
    const url = apiUrl(kind);
    return requests.map(([method, path, headers, body]) => ({
      label: `${kind} ${method} ${path.slice(0, 60)} ${JSON.stringify(headers).slice(0, 40)}`,
      port: Number(url.port),
      bytes: () => requestBytes(method, `${url.pathname}${path}`, [['Host', url.host], ...headers], Buffer.from(body)),
      // API Gateway's own shape, and never the runtime's own pages through an API's path.
      ok: (answer: RawAnswer) =>
        !answer.body.toString().includes('"credentials"') &&
        ((answer.status ?? 0) < 400 || /"message"/.test(answer.body.toString())),
    }));
  });
  expect(await runAll(cases)).toEqual([]);
  expect(runtime.exited()).toBe(false);
}, 60_000);

it('answers @connections calls with a huge body, an unknown or malformed id and deep JSON in its own shape', async () => {
  const ws = new URL(runtime.info.webSockets[0]?.url ?? runtime.info.wsUrl);
  const stage = ws.pathname.split('/').filter(Boolean)[0] ?? 'fuzz';
  const calls: [string, string, string][] = [
    ['POST', 'AAAAAAAAAAAAAAA=', 'x'.repeat(200 * 1024)],
    ['POST', 'AAAAAAAAAAAAAAA=', deep(30_000)],
    ['POST', 'not%20an%20id', '{}'],
    ['POST', '%ZZ', '{}'],
    ['POST', '__proto__', '{}'],
    ['GET', 'constructor', ''],
    ['DELETE', 'AAAAAAAAAAAAAAA=', ''],
    ['PATCH', 'AAAAAAAAAAAAAAA=', ''],
  ];
  const cases = calls.map(([method, id, body]) => ({
    label: `@connections ${method} ${id}`,
    port: Number(ws.port),
    bytes: async () => {
      const path = `/${stage}/@connections/${id}`;
      const headers = await signedHeaders(`${ws.origin}${path}`, runtime.info.credentials, 'us-east-1', method, body);
      return requestBytes(method, path, Object.entries(headers), Buffer.from(body));
    },
    ok: (answer: RawAnswer) => (answer.status ?? 0) >= 400 && /"message"/.test(answer.body.toString()),
  }));
  expect(await runAll(cases)).toEqual([]);
}, 60_000);

/** Everything the server sends on one connection until it closes it (or `timeoutMs` pass). */
const readAll = (port: number, bytes: Buffer, timeoutMs = 5000): Promise<{ text: string; closed: boolean }> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => finish(true));
    socket.on('error', () => {});
    socket.write(bytes);
  });

it('answers pipelined requests in order on every port, the first refused, and never answers after a close', async () => {
  const findings: string[] = [];
  for (const [name, port] of allPorts()) {
    const refusedThenAsked = Buffer.from(
      'GET /a HTTP/1.1\r\nHost: h\r\nHost: h2\r\n\r\nGET /b HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
      'latin1',
    );
    const first = await readAll(port, refusedThenAsked);
    const statuses = [...first.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => match[1]);
    // Two Host headers: 400 and the connection closed; the request behind it is not served.
    if (statuses.join(',') !== '400' || !first.closed) findings.push(`${name}: two Hosts then a request: ${statuses}`);
    const bodyThenAsked = Buffer.from(
      'POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhelloGET /y HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
      'latin1',
    );
    const second = await readAll(port, bodyThenAsked);
    const answers = [...second.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1]));
    // Each answered (whatever the status), in order, none a 5xx; a port may close after the first refusal.
    if (answers.length === 0 || answers.some((status) => status >= 500) || !second.closed)
      findings.push(`${name}: a body then a request: ${answers} closed=${second.closed}`);
  }
  expect(findings).toEqual([]);
}, 60_000);

/** What a request to each service looks like, so that only its signature is wrong. */
const SIGNED_SHAPES: Record<string, { path: string; headers: Record<string, string>; body: string }> = {
  sqs: {
    path: '/',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' },
    body: '{}',
  },
  ssm: {
    path: '/',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter' },
    body: '{"Name":"/hostile/setting"}',
  },
  dynamodb: {
    path: '/',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
    body: '{}',
  },
  stepfunctions: {
    path: '/',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.ListStateMachines' },
    body: '{}',
  },
  secretsmanager: {
    path: '/',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.ListSecrets' },
    body: '{}',
  },
  eventbridge: {
    path: '/',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.ListEventBuses' },
    body: '{}',
  },
  sns: { path: '/', headers: FORM, body: 'Action=ListTopics&Version=2010-03-31' },
  s3: { path: '/', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: '' },
  lambda: {
    path: '/2015-03-31/functions/EchoFunction/invocations',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  },
};

it('answers garbage, expired and foreign SigV4 signatures on every service with its own 4xx', async () => {
  const cases = [];
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
    const variants: Record<string, () => Promise<Record<string, string>>> = {
      'another region': () => sign('eu-west-1', SIGNING_NAMES[service.name] ?? service.name),
      'another service': () => sign('us-east-1', service.name === 'sqs' ? 'sns' : 'sqs'),
      'a date in 2000': async () => ({ ...good, 'x-amz-date': '20000101T000000Z' }),
      'a date that is no date': async () => ({ ...good, 'x-amz-date': '2024-13-45T99:99:99Z' }),
      'no date': async () => Object.fromEntries(Object.entries(good).filter(([name]) => name !== 'x-amz-date')),
      'an algorithm alone': async () => ({ ...good, authorization: 'AWS4-HMAC-SHA256' }),
      'an empty credential': async () => ({
        ...good,
        authorization: 'AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=',
      }),
      'a credential of 300 slashes': async () => ({
        ...good,
        authorization: `AWS4-HMAC-SHA256 Credential=${'/'.repeat(300)}, SignedHeaders=host, Signature=00`,
      }),
      SigV2: async () => ({ ...good, authorization: 'AWS AKIDEXAMPLE:c2lnbmF0dXJl' }),
      'a bearer token': async () => ({ ...good, authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' }),
      'two signatures': async () => ({ ...good, authorization: `${good.authorization}, ${good.authorization}` }),
    };
    // Taken locally, though AWS may refuse them: a header named in SignedHeaders but not sent is left out of the
    // signature (which still has to match the rest), and a session token is not checked (the local credentials
    // have none). Neither lets a request through without the right signature; each must still be answered.
    const lenient: Record<string, () => Promise<Record<string, string>>> = {
      'signed headers that are not sent': async () => ({
        ...good,
        authorization: good.authorization?.replace('SignedHeaders=', 'SignedHeaders=x-missing;') ?? '',
      }),
      'a security token that is no token': async () => ({ ...good, 'x-amz-security-token': '%%%' }),
    };
    for (const [what, headers] of [...Object.entries(variants), ...Object.entries(lenient)])
      cases.push({
        label: `${service.name}: ${what}`,
        port: portOf(service.url),
        bytes: async () => requestBytes(method, shape.path, Object.entries(await headers()), Buffer.from(shape.body)),
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

it('still serves every port after the battery', async () => {
  for (const api of runtime.info.apis) expect((await call(`${api.url}/any/path`)).status).toBeLessThan(500);
  for (const service of runtime.info.services) {
    const answer = await call(service.url, { method: 'POST', body: '{}' });
    expect({ service: service.name, status: answer.status < 500 }).toEqual({ service: service.name, status: true });
  }
  // And a handshake without Host on the WebSocket port is refused with a message, as on the others.
  const handshake = await rawExchange(
    portOf(runtime.info.wsUrl),
    Buffer.from(
      'GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    ),
  );
  expect({ status: handshake.status, body: handshake.body.toString() }).toEqual({
    status: 400,
    body: expect.stringContaining('Host'),
  });
  expect(runtime.exited()).toBe(false);
});
