import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { hostileHeaderValue, hostileJson, hostileName, PROTOTYPE_NAMES, pick, type Random } from './hostile-input.ts';

/** The template's resources as the fuzz addresses them, so requests get past "no such queue" into the services. */
export interface FuzzResources {
  queueUrl: string;
  tableName: string;
  parameterName: string;
  stateMachineArn: string;
  functionName: string;
}

export interface ServiceRequest {
  target: string;
  contentType: string;
  body: string;
  /** The request path (`/` for the JSON and query protocols; Lambda's REST-JSON API has its own). */
  path?: string;
  /** POST unless the protocol says (S3's REST-XML API names its operations by method and path). */
  method?: string;
}

const json = (target: string, body: unknown, version = '1.0'): ServiceRequest => ({
  target,
  contentType: `application/x-amz-json-${version}`,
  body: JSON.stringify(body),
});

/** An object with hostile own keys (JSON.stringify keeps `__proto__` as a key of a null-prototype object). */
const hostileKeys = (random: Random, value: (random: Random) => unknown): Record<string, unknown> => {
  const object: Record<string, unknown> = Object.create(null);
  object[pick(random, PROTOTYPE_NAMES)] = value(random);
  object[hostileName(random)] = value(random);
  return object;
};

const either = (random: Random, good: string) => (random() < 0.6 ? good : hostileName(random));

/** Well-formed operations on the template's resources, with hostile names and values where clients choose them. */
export const serviceRequest = (service: string, random: Random, resources: FuzzResources): ServiceRequest => {
  switch (service) {
    case 'sqs':
      return pick(random, [
        () =>
          json('AmazonSQS.SendMessage', {
            QueueUrl: either(random, resources.queueUrl),
            MessageBody: hostileHeaderValue(random) || 'x',
            MessageAttributes: hostileKeys(random, () => ({
              DataType: pick(random, ['String', 'Number', 'Binary', 'constructor']),
              StringValue: '1',
            })),
          }),
        () =>
          json('AmazonSQS.ReceiveMessage', {
            QueueUrl: resources.queueUrl,
            MaxNumberOfMessages: pick(random, [1, 10, 11, -1, 'constructor']),
            MessageAttributeNames: [hostileName(random), 'All'],
            MessageSystemAttributeNames: [hostileName(random)],
          }),
        () => json('AmazonSQS.GetQueueUrl', { QueueName: hostileName(random) }),
        () =>
          json('AmazonSQS.GetQueueAttributes', { QueueUrl: resources.queueUrl, AttributeNames: [hostileName(random)] }),
        () => ({
          target: '',
          contentType: 'application/x-www-form-urlencoded',
          body: new URLSearchParams({
            Action: pick(random, ['SendMessage', 'ReceiveMessage', 'GetQueueUrl', ...PROTOTYPE_NAMES]),
            QueueUrl: resources.queueUrl,
            QueueName: hostileName(random),
            MessageBody: hostileHeaderValue(random) || 'x',
            'MessageAttribute.1.Name': pick(random, PROTOTYPE_NAMES),
            'MessageAttribute.1.Value.DataType': 'String',
            'MessageAttribute.1.Value.StringValue': 'x',
            [`${pick(random, PROTOTYPE_NAMES)}.1`]: 'x',
            Version: '2012-11-05',
          }).toString(),
        }),
      ])();
    case 'ssm':
      return pick(random, [
        () =>
          json(
            'AmazonSSM.GetParameter',
            { Name: either(random, resources.parameterName), WithDecryption: true },
            '1.1',
          ),
        () =>
          json(
            'AmazonSSM.GetParameters',
            { Names: [resources.parameterName, hostileName(random), '__proto__'] },
            '1.1',
          ),
        () => json('AmazonSSM.GetParametersByPath', { Path: `/${hostileName(random)}`, Recursive: true }, '1.1'),
        () =>
          json(
            'AmazonSSM.PutParameter',
            {
              Name: `/fuzz/${hostileName(random)}`,
              Value: hostileHeaderValue(random) || 'x',
              Type: 'String',
              Overwrite: true,
            },
            '1.1',
          ),
      ])();
    case 'dynamodb': {
      const key = { id: { S: hostileName(random) } };
      return pick(random, [
        () =>
          json('DynamoDB_20120810.PutItem', {
            TableName: either(random, resources.tableName),
            Item: { ...key, ...hostileKeys(random, () => ({ S: hostileHeaderValue(random) || 'x' })) },
          }),
        () => json('DynamoDB_20120810.GetItem', { TableName: resources.tableName, Key: key }),
        () =>
          json('DynamoDB_20120810.Query', {
            TableName: resources.tableName,
            KeyConditionExpression: '#k = :v',
            ExpressionAttributeNames: { '#k': pick(random, ['id', ...PROTOTYPE_NAMES]) },
            ExpressionAttributeValues: { ':v': { S: 'x' } },
          }),
        () =>
          json('DynamoDB_20120810.UpdateTimeToLive', {
            TableName: either(random, resources.tableName),
            TimeToLiveSpecification: { AttributeName: hostileName(random), Enabled: random() < 0.5 },
          }),
        () => json('DynamoDB_20120810.DescribeTimeToLive', { TableName: either(random, resources.tableName) }),
      ])();
    }
    case 'stepfunctions':
      return pick(random, [
        () =>
          json('AWSStepFunctions.StartSyncExecution', {
            stateMachineArn: either(random, resources.stateMachineArn),
            input: JSON.stringify(hostileJson(random)),
          }),
        () =>
          json('AWSStepFunctions.StartExecution', {
            stateMachineArn: resources.stateMachineArn,
            name: hostileName(random),
            input: random() < 0.5 ? '{"a":' : JSON.stringify(hostileJson(random)),
          }),
        () =>
          json('AWSStepFunctions.DescribeExecution', {
            executionArn: `${resources.stateMachineArn}:${hostileName(random)}`,
          }),
        () =>
          json('AWSStepFunctions.DescribeStateMachine', { stateMachineArn: either(random, resources.stateMachineArn) }),
      ])();
    case 'eventbridge':
      return pick(random, [
        () =>
          json(
            'AWSEvents.PutEvents',
            {
              Entries: Array.from({ length: 1 + Math.floor(random() * 11) }, () => ({
                Source: pick(random, ['fuzz', 'aws.fuzz', ...PROTOTYPE_NAMES]),
                DetailType: hostileName(random),
                Detail: random() < 0.5 ? '{"a":' : JSON.stringify(hostileJson(random)),
                EventBusName: pick(random, ['default', hostileName(random), '__proto__']),
                Resources: [hostileName(random)],
              })),
            },
            '1.1',
          ),
        () =>
          json(
            'AWSEvents.TestEventPattern',
            { EventPattern: JSON.stringify(hostileJson(random)), Event: JSON.stringify(hostileJson(random)) },
            '1.1',
          ),
        () => json('AWSEvents.DescribeRule', { Name: hostileName(random), EventBusName: hostileName(random) }, '1.1'),
        () => json('AWSEvents.ListTargetsByRule', { Rule: pick(random, PROTOTYPE_NAMES) }, '1.1'),
      ])();
    case 'sns':
      return pick(random, [
        () => ({
          target: '',
          contentType: 'application/x-www-form-urlencoded',
          body: new URLSearchParams({
            Action: pick(random, ['ListTopics', 'Publish', 'ListSubscriptions', 'CreateTopic', ...PROTOTYPE_NAMES]),
            TopicArn: hostileName(random),
            Name: hostileName(random),
            Message: hostileHeaderValue(random) || 'x',
            'MessageAttributes.entry.1.Name': pick(random, PROTOTYPE_NAMES),
            'MessageAttributes.entry.1.Value.DataType': pick(random, ['String', 'Number', 'constructor']),
            'MessageAttributes.entry.1.Value.StringValue': '1',
            [`${pick(random, PROTOTYPE_NAMES)}.member.1`]: 'x',
            Version: '2010-03-31',
          }).toString(),
        }),
        () => ({
          target: '',
          contentType: 'application/x-www-form-urlencoded',
          body: 'Action=ListTopics&Version=2010-03-31',
        }),
      ])();
    case 'secretsmanager':
      return pick(random, [
        () => json('secretsmanager.ListSecrets', { MaxResults: pick(random, [1, 100, 101, -1, 'constructor']) }, '1.1'),
        () =>
          json(
            'secretsmanager.GetRandomPassword',
            { PasswordLength: pick(random, [8, 32, 4097, 0, 'x']), ExcludeCharacters: hostileName(random) },
            '1.1',
          ),
        () => json('secretsmanager.GetSecretValue', { SecretId: hostileName(random) }, '1.1'),
        () =>
          json(
            'secretsmanager.CreateSecret',
            {
              Name: hostileName(random),
              SecretString: hostileHeaderValue(random),
              Tags: [hostileKeys(random, () => 'x')],
            },
            '1.1',
          ),
      ])();
    case 's3': {
      const key = `fuzz/${encodeURIComponent(hostileName(random))}`;
      return pick(random, [
        () => ({ target: '', contentType: '', body: '', method: 'GET', path: '/' }),
        () => ({ target: '', contentType: '', body: '', method: 'PUT', path: '/fuzz-bucket' }),
        () => ({
          target: '',
          contentType: pick(random, ['text/plain', 'application/octet-stream', hostileHeaderValue(random)]),
          body: hostileHeaderValue(random),
          method: 'PUT',
          path: `/fuzz-bucket/${key}`,
        }),
        () => ({ target: '', contentType: '', body: '', method: 'GET', path: `/fuzz-bucket/${key}` }),
        () => ({
          target: '',
          contentType: '',
          body: '',
          method: 'GET',
          path: `/fuzz-bucket?list-type=2&prefix=${encodeURIComponent(hostileName(random))}&max-keys=${pick(random, ['1', '1000', '-1', 'x'])}`,
        }),
        () => ({ target: '', contentType: '', body: '', method: 'DELETE', path: `/fuzz-bucket/${key}` }),
      ])();
    }
    case 'lambda': {
      const name = pick(random, [resources.functionName, hostileName(random), `${resources.functionName}:live`]);
      return {
        target: '',
        contentType: 'application/json',
        body: random() < 0.5 ? JSON.stringify(hostileJson(random)) : '{"a":',
        path: `/2015-03-31/functions/${encodeURIComponent(name)}/invocations`,
      };
    }
    case 'kinesis': {
      const stream = pick(random, ['fuzz-stream', hostileName(random)]);
      return pick(random, [
        () => json('Kinesis_20131202.ListStreams', { Limit: pick(random, [1, 100, 10001, 0, 'x']) }, '1.1'),
        () =>
          json(
            'Kinesis_20131202.CreateStream',
            { StreamName: stream, ShardCount: pick(random, [1, 0, -1, 'x']) },
            '1.1',
          ),
        () =>
          json(
            'Kinesis_20131202.PutRecord',
            {
              StreamName: stream,
              PartitionKey: hostileName(random),
              Data: pick(random, ['aGVsbG8=', hostileHeaderValue(random), '']),
            },
            '1.1',
          ),
        () => json('Kinesis_20131202.DescribeStreamSummary', { StreamName: stream }, '1.1'),
      ])();
    }
    default:
      return json(`${service}.${hostileName(random)}`, hostileJson(random));
  }
};

/** The signing name of each local endpoint's service (SigV4's service part). */
export const SIGNING_NAMES: Record<string, string> = {
  sqs: 'sqs',
  ssm: 'ssm',
  dynamodb: 'dynamodb',
  stepfunctions: 'states',
  lambda: 'lambda',
  eventbridge: 'events',
  sns: 'sns',
  secretsmanager: 'secretsmanager',
  s3: 's3',
  kinesis: 'kinesis',
};

/**
 * SigV4 headers for a request to the local endpoint at `url`, signed as the service's SDK client signs it, with the path
 * as given (`path?query`: no URL parser resolves `..` or fixes escapes first). `headers` must hold `host`.
 */
export const signServiceRequest = async (
  credentials: { accessKeyId: string; secretAccessKey: string },
  service: string,
  url: string,
  request: { method: string; target: string; headers: Record<string, string>; body: string | Buffer },
): Promise<Record<string, string>> => {
  const signer = new SignatureV4({
    credentials,
    region: 'us-east-1',
    service: SIGNING_NAMES[service] ?? service,
    sha256: Hash.bind(null, 'sha256'),
    // S3 signs its path as sent.
    uriEscapePath: service !== 's3',
  });
  const [path = '/', query = ''] = request.target.split('?');
  const signed = await signer.sign({
    method: request.method,
    protocol: 'http:',
    hostname: new URL(url).hostname,
    port: Number(new URL(url).port),
    path,
    query: Object.fromEntries(new URLSearchParams(query)),
    headers: request.headers,
    body: request.body,
  });
  return signed.headers as Record<string, string>;
};
