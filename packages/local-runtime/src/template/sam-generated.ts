import { createHash } from 'node:crypto';
import { isObject, type TemplateObject, type TemplateValue } from './load.ts';

/**
 * The logical ids the SAM transform gives the resources it generates (SAM developer guide, "Generated AWS
 * CloudFormation resources for AWS SAM"; the names checked against the translator v1.110.0's own test outputs).
 * Templates `Ref` and `Fn::GetAtt` them (`MyApiProdStage`, `MyFunctionAliaslive`, `MyFunctionRole`...), so the
 * local stack answers for them; they are not served (the SAM resource that makes them is). An
 * AWS::Serverless::WebSocketApi is different: it is replaced by the resources it generates (sam-websocket-api.ts),
 * which are served as declared ones.
 */
export interface GeneratedResource {
  /** The CloudFormation type SAM generates. */
  type: string;
  /** The SAM resource that generates it. */
  owner: string;
  /** For a stage: its name; for an alias: the alias name. */
  name?: string;
}

/** A logical id whose tail is a hash of the generated content: matched by shape, not computed. */
interface GeneratedPattern {
  pattern: RegExp;
  resource: GeneratedResource;
}

export interface GeneratedIds {
  ids: Map<string, GeneratedResource>;
  patterns: GeneratedPattern[];
}

/** SAM's LogicalIdGenerator: the first 10 hex digits of the SHA-1 of the data (a string as it is). */
const idHash = (data: string): string => createHash('sha1').update(data).digest('hex').slice(0, 10);

/** `<Api><Stage>Stage`, `<Api>Stage<hash>` when the name is not alphanumeric, `<Api>Stage` when it is an intrinsic. */
const stageId = (apiId: string, stageName: TemplateValue | undefined): string => {
  if (typeof stageName !== 'string') return `${apiId}Stage`;
  return /^[A-Za-z0-9]+$/.test(stageName) ? `${apiId}${stageName}Stage` : `${apiId}Stage${idHash(stageName)}`;
};

/** The type of the resource an event source generates under `<Function><Event>` (besides its permission). */
const EVENT_RESOURCES: Record<string, string> = {
  Schedule: 'AWS::Events::Rule',
  ScheduleV2: 'AWS::Scheduler::Schedule',
  CloudWatchEvent: 'AWS::Events::Rule',
  EventBridgeRule: 'AWS::Events::Rule',
  SNS: 'AWS::SNS::Subscription',
  SQS: 'AWS::Lambda::EventSourceMapping',
  Kinesis: 'AWS::Lambda::EventSourceMapping',
  DynamoDB: 'AWS::Lambda::EventSourceMapping',
  MSK: 'AWS::Lambda::EventSourceMapping',
  MQ: 'AWS::Lambda::EventSourceMapping',
  SelfManagedKafka: 'AWS::Lambda::EventSourceMapping',
  DocumentDB: 'AWS::Lambda::EventSourceMapping',
  CloudWatchLogs: 'AWS::Logs::SubscriptionFilter',
  IoTRule: 'AWS::IoT::TopicRule',
};

/** Sources Lambda polls (with the function's role) or that invoke through a role: SAM adds no permission. */
const NO_PERMISSION = new Set([
  'SQS',
  'Kinesis',
  'DynamoDB',
  'MSK',
  'MQ',
  'SelfManagedKafka',
  'DocumentDB',
  'ScheduleV2',
  'CognitoUserPool',
]);

const objectOf = (value: TemplateValue | undefined): TemplateObject => (isObject(value) ? value : {});

/**
 * `resources` are the template's (with SAM's implicit APIs); `globals` its `Globals` section; `parameter` gives a
 * `Ref` to a parameter its value, as SAM resolves `AutoPublishAlias` before naming the alias.
 */
export const generatedIds = (
  resources: TemplateObject,
  globals: TemplateObject,
  parameter: (name: string) => string | undefined,
): GeneratedIds => {
  const ids = new Map<string, GeneratedResource>();
  const patterns: GeneratedPattern[] = [];
  const add = (logicalId: string, resource: GeneratedResource) => {
    if (!(logicalId in resources) && !ids.has(logicalId)) ids.set(logicalId, resource);
  };
  const literal = (value: TemplateValue | undefined): TemplateValue | undefined => {
    if (isObject(value) && typeof value.Ref === 'string' && Object.keys(value).length === 1) {
      return parameter(value.Ref) ?? value;
    }
    return value;
  };
  // A Lambda authorizer gets `<Api><Authorizer>AuthorizerPermission` (Cognito, JWT and IAM ones nothing).
  const addAuthorizerPermissions = (logicalId: string, auth: TemplateObject) => {
    for (const [authorizer, config] of Object.entries(objectOf(auth.Authorizers))) {
      if (objectOf(config).FunctionArn === undefined) continue;
      add(`${logicalId}${authorizer}AuthorizerPermission`, { type: 'AWS::Lambda::Permission', owner: logicalId });
    }
  };
  const functionGlobals = objectOf(globals.Function);
  const apiGlobals = objectOf(globals.Api);
  const httpApiGlobals = objectOf(globals.HttpApi);
  const restStages = new Map<string, TemplateValue | undefined>();
  for (const [logicalId, raw] of Object.entries(resources)) {
    if (!isObject(raw) || raw.Type !== 'AWS::Serverless::Api') continue;
    restStages.set(logicalId, objectOf(raw.Properties).StageName ?? apiGlobals.StageName ?? 'Prod');
  }

  for (const [logicalId, raw] of Object.entries(resources)) {
    if (!isObject(raw)) continue;
    const properties = objectOf(raw.Properties);
    const owner = logicalId;
    switch (raw.Type) {
      case 'AWS::Serverless::Function': {
        if (properties.Role === undefined && functionGlobals.Role === undefined) {
          add(`${logicalId}Role`, { type: 'AWS::IAM::Role', owner });
        }
        const alias = literal(properties.AutoPublishAlias ?? functionGlobals.AutoPublishAlias);
        if (typeof alias === 'string') {
          add(`${logicalId}Alias${alias.replaceAll('_', 'U').replaceAll('-', 'D')}`, {
            type: 'AWS::Lambda::Alias',
            owner,
            name: alias,
          });
          patterns.push({
            pattern: new RegExp(`^${logicalId}Version[0-9a-f]{10}$`),
            resource: { type: 'AWS::Lambda::Version', owner },
          });
        }
        if (properties.FunctionUrlConfig !== undefined) {
          add(`${logicalId}Url`, { type: 'AWS::Lambda::Url', owner });
          add(`${logicalId}UrlPublicPermissions`, { type: 'AWS::Lambda::Permission', owner });
        }
        for (const [eventId, event] of Object.entries(objectOf(properties.Events))) {
          if (!isObject(event) || typeof event.Type !== 'string') continue;
          const eventProperties = objectOf(event.Properties);
          const permission = { type: 'AWS::Lambda::Permission', owner };
          if (event.Type === 'Api') {
            // `<Function><Event>Permission<Stage>`: the API's stage name, `Stage` when it is an intrinsic.
            const apiRef = objectOf(eventProperties.RestApiId).Ref;
            const stage = restStages.get(typeof apiRef === 'string' ? apiRef : 'ServerlessRestApi') ?? 'Prod';
            add(`${logicalId}${eventId}Permission${typeof stage === 'string' ? stage : 'Stage'}`, permission);
          } else if (!NO_PERMISSION.has(event.Type)) {
            add(`${logicalId}${eventId}Permission`, permission);
          }
          const generated = EVENT_RESOURCES[event.Type];
          if (generated) add(`${logicalId}${eventId}`, { type: generated, owner });
          if (event.Type === 'SNS' && eventProperties.SqsSubscription !== undefined) {
            // SNS → SQS → function: the queue's policy and the function's mapping (the queue itself is implicit).
            add(`${logicalId}${eventId}QueuePolicy`, { type: 'AWS::SQS::QueuePolicy', owner });
            add(`${logicalId}${eventId}EventSourceMapping`, { type: 'AWS::Lambda::EventSourceMapping', owner });
          }
        }
        break;
      }
      case 'AWS::Serverless::Api': {
        const stage = restStages.get(logicalId);
        add(stageId(logicalId, stage), {
          type: 'AWS::ApiGateway::Stage',
          owner,
          ...(typeof stage === 'string' ? { name: stage } : {}),
        });
        patterns.push({
          pattern: new RegExp(`^${logicalId}Deployment[0-9a-f]{10}$`),
          resource: { type: 'AWS::ApiGateway::Deployment', owner },
        });
        const auth = objectOf(properties.Auth ?? apiGlobals.Auth);
        const plan = String(objectOf(auth.UsagePlan).CreateUsagePlan ?? 'NONE').toUpperCase();
        const prefix = plan === 'PER_API' ? logicalId : plan === 'SHARED' ? 'Serverless' : undefined;
        if (prefix) {
          add(`${prefix}UsagePlan`, { type: 'AWS::ApiGateway::UsagePlan', owner });
          add(`${prefix}ApiKey`, { type: 'AWS::ApiGateway::ApiKey', owner });
          add(`${prefix}UsagePlanKey`, { type: 'AWS::ApiGateway::UsagePlanKey', owner });
        }
        addAuthorizerPermissions(logicalId, auth);
        break;
      }
      case 'AWS::Serverless::HttpApi': {
        const stage = properties.StageName ?? httpApiGlobals.StageName;
        const id =
          stage === undefined || stage === '$default'
            ? `${logicalId}ApiGatewayDefaultStage`
            : stageId(logicalId, stage);
        add(id, {
          type: 'AWS::ApiGatewayV2::Stage',
          owner,
          name: typeof stage === 'string' ? stage : '$default',
        });
        const auth = objectOf(properties.Auth ?? httpApiGlobals.Auth);
        addAuthorizerPermissions(logicalId, auth);
        break;
      }
      case 'AWS::Serverless::StateMachine': {
        if (properties.Role === undefined) add(`${logicalId}Role`, { type: 'AWS::IAM::Role', owner });
        for (const [eventId, event] of Object.entries(objectOf(properties.Events))) {
          if (!isObject(event)) continue;
          const generated = EVENT_RESOURCES[String(event.Type)];
          if (generated) add(`${logicalId}${eventId}`, { type: generated, owner });
          add(`${logicalId}${eventId}Role`, { type: 'AWS::IAM::Role', owner });
        }
        break;
      }
    }
  }
  return { ids, patterns };
};

export const findGenerated = (generated: GeneratedIds, logicalId: string): GeneratedResource | undefined =>
  generated.ids.get(logicalId) ?? generated.patterns.find(({ pattern }) => pattern.test(logicalId))?.resource;
