import type { Delivery } from '../registry.ts';
import type { Subscription, Topic } from './topics.ts';

export type MessageAttribute = { DataType: string; StringValue?: string; BinaryValue?: string };

/** One published message, as every subscription gets it. */
export interface PublishedMessage {
  id: string;
  topic: Topic;
  /** The text each protocol gets (MessageStructure json: its own key or `default`). */
  messageFor: (protocol: string) => string;
  subject?: string;
  attributes: Record<string, MessageAttribute>;
  timestamp: string;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
}

/**
 * The signature fields of a notification. The local runtime does not sign: `Signature` is a fixed placeholder that no
 * certificate verifies (a subscriber that checks signatures must skip the check locally).
 */
export const SIGNATURE_PLACEHOLDER = Buffer.from('local-sns-does-not-sign').toString('base64');

export const signingCertificateUrl = (region: string) =>
  `https://sns.${region}.amazonaws.com/SimpleNotificationService-local-placeholder.pem`;

const envelopeAttributes = (attributes: Record<string, MessageAttribute>) =>
  Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      { Type: value.DataType, Value: value.StringValue ?? value.BinaryValue },
    ]),
  );

/**
 * The JSON notification SNS puts in an SQS queue without raw delivery (SNS developer guide, "Fanout to Amazon SQS
 * queues" and "Parsing message formats": Type, MessageId, TopicArn, Subject when given, Message, Timestamp, signature
 * fields, UnsubscribeURL, MessageAttributes when there are any).
 */
export const notificationEnvelope = (
  message: PublishedMessage,
  subscription: Subscription,
  unsubscribeBase: string,
  region: string,
) => ({
  Type: 'Notification',
  MessageId: message.id,
  ...(message.sequenceNumber ? { SequenceNumber: message.sequenceNumber } : {}),
  TopicArn: message.topic.arn,
  ...(message.subject === undefined ? {} : { Subject: message.subject }),
  Message: message.messageFor(subscription.protocol),
  Timestamp: message.timestamp,
  SignatureVersion: '1',
  Signature: SIGNATURE_PLACEHOLDER,
  SigningCertURL: signingCertificateUrl(region),
  UnsubscribeURL: `${unsubscribeBase}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscription.arn)}`,
  ...(Object.keys(message.attributes).length ? { MessageAttributes: envelopeAttributes(message.attributes) } : {}),
});

/** The event a subscribed function gets (Lambda developer guide, "Using Lambda with Amazon SNS"). */
export const lambdaEvent = (
  message: PublishedMessage,
  subscription: Subscription,
  unsubscribeBase: string,
  region: string,
) => ({
  Records: [
    {
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: subscription.arn,
      Sns: {
        Type: 'Notification',
        MessageId: message.id,
        TopicArn: message.topic.arn,
        Subject: message.subject ?? null,
        Message: message.messageFor(subscription.protocol),
        Timestamp: message.timestamp,
        SignatureVersion: '1',
        Signature: SIGNATURE_PLACEHOLDER,
        SigningCertUrl: signingCertificateUrl(region),
        UnsubscribeUrl: `${unsubscribeBase}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscription.arn)}`,
        MessageAttributes: envelopeAttributes(message.attributes),
      },
    },
  ],
});

/** SQS has no String.Array: SNS hands such an attribute on as a String holding the JSON list. */
const sqsAttributes = (attributes: Record<string, MessageAttribute>): Delivery['attributes'] =>
  Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      value.DataType === 'String.Array' ? { ...value, DataType: 'String' } : value,
    ]),
  );

/** What a subscription's target gets, or undefined for a protocol the local runtime does not deliver to. */
export const deliveryFor = (
  message: PublishedMessage,
  subscription: Subscription,
  unsubscribeBase: string,
  region: string,
): Delivery | undefined => {
  const fifo = {
    ...(message.groupId ? { messageGroupId: message.groupId } : {}),
    ...(message.deduplicationId ? { messageDeduplicationId: message.deduplicationId } : {}),
  };
  if (subscription.protocol === 'sqs') {
    if (subscription.raw) {
      const attributes = Object.keys(message.attributes).length ? sqsAttributes(message.attributes) : undefined;
      return { body: message.messageFor('sqs'), ...(attributes ? { attributes } : {}), ...fifo };
    }
    return {
      body: JSON.stringify(notificationEnvelope(message, subscription, unsubscribeBase, region)),
      ...fifo,
    };
  }
  if (subscription.protocol === 'lambda') {
    return { body: JSON.stringify(lambdaEvent(message, subscription, unsubscribeBase, region)) };
  }
  return undefined;
};
