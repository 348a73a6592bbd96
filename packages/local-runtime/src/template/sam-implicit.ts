import { isObject, type TemplateObject } from './load.ts';
import type { LocalStack } from './stack.ts';

/**
 * The resources SAM creates without the template naming them (SAM developer guide, "Generated AWS CloudFormation
 * resources for AWS SAM"): an `Api` event without `RestApiId` lands on the implicit `ServerlessRestApi` (stage
 * `Prod`), an `HttpApi` event without `ApiId` on `ServerlessHttpApi` (stage `$default`). Templates `Ref` them (the
 * sam-init Outputs do), so the local stack knows them as resources of their own.
 */
export const IMPLICIT_REST_API = 'ServerlessRestApi';
export const IMPLICIT_HTTP_API = 'ServerlessHttpApi';

const eventsOf = (resource: TemplateObject): TemplateObject[] => {
  const properties = isObject(resource.Properties) ? resource.Properties : {};
  return Object.values(isObject(properties.Events) ? properties.Events : {}).filter(isObject);
};

export const implicitResources = (resources: TemplateObject): TemplateObject => {
  const functions = Object.values(resources)
    .filter(isObject)
    .filter(
      (resource) => resource.Type === 'AWS::Serverless::Function' || resource.Type === 'AWS::Serverless::StateMachine',
    );
  const events = functions.flatMap(eventsOf);
  const implicit: TemplateObject = {};
  const properties = (event: TemplateObject) => (isObject(event.Properties) ? event.Properties : {});
  // A resource of another kind under that name (a function called ServerlessRestApi) is replaced by the implicit API,
  // as the translator does (its fixture implicit_api_with_serverless_rest_api_resource).
  const existing = resources[IMPLICIT_REST_API];
  const declaredApi =
    isObject(existing) && ['AWS::Serverless::Api', 'AWS::ApiGateway::RestApi'].includes(String(existing.Type));
  if (!declaredApi && events.some((event) => event.Type === 'Api' && properties(event).RestApiId === undefined)) {
    implicit[IMPLICIT_REST_API] = {
      Type: 'AWS::Serverless::Api',
      Properties: { StageName: 'Prod' },
      Metadata: { SamImplicit: true },
    };
  }
  if (
    !(IMPLICIT_HTTP_API in resources) &&
    events.some((event) => event.Type === 'HttpApi' && properties(event).ApiId === undefined)
  ) {
    implicit[IMPLICIT_HTTP_API] = {
      Type: 'AWS::Serverless::HttpApi',
      Properties: {},
      Metadata: { SamImplicit: true },
    };
  }
  Object.assign(implicit, snsSubscriptionQueues(resources));
  return implicit;
};

/**
 * `SqsSubscription: true` on an SNS event: SAM creates the queue `<Function><Event>Queue` (FIFO when the topic, a
 * `Ref` to a template topic, is) that it subscribes to the topic and the function polls (push.py SNS,
 * translator v1.110.0). The local stack runs it as a queue of the template.
 */
const snsSubscriptionQueues = (resources: TemplateObject): TemplateObject => {
  const queues: TemplateObject = {};
  for (const [functionId, resource] of Object.entries(resources)) {
    if (!isObject(resource) || resource.Type !== 'AWS::Serverless::Function') continue;
    const properties = isObject(resource.Properties) ? resource.Properties : {};
    for (const [eventId, event] of Object.entries(isObject(properties.Events) ? properties.Events : {})) {
      if (!isObject(event) || event.Type !== 'SNS') continue;
      const eventProperties = isObject(event.Properties) ? event.Properties : {};
      if (eventProperties.SqsSubscription !== true || `${functionId}${eventId}Queue` in resources) continue;
      const topic = isObject(eventProperties.Topic) ? eventProperties.Topic.Ref : undefined;
      const topicResource = typeof topic === 'string' ? resources[topic] : undefined;
      const topicProperties =
        isObject(topicResource) && isObject(topicResource.Properties) ? topicResource.Properties : {};
      queues[`${functionId}${eventId}Queue`] = {
        Type: 'AWS::SQS::Queue',
        Properties: topicProperties.FifoTopic === true ? { FifoQueue: true } : {},
        Metadata: { SamImplicit: true },
      };
    }
  }
  return queues;
};

/**
 * What an `Api` or `HttpApi` event of a function invokes: the function, or with AutoPublishAlias (its own or
 * Globals.Function's) the alias SAM publishes, as the translator points the integration at `<Function>Alias<name>`.
 */
export const eventFunctionArn = (stack: LocalStack, functionId: string): string => {
  const functionArn = stack.getAtt(functionId, 'Arn');
  if (stack.resources.get(functionId)?.type !== 'AWS::Serverless::Function') return functionArn;
  const alias =
    stack.properties(functionId).AutoPublishAlias ??
    stack.globals('Function', 'AWS::Serverless::Function').AutoPublishAlias;
  return typeof alias === 'string' && alias !== '' ? `${functionArn}:${alias}` : functionArn;
};
