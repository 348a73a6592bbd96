import { createHash, randomUUID } from 'node:crypto';
import type { MessageAttribute, PublishedMessage } from './delivery.ts';
import { invalidParameter, notFound, SnsError } from './errors.ts';
import type { Subscription, Topic, TopicRegistry } from './topics.ts';

/** An operation's input as the query protocol's parameters parse (see query.ts), and its output. */
export type SnsInput = Record<string, unknown>;
export type SnsOutput = Record<string, unknown>;

export interface SnsState {
  registry: TopicRegistry;
  /** Hands a published message to the topic's subscriptions (without waiting for their deliveries). */
  fanOut(message: PublishedMessage): void;
  /** Sends a new http(s) subscription's SubscriptionConfirmation (without waiting for it). */
  requestConfirmation(subscription: Subscription): void;
}

const MAX_MESSAGE_BYTES = 262_144;

const text = (input: SnsInput, name: string): string | undefined => {
  const value = input[name];
  return value === undefined || value === null ? undefined : String(value);
};

const required = (input: SnsInput, name: string): string => {
  const value = text(input, name);
  if (value === undefined || value === '') throw invalidParameter(name);
  return value;
};

const topicOf = (state: SnsState, arn: string): Topic => {
  const topic = state.registry.byArn(arn);
  if (!topic) throw notFound('Topic');
  return topic;
};

const attributesOf = (raw: unknown): Record<string, MessageAttribute> => {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object') throw invalidParameter('MessageAttributes');
  const attributes: Record<string, MessageAttribute> = {};
  for (const [name, written] of Object.entries(raw as Record<string, unknown>)) {
    const attribute = (written ?? {}) as Record<string, unknown>;
    const dataType = attribute.DataType;
    if (typeof dataType !== 'string' || !/^(String|String\.Array|Number|Binary)(\..+)?$/.test(dataType)) {
      throw new SnsError(
        'ParameterValueInvalid',
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    const value = dataType.startsWith('Binary') ? attribute.BinaryValue : attribute.StringValue;
    if (typeof value !== 'string' || value === '') {
      throw new SnsError(
        'ParameterValueInvalid',
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType.split('.')[0]}'.`,
      );
    }
    Object.defineProperty(attributes, name, {
      value: dataType.startsWith('Binary')
        ? { DataType: dataType, BinaryValue: value }
        : { DataType: dataType, StringValue: value },
      enumerable: true,
    });
  }
  return attributes;
};

/** MessageStructure json: one text per protocol, `default` for the others (SNS API reference, Publish). */
const messageForOf = (message: string, structure: string | undefined): ((protocol: string) => string) => {
  if (structure === undefined || structure === '') return () => message;
  if (structure !== 'json') throw invalidParameter(`MessageStructure - ${structure} is not a supported structure`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter('Message Structure - Failed to parse JSON');
  }
  const byProtocol = (parsed ?? {}) as Record<string, unknown>;
  if (typeof parsed !== 'object' || Array.isArray(parsed) || typeof byProtocol.default !== 'string') {
    throw invalidParameter('Message Structure - No default entry in JSON message body');
  }
  return (protocol) => {
    const own = Object.hasOwn(byProtocol, protocol) ? byProtocol[protocol] : undefined;
    return typeof own === 'string' ? own : String(byProtocol.default);
  };
};

/** One message checked and numbered as Publish takes it (PublishBatch checks each entry the same way). */
const publishedMessage = (topic: Topic, entry: SnsInput): PublishedMessage => {
  const message = text(entry, 'Message');
  if (message === undefined || message === '') throw invalidParameter('Empty message');
  if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) throw invalidParameter('Message too long');
  const subject = text(entry, 'Subject');
  if (subject !== undefined && (subject === '' || subject.length > 100 || /[\r\n]/.test(subject))) {
    throw invalidParameter('Subject');
  }
  const groupId = text(entry, 'MessageGroupId');
  let deduplicationId = text(entry, 'MessageDeduplicationId');
  if (topic.fifo) {
    if (!groupId) throw invalidParameter('The MessageGroupId parameter is required for FIFO topics');
    if (!deduplicationId) {
      if (!topic.contentBasedDeduplication) {
        throw invalidParameter(
          'The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
        );
      }
      deduplicationId = createHash('sha256').update(message).digest('hex');
    }
  } else if (deduplicationId !== undefined) {
    throw invalidParameter(
      'MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
    );
  }
  const attributes = attributesOf(entry.MessageAttributes);
  const messageFor = messageForOf(message, text(entry, 'MessageStructure'));
  if (topic.fifo) topic.sequence += 1n;
  return {
    id: randomUUID(),
    topic,
    messageFor,
    ...(subject === undefined ? {} : { subject }),
    attributes,
    timestamp: new Date().toISOString(),
    ...(groupId ? { groupId } : {}),
    ...(deduplicationId ? { deduplicationId } : {}),
    ...(topic.fifo ? { sequenceNumber: topic.sequence.toString() } : {}),
  };
};

const publish = (state: SnsState, input: SnsInput): SnsOutput => {
  const arn = text(input, 'TopicArn') ?? text(input, 'TargetArn');
  if (!arn) throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
  const topic = topicOf(state, arn);
  const message = publishedMessage(topic, input);
  topic.published += 1;
  state.fanOut(message);
  return { MessageId: message.id, ...(message.sequenceNumber ? { SequenceNumber: message.sequenceNumber } : {}) };
};

/** PublishBatch (SNS API reference): up to 10 entries with distinct ids; each fails or succeeds on its own. */
const publishBatch = (state: SnsState, input: SnsInput): SnsOutput => {
  const topic = topicOf(state, required(input, 'TopicArn'));
  const entries = Array.isArray(input.PublishBatchRequestEntries)
    ? (input.PublishBatchRequestEntries as SnsInput[])
    : [];
  if (entries.length === 0) throw new SnsError('EmptyBatchRequest', "The batch request doesn't contain any entries.");
  if (entries.length > 10) {
    throw new SnsError('TooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible.');
  }
  const ids = entries.map((entry) => text(entry, 'Id') ?? '');
  if (new Set(ids).size !== ids.length) {
    throw new SnsError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
  }
  const successful: SnsOutput[] = [];
  const failed: SnsOutput[] = [];
  for (const [index, entry] of entries.entries()) {
    const id = ids[index] ?? '';
    try {
      const message = publishedMessage(topic, entry);
      topic.published += 1;
      state.fanOut(message);
      successful.push({
        Id: id,
        MessageId: message.id,
        ...(message.sequenceNumber ? { SequenceNumber: message.sequenceNumber } : {}),
      });
    } catch (error) {
      if (!(error instanceof SnsError)) throw error;
      failed.push({ Id: id, Code: error.code, Message: error.message, SenderFault: error.fault === 'Sender' });
    }
  }
  return { Successful: successful, Failed: failed };
};

const subscriptionOutput = (state: SnsState) => (topicArn?: string) =>
  state.registry.subscriptionsOf(topicArn).map((subscription) => ({
    // A subscription waiting for its endpoint is listed without its ARN (SNS API reference, ListSubscriptions).
    SubscriptionArn: subscription.pending ? 'PendingConfirmation' : subscription.arn,
    Owner: state.registry.accountId,
    Protocol: subscription.protocol,
    Endpoint: subscription.endpoint,
    TopicArn: subscription.topicArn,
  }));

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

/** Who called: a request with a signature checked, or not (the only unsigned ones: see server.ts unsignedAllowed). */
export interface SnsCaller {
  signed: boolean;
}

export const operations: Record<
  string,
  (state: SnsState, input: SnsInput, caller: SnsCaller) => SnsOutput | undefined
> = {
  Publish: publish,
  PublishBatch: publishBatch,
  ListTopics: (state) => ({ Topics: state.registry.all().map((topic) => ({ TopicArn: topic.arn })) }),
  ListSubscriptions: (state) => ({ Subscriptions: subscriptionOutput(state)() }),
  ListSubscriptionsByTopic: (state, input) => {
    const topic = topicOf(state, required(input, 'TopicArn'));
    return { Subscriptions: subscriptionOutput(state)(topic.arn) };
  },
  GetTopicAttributes: (state, input) => {
    const topic = topicOf(state, required(input, 'TopicArn'));
    const subscriptions = state.registry.subscriptionsOf(topic.arn);
    const pending = subscriptions.filter((subscription) => subscription.pending).length;
    return {
      Attributes: {
        TopicArn: topic.arn,
        Owner: state.registry.accountId,
        DisplayName: topic.displayName,
        SubscriptionsConfirmed: String(subscriptions.length - pending),
        SubscriptionsPending: String(pending),
        SubscriptionsDeleted: '0',
        ...(topic.fifo
          ? { FifoTopic: 'true', ContentBasedDeduplication: String(topic.contentBasedDeduplication) }
          : {}),
      },
    };
  },
  CreateTopic: (state, input) => {
    const name = required(input, 'Name');
    const attributes = (input.Attributes ?? {}) as Record<string, unknown>;
    const fifo = String(attributes.FifoTopic ?? '').toLowerCase() === 'true';
    const base = fifo && name.endsWith('.fifo') ? name.slice(0, -5) : name;
    if (!TOPIC_NAME.test(base) || name.endsWith('.fifo') !== fifo) {
      throw invalidParameter('Topic Name');
    }
    const topic = state.registry.create({
      name,
      fifo,
      contentBasedDeduplication: String(attributes.ContentBasedDeduplication ?? '').toLowerCase() === 'true',
      ...(typeof attributes.DisplayName === 'string' ? { displayName: attributes.DisplayName } : {}),
    });
    return { TopicArn: topic.arn };
  },
  DeleteTopic: (state, input) => {
    state.registry.delete(required(input, 'TopicArn'));
    return undefined;
  },
  Subscribe: (state, input) => {
    const topic = topicOf(state, required(input, 'TopicArn'));
    const protocol = required(input, 'Protocol');
    const endpoint = required(input, 'Endpoint');
    const attributes = (input.Attributes ?? {}) as Record<string, unknown>;
    let subscription: ReturnType<TopicRegistry['subscribe']>;
    try {
      subscription = state.registry.subscribe({
        topicArn: topic.arn,
        protocol,
        endpoint,
        raw: attributes.RawMessageDelivery,
        filterPolicy: attributes.FilterPolicy,
        filterScope: attributes.FilterPolicyScope,
        redrivePolicy: attributes.RedrivePolicy,
        source: 'Subscribe',
      });
    } catch (error) {
      throw invalidParameter(`Attributes Reason: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!subscription.pending) return { SubscriptionArn: subscription.arn };
    state.requestConfirmation(subscription);
    // SNS API reference, Subscribe: "pending confirmation" unless ReturnSubscriptionArn asks for the ARN itself.
    const returnArn = String(input.ReturnSubscriptionArn ?? '').toLowerCase() === 'true';
    return { SubscriptionArn: returnArn ? subscription.arn : 'pending confirmation' };
  },
  /** The SubscribeURL's action (a plain GET) or the SDK's: confirms the http(s) subscription holding the token. */
  ConfirmSubscription: (state, input, caller) => {
    // An unknown (or expired) token: `Invalid parameter: Token`, as SNS answers it (LocalStack's AWS-validated tests).
    const subscription = state.registry.confirm(required(input, 'TopicArn'), required(input, 'Token'), {
      signed: caller.signed,
      authenticateOnUnsubscribe: String(input.AuthenticateOnUnsubscribe ?? '').toLowerCase() === 'true',
    });
    if (!subscription) throw invalidParameter('Token');
    return { SubscriptionArn: subscription.arn };
  },
  Unsubscribe: (state, input) => {
    if (!state.registry.unsubscribe(required(input, 'SubscriptionArn'))) throw notFound('Subscription');
    return undefined;
  },
  SetSubscriptionAttributes: (state, input) => {
    const subscription = state.registry.subscription(required(input, 'SubscriptionArn'));
    if (!subscription) throw notFound('Subscription');
    const name = required(input, 'AttributeName');
    const value = text(input, 'AttributeValue') ?? '';
    try {
      state.registry.setAttribute(subscription, name, value);
    } catch (error) {
      throw invalidParameter(`AttributeName Reason: ${error instanceof Error ? error.message : String(error)}`);
    }
    return undefined;
  },
  GetSubscriptionAttributes: (state, input) => {
    const subscription = state.registry.subscription(required(input, 'SubscriptionArn'));
    if (!subscription) throw notFound('Subscription');
    return {
      Attributes: {
        SubscriptionArn: subscription.arn,
        TopicArn: subscription.topicArn,
        Protocol: subscription.protocol,
        Endpoint: subscription.endpoint,
        Owner: state.registry.accountId,
        RawMessageDelivery: String(subscription.raw),
        PendingConfirmation: String(subscription.pending !== undefined),
        ConfirmationWasAuthenticated: String(subscription.pending === undefined && !subscription.confirmedUnsigned),
        ...(subscription.deadLetterArn
          ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: subscription.deadLetterArn }) }
          : {}),
        ...(subscription.filterPolicy
          ? { FilterPolicy: JSON.stringify(subscription.filterPolicy), FilterPolicyScope: subscription.filterScope }
          : {}),
      },
    };
  },
};
