import { randomUUID } from 'node:crypto';
import {
  notificationEnvelope,
  type PublishedMessage,
  SIGNATURE_PLACEHOLDER,
  signingCertificateUrl,
} from './delivery.ts';
import type { Subscription, Topic } from './topics.ts';

/** One POST to an http(s) subscription: the body and the headers SNS sends with it. */
export interface HttpDelivery {
  body: string;
  headers: Record<string, string>;
}

/**
 * The headers of every POST (SNS developer guide, "HTTP/HTTPS headers"): the message type, id and topic, the content
 * type SNS uses unless a delivery policy names another, and SNS's user agent.
 */
const snsHeaders = (type: string, messageId: string, topicArn: string): Record<string, string> => ({
  'x-amz-sns-message-type': type,
  'x-amz-sns-message-id': messageId,
  'x-amz-sns-topic-arn': topicArn,
  'Content-Type': 'text/plain; charset=UTF-8',
  'User-Agent': 'Amazon Simple Notification Service Agent',
});

/**
 * The SubscriptionConfirmation POST (SNS developer guide, "HTTP/HTTPS subscription confirmation JSON format"): the
 * SubscribeURL is the local endpoint's ConfirmSubscription, which a plain GET answers.
 */
export const confirmationRequest = (
  topic: Topic,
  subscription: Subscription,
  token: string,
  endpointBase: string,
  region: string,
): HttpDelivery => {
  const id = randomUUID();
  const query = new URLSearchParams({ Action: 'ConfirmSubscription', TopicArn: topic.arn, Token: token });
  return {
    body: JSON.stringify({
      Type: 'SubscriptionConfirmation',
      MessageId: id,
      Token: token,
      TopicArn: topic.arn,
      Message: `You have chosen to subscribe to the topic ${topic.arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
      SubscribeURL: `${endpointBase}/?${query}`,
      Timestamp: new Date().toISOString(),
      SignatureVersion: '1',
      Signature: SIGNATURE_PLACEHOLDER,
      SigningCertURL: signingCertificateUrl(region),
    }),
    headers: snsHeaders('SubscriptionConfirmation', id, subscription.topicArn),
  };
};

/**
 * The Notification POST (SNS developer guide, "HTTP/HTTPS notification JSON format"), or with raw delivery the message
 * alone and `x-amz-sns-rawdelivery: true` ("Amazon SNS raw message delivery").
 */
export const notificationRequest = (
  message: PublishedMessage,
  subscription: Subscription,
  unsubscribeBase: string,
  region: string,
): HttpDelivery => ({
  body: subscription.raw
    ? message.messageFor(subscription.protocol)
    : JSON.stringify(notificationEnvelope(message, subscription, unsubscribeBase, region)),
  headers: {
    ...snsHeaders('Notification', message.id, message.topic.arn),
    'x-amz-sns-subscription-arn': subscription.arn,
    ...(subscription.raw ? { 'x-amz-sns-rawdelivery': 'true' } : {}),
  },
});

/**
 * SNS's default HTTP/S delivery policy (SNS developer guide, "Step 4: Optional - Set the delivery policy": "up to three
 * retries with a delay between failed attempts set at 20 seconds"), in seconds before each retry.
 */
const RETRY_DELAYS_SECONDS = [20, 20, 20];

/** SNS gives an endpoint 15 seconds to answer (SNS developer guide, "Step 1: Make sure your endpoint is ready"). */
const ANSWER_TIMEOUT_MS = 15_000;

/** The answer's status; throws on a failure SNS retries. */
const attempt = async (url: string, request: HttpDelivery): Promise<number> => {
  let status: number;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
      redirect: 'manual',
    });
    status = response.status;
    await response.body?.cancel();
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new Error(`${error instanceof Error ? error.message : String(error)}${cause}`);
  }
  // "Step 1: Make sure your endpoint is ready": a status outside 200-4xx (or no answer in 15 s) is a failure SNS
  // retries; a 4xx is not retried and does not count as a failed delivery.
  if (status >= 500 || status < 200) throw new Error(`the endpoint answered ${status}`);
  return status;
};

/**
 * POSTs to an http(s) endpoint with SNS's retries (delays multiplied by the runtime's time scale) and resolves with the
 * status that ended it (2xx-4xx); rejects with the last failure once the policy is spent or `stopped()` says the
 * runtime is closing.
 */
export const postWithRetries = async (
  url: string,
  request: HttpDelivery,
  timeScale: number,
  stopped: () => boolean,
): Promise<number> => {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt(url, request);
    } catch (error) {
      const delay = RETRY_DELAYS_SECONDS[retry];
      if (delay === undefined || stopped()) {
        const tries = retry + 1;
        throw new Error(
          `${error instanceof Error ? error.message : String(error)} (${tries} ${tries === 1 ? 'try' : 'tries'})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delay * 1000 * timeScale).unref());
    }
  }
};
