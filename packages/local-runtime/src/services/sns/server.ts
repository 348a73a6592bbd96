import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Delivery } from '../registry.ts';
import { type LocalService, listenService, readRequestBody } from '../shared/local-service.ts';
import {
  type QueryAnswer,
  queryEnvelope,
  queryErrorEnvelope,
  queryParametersOf,
  wantsJson,
} from '../shared/query-protocol.ts';
import { type RequestVerifier, requestVerifier, type ServiceAuth } from '../shared/request-auth.ts';
import { deliveryFor, type PublishedMessage } from './delivery.ts';
import { authFailure, internalFailure, SnsError } from './errors.ts';
import { messagePasses } from './filter-policy.ts';
import { confirmationRequest, notificationRequest, postWithRetries } from './http-delivery.ts';
import { operations, type SnsInput, type SnsOutput, type SnsState } from './operations.ts';
import { parseSnsParameters, resultXml, SNS_NAMESPACE } from './query.ts';
import { isHttpProtocol, type Subscription, TopicRegistry } from './topics.ts';

export interface SnsService extends LocalService {
  registry: TopicRegistry;
  /** Runs one operation in process (what a workflow's SNS task or an EventBridge target would call). */
  call(action: string, input: SnsInput): SnsOutput | undefined;
  /** How many deliveries are under way (tests and pages read it). */
  delivered: { sent: number; filtered: number; failed: number };
  /** Sends the SubscriptionConfirmation of every http(s) subscription still pending (the template's, once started). */
  requestConfirmations(): void;
}

const unsigned = (request: IncomingMessage) =>
  request.headers.authorization === undefined && !String(request.url ?? '').includes('X-Amz-Signature=');

/**
 * The calls SNS takes without a signature (SNS API reference): ConfirmSubscription "requires an AWS signature only when
 * the AuthenticateOnUnsubscribe flag is set to true" (a GET of a SubscribeURL: a subscriber's web server confirms
 * without AWS credentials), and Unsubscribe of a subscription not confirmed with that flag (its UnsubscribeURL).
 */
const unsignedAllowed = (registry: TopicRegistry, action: string, flat: Record<string, string>) => {
  if (action === 'ConfirmSubscription') return String(flat.AuthenticateOnUnsubscribe ?? '').toLowerCase() !== 'true';
  if (action !== 'Unsubscribe') return false;
  const subscription = registry.subscription(flat.SubscriptionArn ?? '');
  return subscription !== undefined && !subscription.authenticateOnUnsubscribe;
};

const operationOf = (action: string) => (Object.hasOwn(operations, action) ? operations[action] : undefined);

const answer = async (
  state: SnsState,
  verify: RequestVerifier,
  request: IncomingMessage,
  body: Buffer,
  requestId: string,
): Promise<QueryAnswer> => {
  const json = wantsJson(request);
  const flat = queryParametersOf(request, body.toString('utf8'));
  const action = flat.Action ?? '';
  try {
    const signed = !(unsigned(request) && unsignedAllowed(state.registry, action, flat));
    if (signed) {
      const signature = await verify(request, body);
      if (!signature.ok) throw authFailure(signature);
    }
    if (!action) throw new SnsError('MissingAction', 'The request must contain the parameter Action.');
    const operation = operationOf(action);
    if (!operation) throw new SnsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
    const input = parseSnsParameters(flat);
    const output = operation(state, input, { signed });
    return queryEnvelope(
      { action, namespace: SNS_NAMESPACE, requestId, json },
      output ? { xml: resultXml(output), json: output } : undefined,
    );
  } catch (error) {
    if (!(error instanceof SnsError)) console.error('[sns] unexpected error', error);
    const failure = error instanceof SnsError ? error : internalFailure(error);
    return queryErrorEnvelope(
      { status: failure.status, fault: failure.fault, code: failure.code, message: failure.message },
      { namespace: SNS_NAMESPACE, requestId, json },
    );
  }
};

/**
 * The local SNS endpoint (query protocol, what the AWS SDKs speak to SNS): topics, subscriptions to queues, functions
 * and http(s) endpoints (confirmed through their SubscribeURL first), Publish fanning out to each subscription whose
 * filter policy passes. A delivery that fails is logged; it never costs the publisher anything (SNS answers Publish
 * before delivering).
 */
export const startSnsService = async (options: {
  region: string;
  accountId: string;
  auth: ServiceAuth;
  host?: string;
  port?: number;
  deliver: (targetArn: string, delivery: Delivery) => Promise<void>;
  log: (line: string) => void;
  /** Multiplies the http(s) retry delays. */
  timeScale?: number;
  /** The template's own API URLs to the local origins serving them (see ServiceContext.rewrite). */
  rewrite?: (value: string) => string;
}): Promise<SnsService> => {
  const rewrite = options.rewrite ?? ((value: string) => value);
  let stopped = false;
  const registry = new TopicRegistry(options.region, options.accountId);
  const delivered = { sent: 0, filtered: 0, failed: 0 };
  let unsubscribeBase = '';
  const fanOut = (message: PublishedMessage) => {
    for (const subscription of registry.subscriptionsOf(message.topic.arn)) {
      // SNS developer guide, "HTTP/HTTPS subscription confirmation JSON format": nothing until it is confirmed.
      if (subscription.pending) continue;
      const passes = messagePasses(subscription.filterPolicy, subscription.filterScope, {
        body: message.messageFor(subscription.protocol),
        attributes: message.attributes,
      });
      if (!passes) {
        delivered.filtered += 1;
        continue;
      }
      if (isHttpProtocol(subscription.protocol)) {
        postNotification(message, subscription);
        continue;
      }
      const delivery = deliveryFor(message, subscription, unsubscribeBase, options.region);
      if (!delivery) {
        options.log(`[sns] ${subscription.source}: ${subscription.protocol} subscriptions are not delivered locally`);
        continue;
      }
      options
        .deliver(subscription.endpoint, delivery)
        .then(() => {
          delivered.sent += 1;
        })
        .catch((error: unknown) => failed(message, subscription, delivery, error));
    }
  };
  const failed = (message: PublishedMessage, subscription: Subscription, delivery: Delivery, error: unknown) => {
    delivered.failed += 1;
    options.log(
      `[sns] message ${message.id} to ${subscription.endpoint} (${subscription.source}) failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    // Redrive (SNS developer guide, "Amazon SNS dead-letter queues"): what cannot be delivered goes to the queue.
    if (!subscription.deadLetterArn) return;
    options.deliver(subscription.deadLetterArn, delivery).catch((dlqError: unknown) => {
      options.log(
        `[sns] message ${message.id} not moved to ${subscription.deadLetterArn}: ${dlqError instanceof Error ? dlqError.message : String(dlqError)}`,
      );
    });
  };
  /** The template's own API (`https://<apiId>.execute-api...`) is called at its local origin; other URLs as they are. */
  const endpointUrl = (subscription: Subscription) => rewrite(subscription.endpoint);
  const postNotification = (message: PublishedMessage, subscription: Subscription) => {
    const request = notificationRequest(message, subscription, unsubscribeBase, options.region);
    postWithRetries(endpointUrl(subscription), request, options.timeScale ?? 1, () => stopped)
      .then((status) => {
        delivered.sent += 1;
        if (status >= 400) {
          options.log(
            `[sns] message ${message.id} to ${subscription.endpoint} (${subscription.source}): the endpoint answered ${status}, which SNS neither retries nor counts as failed`,
          );
        }
      })
      .catch((error: unknown) =>
        failed(message, subscription, { body: request.body, ...rawAttributes(message, subscription) }, error),
      );
  };
  /** What a raw message keeps in the dead-letter queue: its attributes, as a queue subscription would get them. */
  const rawAttributes = (message: PublishedMessage, subscription: Subscription) =>
    subscription.raw && Object.keys(message.attributes).length ? { attributes: message.attributes } : {};
  const requestConfirmation = (subscription: Subscription) => {
    const topic = registry.byArn(subscription.topicArn);
    if (!topic || !subscription.pending) return;
    const request = confirmationRequest(
      topic,
      subscription,
      subscription.pending.token,
      unsubscribeBase,
      options.region,
    );
    postWithRetries(endpointUrl(subscription), request, options.timeScale ?? 1, () => stopped)
      .then((status) => {
        options.log(
          `[sns] ${subscription.source}: SubscriptionConfirmation sent to ${subscription.endpoint} (answered ${status}); the subscription waits for its SubscribeURL`,
        );
      })
      .catch((error: unknown) => {
        options.log(
          `[sns] ${subscription.source}: SubscriptionConfirmation not delivered to ${subscription.endpoint}: ${error instanceof Error ? error.message : String(error)}; the subscription stays pending`,
        );
      });
  };
  const state: SnsState = { registry, fanOut, requestConfirmation };
  const verify = requestVerifier(options.auth, 'sns');
  const service = await listenService(
    'sns',
    async (request: IncomingMessage, response: ServerResponse) => {
      const body = await readRequestBody(request, 2 * 1_048_576);
      if (body === undefined) {
        response.writeHead(413, { 'Content-Type': 'text/plain' }).end('Request entity too large');
        return;
      }
      const requestId = randomUUID();
      const answered = await answer(state, verify, request, body, requestId);
      response
        .writeHead(answered.status, { 'Content-Type': answered.contentType, 'x-amzn-RequestId': requestId })
        .end(answered.body);
    },
    { ...(options.host ? { host: options.host } : {}), ...(options.port === undefined ? {} : { port: options.port }) },
  );
  unsubscribeBase = service.url;
  return {
    ...service,
    close: async () => {
      stopped = true;
      await service.close();
    },
    registry,
    delivered,
    requestConfirmations: () => {
      for (const subscription of registry.subscriptionsOf()) requestConfirmation(subscription);
    },
    call: (action, input) => {
      const operation = operationOf(action);
      if (!operation) throw new SnsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
      // The runtime's own calls (workflow tasks, EventBridge targets) are its own: as signed.
      return operation(state, input, { signed: true });
    },
  };
};
