import { signedHeaders } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';
import { requestBytes } from './hostile-input.ts';
import { type RawAnswer, rawExchange } from './raw-http.ts';
import { SIGNING_NAMES } from './service-requests.ts';

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

/** Signed as the service's SDK client would sign it, then sent as raw bytes. */
const signedRequest = async (
  service: string,
  method: string,
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<Buffer> => {
  const url = `${serviceUrl(service)}${path}`;
  const signed = await signedHeaders(url, runtime.info.credentials, 'us-east-1', method, body, {
    service: SIGNING_NAMES[service] ?? service,
    headers,
  });
  return requestBytes(method, path, Object.entries(signed), Buffer.from(body));
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
