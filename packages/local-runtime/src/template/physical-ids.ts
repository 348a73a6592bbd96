import { createHash } from 'node:crypto';
import type { PseudoParameters } from './intrinsics.ts';
import { isObject, type TemplateObject, type TemplateValue } from './load.ts';

/**
 * The names and ids CloudFormation would give each resource, made locally: deterministic (a hash of the stack
 * and logical id), so URLs, API keys and ARNs stay the same from one `npm start` to the next, and shaped like
 * AWS's own (a REST API id is 10 lowercase alphanumerics, a user pool id is `<region>_<9 chars>`...), so code that
 * parses them keeps working.
 */
const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export const stableId = (seed: string, length: number, alphabet = ALPHANUMERIC): string => {
  const digest = createHash('sha512').update(seed).digest();
  let out = '';
  for (let i = 0; out.length < length; i++) out += alphabet[(digest[i % digest.length] ?? 0) % alphabet.length];
  return out;
};

/** An event bus's name from its name or ARN (`arn:aws:events:<region>:<account>:event-bus/<name>`); `default` if none. */
export const eventBusNameOf = (value: unknown): string => {
  const text = typeof value === 'string' && value !== '' ? value : 'default';
  return text.replace(/^arn:[^:]+:events:[^:]*:[^:]*:event-bus\//, '');
};

export interface PhysicalResource {
  /** What `Ref` returns. */
  ref: string;
  /** What `Fn::GetAtt` returns, by attribute. */
  attributes: Record<string, string>;
}

/**
 * A function URL (`AWS::Lambda::Url`, or the one SAM makes for FunctionUrlConfig): a 32-character URL id, the first
 * label of `https://<url-id>.lambda-url.<region>.on.aws/` (Lambda developer guide, "Invoking Lambda function URLs").
 */
export const functionUrlPhysical = (seed: string, region: string, functionArn: string): PhysicalResource => {
  const url = `https://${stableId(seed, 32)}.lambda-url.${region}.on.aws/`;
  return { ref: functionArn, attributes: { FunctionArn: functionArn, FunctionUrl: url } };
};

/** CloudFormation's generated name: `<stack>-<LogicalId>-<random>`, cut to the service's limit. */
const generatedName = (stack: string, logicalId: string, max = 64): string => {
  const suffix = stableId(`${stack}/${logicalId}`, 12).toUpperCase();
  return `${`${stack}-${logicalId}`.slice(0, max - suffix.length - 1)}-${suffix}`;
};

/**
 * `properties` are the resource's resolved properties where a name is needed (FunctionName, QueueName...): the
 * caller resolves them lazily, because a Ref to an SSM parameter is its resolved Name.
 */
export const physicalResource = (
  logicalId: string,
  type: string,
  properties: () => TemplateObject,
  pseudo: PseudoParameters,
): PhysicalResource => {
  const { region, accountId: account, partition, stackName } = pseudo;
  const seed = `${stackName}/${logicalId}`;
  const named = (key: string, max?: number): string => {
    const value = properties()[key];
    return typeof value === 'string' && value !== '' ? value : generatedName(stackName, logicalId, max);
  };
  const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${account}:${resource}`;
  switch (type) {
    case 'AWS::Serverless::Function':
    case 'AWS::Lambda::Function': {
      const name = named('FunctionName');
      return { ref: name, attributes: { Arn: arn('lambda', `function:${name}`) } };
    }
    case 'AWS::Lambda::Url':
      return functionUrlPhysical(seed, region, String(properties().TargetFunctionArn ?? ''));
    case 'AWS::Serverless::Api':
    case 'AWS::ApiGateway::RestApi': {
      const id = stableId(seed, 10);
      return { ref: id, attributes: { RootResourceId: stableId(`${seed}/root`, 10) } };
    }
    case 'AWS::Serverless::HttpApi':
    case 'AWS::ApiGatewayV2::Api': {
      const id = stableId(seed, 10);
      const scheme = type === 'AWS::ApiGatewayV2::Api' && properties().ProtocolType === 'WEBSOCKET' ? 'wss' : 'https';
      return {
        ref: id,
        attributes: { ApiId: id, ApiEndpoint: `${scheme}://${id}.execute-api.${region}.amazonaws.com` },
      };
    }
    case 'AWS::ApiGateway::Stage':
      return { ref: String(properties().StageName ?? logicalId), attributes: {} };
    case 'AWS::ApiGateway::Model':
      return { ref: named('Name'), attributes: {} };
    case 'AWS::ApiGateway::Resource':
      return { ref: stableId(seed, 6), attributes: { ResourceId: stableId(seed, 6) } };
    case 'AWS::ApiGateway::Authorizer':
      return { ref: stableId(seed, 6), attributes: { AuthorizerId: stableId(seed, 6) } };
    case 'AWS::ApiGateway::RequestValidator':
      return { ref: stableId(seed, 6), attributes: { RequestValidatorId: stableId(seed, 6) } };
    case 'AWS::Serverless::SimpleTable': {
      const name = named('TableName', 255);
      return { ref: name, attributes: { Arn: arn('dynamodb', `table/${name}`) } };
    }
    case 'AWS::Serverless::StateMachine':
    case 'AWS::StepFunctions::StateMachine': {
      const name = named('Name', 80);
      const stateMachineArn = arn('states', `stateMachine:${name}`);
      return { ref: stateMachineArn, attributes: { Arn: stateMachineArn, Name: name } };
    }
    case 'AWS::SQS::Queue': {
      const name = named('QueueName', 80);
      return {
        ref: `https://sqs.${region}.amazonaws.com/${account}/${name}`,
        attributes: {
          Arn: arn('sqs', name),
          QueueName: name,
          QueueUrl: `https://sqs.${region}.amazonaws.com/${account}/${name}`,
        },
      };
    }
    case 'AWS::DynamoDB::Table': {
      const name = named('TableName', 255);
      const tableArn = arn('dynamodb', `table/${name}`);
      return { ref: name, attributes: { Arn: tableArn, StreamArn: `${tableArn}/stream/1970-01-01T00:00:00.000` } };
    }
    case 'AWS::SSM::Parameter': {
      const name = named('Name', 2048);
      return {
        ref: name,
        attributes: { Type: String(properties().Type ?? 'String'), Value: String(properties().Value ?? '') },
      };
    }
    case 'AWS::SecretsManager::Secret': {
      // CloudFormation names a secret `<LogicalId>-<random>`; its ARN ends in `-` and 6 random characters.
      const given = properties().Name;
      const name = typeof given === 'string' && given !== '' ? given : `${logicalId}-${stableId(seed, 12, MIXED)}`;
      const secretArn = arn('secretsmanager', `secret:${name}-${stableId(`${seed}/arn`, 6, MIXED)}`);
      return { ref: secretArn, attributes: { Id: secretArn } };
    }
    case 'AWS::Events::EventBus': {
      const name = named('Name', 256);
      return { ref: name, attributes: { Arn: arn('events', `event-bus/${name}`), Name: name } };
    }
    case 'AWS::Events::Rule': {
      // A rule on a custom bus is `<bus>|<rule>` to Ref (as CloudFormation answers, though its reference says the name
      // only: aws-cloudformation/cloudformation-coverage-roadmap#1131), and its ARN names the bus.
      const name = named('Name');
      const bus = eventBusNameOf(properties().EventBusName);
      const custom = bus !== 'default';
      return {
        ref: custom ? `${bus}|${name}` : name,
        attributes: { Arn: arn('events', custom ? `rule/${bus}/${name}` : `rule/${name}`) },
      };
    }
    case 'AWS::Cognito::UserPool': {
      const id = `${region}_${stableId(seed, 9, MIXED)}`;
      return {
        ref: id,
        attributes: {
          Arn: arn('cognito-idp', `userpool/${id}`),
          ProviderName: `cognito-idp.${region}.amazonaws.com/${id}`,
          ProviderURL: `https://cognito-idp.${region}.amazonaws.com/${id}`,
          UserPoolId: id,
        },
      };
    }
    case 'AWS::Cognito::UserPoolClient': {
      const id = stableId(seed, 26);
      return { ref: id, attributes: { ClientId: id, Name: named('ClientName', 128) } };
    }
    case 'AWS::ApiGateway::ApiKey':
      return { ref: stableId(seed, 10), attributes: { APIKeyId: stableId(seed, 10) } };
    case 'AWS::ApiGateway::Method':
    case 'AWS::ApiGateway::GatewayResponse':
    case 'AWS::ApiGateway::UsagePlanKey':
    case 'AWS::ApiGateway::UsagePlan':
    case 'AWS::ApiGateway::Deployment':
    case 'AWS::ApiGatewayV2::Authorizer':
    case 'AWS::ApiGatewayV2::Integration':
    case 'AWS::ApiGatewayV2::Route':
    case 'AWS::ApiGatewayV2::Deployment':
      return { ref: stableId(seed, 10), attributes: {} };
    case 'AWS::IAM::Role': {
      const name = named('RoleName');
      return {
        ref: name,
        attributes: {
          Arn: `arn:${partition}:iam::${account}:role/${name}`,
          RoleId: `AROA${stableId(seed, 17).toUpperCase()}`,
        },
      };
    }
    case 'AWS::Logs::LogGroup': {
      const name = named('LogGroupName', 512);
      return { ref: name, attributes: { Arn: arn('logs', `log-group:${name}:*`) } };
    }
    case 'AWS::KMS::Key': {
      const hex = stableId(seed, 32, '0123456789abcdef');
      const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      return { ref: id, attributes: { KeyId: id, Arn: arn('kms', `key/${id}`) } };
    }
    case 'AWS::S3::Bucket': {
      // CloudFormation names a bucket `<stack>-<logicalid>-<random>` in lower case (bucket names allow no capitals);
      // its attributes are the documented host names ("AWS::S3::Bucket", Return values).
      const given = properties().BucketName;
      const name =
        typeof given === 'string' && given !== '' ? given : generatedName(stackName, logicalId, 63).toLowerCase();
      return {
        ref: name,
        attributes: {
          Arn: `arn:${partition}:s3:::${name}`,
          DomainName: `${name}.s3.amazonaws.com`,
          DualStackDomainName: `${name}.s3.dualstack.${region}.amazonaws.com`,
          RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
          WebsiteURL: `http://${name}.s3-website.${region}.amazonaws.com`,
        },
      };
    }
    case 'AWS::Kinesis::Stream': {
      const name = named('Name', 128);
      return { ref: name, attributes: { Arn: arn('kinesis', `stream/${name}`) } };
    }
    case 'AWS::SNS::Topic': {
      const name = named('TopicName', 256);
      const topicArn = arn('sns', name);
      return { ref: topicArn, attributes: { TopicArn: topicArn, TopicName: name } };
    }
    case 'AWS::ApiGatewayV2::Stage':
      return { ref: String(properties().StageName ?? logicalId), attributes: {} };
    case 'AWS::Lambda::Alias':
    case 'AWS::Lambda::Version': {
      // FunctionName is the function's name or ARN (a `Ref` of the function gives its name); an alias is that ARN
      // qualified by its name, a version by its number (the first published is 1, as SAM's AutoPublishAlias makes).
      const functionName = String(properties().FunctionName ?? '');
      const functionArn = functionName.startsWith('arn:') ? functionName : arn('lambda', `function:${functionName}`);
      if (type === 'AWS::Lambda::Version') {
        return { ref: `${functionArn}:1`, attributes: { FunctionArn: functionArn, Version: '1' } };
      }
      const aliasArn = `${functionArn}:${String(properties().Name ?? logicalId)}`;
      return { ref: aliasArn, attributes: { AliasArn: aliasArn } };
    }
    default:
      return {
        ref: generatedName(stackName, logicalId),
        attributes: { Arn: arn(type.split('::')[1]?.toLowerCase() ?? 'unknown', logicalId) },
      };
  }
};

/**
 * The properties a physical id is named from (FunctionName, QueueName, StageName...), each resolved by `read` only when
 * read: a name must not need the rest of its resource (a DeploymentPreference hook that refers back to its version,
 * SAM's Api and Function naming each other). `resolving` holds the `<LogicalId>.<Key>` being read; reading one again
 * throws `circular`'s error.
 */
export const lazyProperties = (
  logicalId: string,
  raw: TemplateValue | undefined,
  read: (key: string, value: TemplateValue) => TemplateValue | undefined,
  resolving: Set<string>,
  circular: (chain: string[]) => Error,
): TemplateObject => {
  const lazy: TemplateObject = {};
  for (const [key, value] of Object.entries(isObject(raw) ? raw : {})) {
    Object.defineProperty(lazy, key, {
      enumerable: true,
      get: () => {
        const where = `${logicalId}.${key}`;
        if (resolving.has(where)) throw circular([...resolving, where]);
        resolving.add(where);
        try {
          return read(key, value);
        } finally {
          resolving.delete(where);
        }
      },
    });
  }
  return lazy;
};

/** The value of an API key created without a Value: 40 characters, like the keys API Gateway generates. */
export const apiKeyValue = (stackName: string, logicalId: string): string =>
  stableId(`${stackName}/${logicalId}/value`, 40, MIXED);
