import { SERVICES } from '../services/index.ts';
import { isObject, type TemplateObject, type TemplateValue } from '../template/load.ts';
import { NESTED_TEMPLATE } from '../template/nested-stacks.ts';
import type { LocalStack } from '../template/stack.ts';

/**
 * What the local runtime does with each part of the template. Anything it does not run is listed at start-up
 * by name, so a template that relies on it is never silently half-served. Each AWS service adds the resources it runs
 * (services/index.ts).
 */
const EMULATED = new Set([
  ...SERVICES.flatMap((service) => service.resourceTypes),
  'AWS::Serverless::Function',
  'AWS::Lambda::Function',
  'AWS::Lambda::Url',
  'AWS::Serverless::Api',
  'AWS::Serverless::HttpApi',
  'AWS::ApiGateway::ApiKey',
  'AWS::ApiGateway::UsagePlan',
  'AWS::ApiGateway::UsagePlanKey',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::Authorizer',
  'AWS::ApiGateway::Model',
  'AWS::ApiGateway::RequestValidator',
  'AWS::ApiGateway::GatewayResponse',
  'AWS::Cognito::UserPool',
  'AWS::Cognito::UserPoolClient',
  'AWS::Lambda::EventSourceMapping',
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Authorizer',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::Deployment',
  'AWS::ApiGatewayV2::Stage',
  'AWS::ApiGatewayV2::RouteResponse',
  'AWS::ApiGatewayV2::IntegrationResponse',
]);

/** Resources that only matter to AWS itself (permissions, log storage, account settings): nothing to run locally. */
const NO_LOCAL_EFFECT = new Set([
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::Lambda::Permission',
  'AWS::Logs::LogGroup',
  'AWS::ApiGateway::Account',
  // CDK's record of the construct library versions: read by CDK's telemetry only.
  'AWS::CDK::Metadata',
  // EventBridge Scheduler's groups only group schedules (tags, deletion together); the schedules run without them.
  'AWS::Scheduler::ScheduleGroup',
]);

export interface TemplateReport {
  /** Constructs the runtime does not run, one line each. */
  unsupported: string[];
  /** Resources with no local meaning, by type. */
  noLocalEffect: string[];
  /** Functions whose `nodejsN.x` this Node.js runs with the runtime's handler contract but its own APIs. */
  hostRuntime: string[];
}

const FUNCTION_PROPERTIES_IGNORED: Record<string, string> = {
  Layers: 'layers are not loaded',
  VpcConfig: 'VPC networking does not apply',
  Architectures: 'runs on the local CPU architecture',
  ReservedConcurrentExecutions: 'concurrency is capped by the local pool size instead',
  ProvisionedConcurrencyConfig: 'no provisioned concurrency',
  DeadLetterQueue: 'asynchronous invocation is not emulated',
  EventInvokeConfig: 'asynchronous invocation is not emulated',
};

/**
 * The AWS AppConfig Lambda extension (a layer AWS publishes as `AWS-AppConfig-Extension`, AppConfig user guide,
 * "AWS AppConfig Agent Lambda extension") serves configuration on localhost:2772 inside the execution environment.
 */
const APPCONFIG_EXTENSION = /:layer:AWS-AppConfig-Extension/;

const layersOf = (stack: LocalStack, value: unknown): string[] => {
  try {
    const resolved = stack.resolve(value as TemplateValue);
    return Array.isArray(resolved) ? resolved.map(String) : [];
  } catch {
    return [];
  }
};

/** Function settings with a meaning for requests the runtime does not give them: what each means locally. */
const functionSettingNotes = (stack: LocalStack, where: string, properties: TemplateObject): string[] => {
  const notes: string[] = [];
  const tenancy = isObject(properties.TenancyConfig) ? properties.TenancyConfig : undefined;
  if (tenancy) {
    notes.push(
      `${where}.TenancyConfig (${String(tenancy.TenantIsolationMode ?? '?')}): tenants are not isolated locally: every tenant's invocations share the execution environments (module state, /tmp) Lambda keeps apart per tenant id, and one without a tenant id runs instead of being refused`,
    );
  }
  if (layersOf(stack, properties.Layers).some((layer) => APPCONFIG_EXTENSION.test(layer))) {
    notes.push(
      `${where}.Layers: the AWS AppConfig extension is not run: the function's requests to http://localhost:2772 (its configuration) are refused`,
    );
  }
  return notes;
};

const API_PROPERTIES_IGNORED: Record<string, string> = {
  AccessLogSetting: 'the runtime prints one log line per request instead',
  Domain: 'custom domains are not served',
  MinimumCompressionSize: 'responses are not compressed',
};

/** Event sources the runtime serves or runs; any other event type is named at start-up. */
const RUN_EVENTS = new Set([
  'SQS',
  // Streams of the local DynamoDB's tables (lambda/event-sources/dynamodb-stream-poller.ts).
  'DynamoDB',
  'Api',
  'HttpApi',
  'SNS',
  // Polled by lambda/event-sources/kinesis-poller.ts.
  'Kinesis',
  // Bucket notifications of the local S3 (services/s3/notification-config.ts).
  'S3',
  // Rules of the local EventBridge (services/eventbridge/rules.ts).
  'EventBridgeRule',
  'CloudWatchEvent',
  // Fired on request (POST /_local/schedules/<name>) or on their clock with --schedules run
  // (services/eventbridge/schedules.ts).
  'Schedule',
  'ScheduleV2',
]);

/** `Architectures: [x86_64]` on an x86-64 machine (or arm64 on arm64) runs as written: nothing to report. */
const sameArchitecture = (property: string, value: unknown): boolean => {
  if (property !== 'Architectures' || !Array.isArray(value)) return false;
  const local = process.arch === 'x64' ? 'x86_64' : process.arch;
  return value.length === 1 && value[0] === local;
};

export const templateReport = (stack: LocalStack): TemplateReport => {
  const unsupported: string[] = [...stack.samNotes];
  const noLocalEffect: string[] = [];
  for (const resource of stack.resources.values()) {
    if (!resource.enabled) continue;
    const { logicalId, type } = resource;
    // A nested stack served in the parent is named by its own [nested] line (see template/nested-stacks.ts).
    if (isObject(resource.raw.Metadata) && resource.raw.Metadata[NESTED_TEMPLATE] !== undefined) continue;
    if (NO_LOCAL_EFFECT.has(type)) noLocalEffect.push(`${logicalId} (${type})`);
    else if (!EMULATED.has(type)) unsupported.push(`${logicalId} (${type}): resource type not supported locally`);
    const properties = isObject(resource.raw.Properties) ? resource.raw.Properties : {};
    if (type === 'AWS::Serverless::Function') {
      // Whether the function itself runs (runtime, code, handler, init) is reported by runtime/functions.ts.
      for (const [name, event] of Object.entries(isObject(properties.Events) ? properties.Events : {})) {
        const eventType = isObject(event) ? String(event.Type) : '?';
        if (!RUN_EVENTS.has(eventType)) {
          unsupported.push(
            `${logicalId}.Events.${name} (${eventType}): not run locally (served or run: ${[...RUN_EVENTS].join(', ')})`,
          );
        }
      }
      for (const [property, why] of Object.entries(FUNCTION_PROPERTIES_IGNORED)) {
        if (property in properties && !sameArchitecture(property, properties[property])) {
          unsupported.push(`${logicalId}.${property}: ${why}`);
        }
      }
      unsupported.push(...functionSettingNotes(stack, logicalId, properties));
    }
    if (
      type === 'AWS::ApiGatewayV2::Api' &&
      properties.ProtocolType === undefined &&
      properties.Body === undefined &&
      properties.Target === undefined
    ) {
      unsupported.push(
        `${logicalId}: neither ProtocolType nor Body (an import): CloudFormation refuses it; not served`,
      );
    }
    if (type === 'AWS::ApiGatewayV2::Api' && properties.BodyS3Location !== undefined) {
      unsupported.push(`${logicalId}.BodyS3Location: an S3 definition is not read; only its inline routes are served`);
    }
    if (type === 'AWS::Serverless::Api') {
      for (const [property, why] of Object.entries(API_PROPERTIES_IGNORED)) {
        if (property in properties) unsupported.push(`${logicalId}.${property}: ${why}`);
      }
      const endpoint = stack.properties(logicalId).EndpointConfiguration;
      const endpointType = isObject(endpoint) ? String(endpoint.Type) : String(endpoint ?? 'EDGE');
      if (endpointType === 'PRIVATE')
        unsupported.push(`${logicalId}: PRIVATE endpoint served on loopback without its VPC endpoint`);
    }
  }
  const globals =
    isObject(stack.template.Globals) && isObject(stack.template.Globals.Function)
      ? stack.template.Globals.Function
      : {};
  for (const [property, why] of Object.entries(FUNCTION_PROPERTIES_IGNORED)) {
    if (property in globals && !sameArchitecture(property, globals[property])) {
      unsupported.push(`Globals.Function.${property}: ${why}`);
    }
  }
  unsupported.push(...functionSettingNotes(stack, 'Globals.Function', globals));
  return { unsupported, noLocalEffect, hostRuntime: [] };
};
