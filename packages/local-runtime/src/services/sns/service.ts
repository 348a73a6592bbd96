import { isObject, type TemplateValue } from '../../template/load.ts';
import type { LocalStack } from '../../template/stack.ts';
import { endpointOptions, type ServiceDefinition } from '../registry.ts';
import { type SnsService, startSnsService } from './server.ts';
import { deliveredLocally, type SubscriptionSeed, type TopicRegistry } from './topics.ts';

declare module '../registry.ts' {
  interface LocalServices {
    sns: SnsService;
  }
}

const truthy = (value: TemplateValue | undefined) => value === true || String(value).toLowerCase() === 'true';

/**
 * The template's topics and subscriptions: AWS::SNS::Topic (with its inline `Subscription` list),
 * AWS::SNS::Subscription, and SAM function events of type SNS, which SAM turns into a `lambda` subscription of the
 * function (push.py SNS, translator v1.110.0), or with `SqsSubscription` a queue subscription polled by the function.
 */
const seedFromTemplate = (stack: LocalStack, registry: TopicRegistry, log: (line: string) => void) => {
  for (const topic of stack.ofType('AWS::SNS::Topic')) {
    const properties = stack.properties(topic.logicalId);
    const created = registry.create({
      name: String(stack.getAtt(topic.logicalId, 'TopicName')),
      logicalId: topic.logicalId,
      fifo: truthy(properties.FifoTopic),
      contentBasedDeduplication: truthy(properties.ContentBasedDeduplication),
      ...(typeof properties.DisplayName === 'string' ? { displayName: properties.DisplayName } : {}),
    });
    const inline = Array.isArray(properties.Subscription) ? properties.Subscription : [];
    for (const [index, item] of inline.entries()) {
      if (!isObject(item)) continue;
      subscribe(registry, log, {
        topicArn: created.arn,
        protocol: String(item.Protocol ?? ''),
        endpoint: String(item.Endpoint ?? ''),
        source: `${topic.logicalId}.Subscription[${index}]`,
      });
    }
  }
  for (const resource of stack.ofType('AWS::SNS::Subscription')) {
    const properties = stack.properties(resource.logicalId);
    subscribe(registry, log, {
      topicArn: String(properties.TopicArn ?? ''),
      protocol: String(properties.Protocol ?? ''),
      endpoint: String(properties.Endpoint ?? ''),
      raw: properties.RawMessageDelivery,
      filterPolicy: properties.FilterPolicy,
      filterScope: properties.FilterPolicyScope,
      redrivePolicy: properties.RedrivePolicy,
      source: resource.logicalId,
    });
  }
  for (const fn of stack.ofType('AWS::Serverless::Function')) {
    const events = stack.properties(fn.logicalId).Events;
    for (const [name, event] of Object.entries(isObject(events) ? events : {})) {
      if (!isObject(event) || event.Type !== 'SNS') continue;
      const properties = isObject(event.Properties) ? event.Properties : {};
      const source = `${fn.logicalId}.Events.${name}`;
      const sqs = properties.SqsSubscription;
      const viaQueue = isObject(sqs) || sqs === true;
      // With SqsSubscription the topic feeds a queue (SAM's own `<Function><Event>Queue`, or the one named) that the
      // function polls (runtime/event-sources.ts).
      const endpoint = isObject(sqs)
        ? String(sqs.QueueArn ?? '')
        : viaQueue
          ? String(stack.getAtt(`${fn.logicalId}${name}Queue`, 'Arn'))
          : String(stack.getAtt(fn.logicalId, 'Arn'));
      subscribe(registry, log, {
        topicArn: String(properties.Topic ?? ''),
        protocol: viaQueue ? 'sqs' : 'lambda',
        endpoint,
        filterPolicy: properties.FilterPolicy,
        filterScope: properties.FilterPolicyScope,
        redrivePolicy: properties.RedrivePolicy,
        source,
      });
    }
  }
};

const subscribe = (registry: TopicRegistry, log: (line: string) => void, seed: SubscriptionSeed) => {
  if (!registry.byArn(seed.topicArn)) {
    log(`[sns] ${seed.source}: topic ${seed.topicArn} is not a topic of this template; not subscribed`);
    return;
  }
  try {
    registry.subscribe(seed);
    // Said once at start-up, not only at each publish: nothing is silently absent.
    if (!deliveredLocally(seed.protocol.toLowerCase())) {
      log(
        `[sns] ${seed.source}: ${seed.protocol} subscriptions are not delivered locally (sqs, lambda, http and https are)`,
      );
    }
  } catch (error) {
    log(`[sns] ${seed.source}: ${error instanceof Error ? error.message : String(error)}; not subscribed`);
  }
};

/**
 * SNS with the template's topics; Publish fans out to queues (SendMessage), functions (asynchronous invoke) and
 * confirmed http(s) endpoints (POST with SNS's retries); email, sms, application and firehose are not delivered.
 */
export const snsService: ServiceDefinition<'sns'> = {
  name: 'sns',
  environmentVariable: 'AWS_ENDPOINT_URL_SNS',
  arnNames: ['sns'],
  endpointPrefix: 'sns',
  resourceTypes: ['AWS::SNS::Topic', 'AWS::SNS::Subscription'],
  start: async ({ stack, auth, host, port, log, deliver, timeScale, rewrite, functions }) => {
    const sns = await startSnsService({
      ...endpointOptions({ stack, auth, host, port }),
      deliver,
      log,
      timeScale,
      rewrite,
    });
    seedFromTemplate(stack, sns.registry, log);
    // The template's http(s) subscriptions wait for confirmation as CloudFormation's do: their SubscriptionConfirmation
    // goes out once the functions (bound after the services) can answer it, so one to the template's own API reaches
    // the function behind it.
    const confirmWhenReady = (tries = 0) => {
      if (functions() || tries >= 1200) sns.requestConfirmations();
      else setTimeout(() => confirmWhenReady(tries + 1), 50).unref();
    };
    confirmWhenReady();
    return {
      ...sns,
      reset: () => {
        sns.registry.clear();
        seedFromTemplate(stack, sns.registry, () => undefined);
        sns.requestConfirmations();
      },
      deliver: async (targetArn, delivery) => {
        sns.call('Publish', {
          TopicArn: targetArn,
          Message: delivery.body,
          ...(delivery.attributes ? { MessageAttributes: delivery.attributes } : {}),
          ...(delivery.messageGroupId ? { MessageGroupId: delivery.messageGroupId } : {}),
          ...(delivery.messageDeduplicationId ? { MessageDeduplicationId: delivery.messageDeduplicationId } : {}),
        });
      },
      pages: [
        {
          path: '/_local/topics',
          what: 'topics, their subscriptions (protocol, endpoint, pending confirmation, raw delivery, filter policy) and delivery counts',
          read: () => ({
            delivered: sns.delivered,
            topics: sns.registry.all().map((topic) => ({
              name: topic.name,
              arn: topic.arn,
              fifo: topic.fifo,
              published: topic.published,
              subscriptions: sns.registry.subscriptionsOf(topic.arn).map((subscription) => ({
                arn: subscription.arn,
                source: subscription.source,
                protocol: subscription.protocol,
                endpoint: subscription.endpoint,
                rawMessageDelivery: subscription.raw,
                ...(subscription.pending ? { pendingConfirmation: true } : {}),
                ...(subscription.deadLetterArn ? { deadLetterTargetArn: subscription.deadLetterArn } : {}),
                ...(subscription.filterPolicy
                  ? { filterPolicy: subscription.filterPolicy, filterPolicyScope: subscription.filterScope }
                  : {}),
              })),
            })),
          }),
        },
      ],
    };
  },
};
