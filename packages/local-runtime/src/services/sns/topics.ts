import { randomBytes, randomUUID } from 'node:crypto';
import { type FilterPolicy, type FilterScope, parseFilterPolicy } from './filter-policy.ts';

export interface Subscription {
  arn: string;
  topicArn: string;
  protocol: string;
  /** The queue's or function's ARN (or whatever the subscription names). */
  endpoint: string;
  raw: boolean;
  filterPolicy?: FilterPolicy;
  filterScope: FilterScope;
  /** RedrivePolicy's `deadLetterTargetArn`: the queue that gets what cannot be delivered. */
  deadLetterArn?: string;
  /** The template's resource or event that made it, or `Subscribe`. */
  source: string;
  /**
   * An http(s) subscription waits for its endpoint to confirm (SNS developer guide, "Fanout to HTTP/S endpoints",
   * "Confirm your subscription"): the token the SubscriptionConfirmation message carries, and when it was sent.
   */
  pending?: { token: string; issuedAt: number };
  /** The token that confirmed it, which confirms it again. */
  confirmedToken?: string;
  /** Confirmed by a request without a signature (a GET of its SubscribeURL): ConfirmationWasAuthenticated false. */
  confirmedUnsigned?: boolean;
  /**
   * Confirmed by a signed ConfirmSubscription with AuthenticateOnUnsubscribe true: only a signed Unsubscribe removes it
   * (SNS API reference, ConfirmSubscription); otherwise anyone may, its UnsubscribeURL included.
   */
  authenticateOnUnsubscribe?: boolean;
}

/**
 * Protocols whose endpoint confirms the subscription before it gets anything, and gets it by a POST (email ones are
 * not delivered locally).
 */
export const isHttpProtocol = (protocol: string): boolean => protocol === 'http' || protocol === 'https';

/** The protocols the local SNS delivers to: queues and functions (delivery.ts), http(s) endpoints (http-delivery.ts). */
export const deliveredLocally = (protocol: string): boolean =>
  protocol === 'sqs' || protocol === 'lambda' || isHttpProtocol(protocol);

/** A confirmation token stays valid three days (SNS API reference, ConfirmSubscription / Subscribe). */
const TOKEN_LIFETIME_MS = 3 * 24 * 60 * 60 * 1000;

export interface Topic {
  name: string;
  arn: string;
  fifo: boolean;
  contentBasedDeduplication: boolean;
  displayName: string;
  logicalId?: string;
  published: number;
  /** FIFO topics number their messages. */
  sequence: bigint;
}

export interface TopicSeed {
  name: string;
  logicalId?: string;
  fifo?: boolean;
  contentBasedDeduplication?: boolean;
  displayName?: string;
}

export interface SubscriptionSeed {
  topicArn: string;
  protocol: string;
  endpoint: string;
  raw?: unknown;
  filterPolicy?: unknown;
  filterScope?: unknown;
  redrivePolicy?: unknown;
  source: string;
}

/** `{"deadLetterTargetArn": "arn:aws:sqs:..."}`, as an object (the template) or JSON text (Subscribe). */
const deadLetterOf = (raw: unknown): string | undefined => {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const policy: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
  const target = (policy as { deadLetterTargetArn?: unknown } | null)?.deadLetterTargetArn;
  if (typeof target !== 'string' || !target.startsWith('arn:')) {
    throw new Error('RedrivePolicy must name a deadLetterTargetArn');
  }
  return target;
};

const truthy = (value: unknown) => value === true || String(value).toLowerCase() === 'true';

/** The topics and their subscriptions, by ARN. */
export class TopicRegistry {
  private readonly topics = new Map<string, Topic>();
  private readonly subscriptions = new Map<string, Subscription>();

  readonly region: string;
  readonly accountId: string;

  constructor(region: string, accountId: string) {
    this.region = region;
    this.accountId = accountId;
  }

  arnOf(name: string): string {
    return `arn:aws:sns:${this.region}:${this.accountId}:${name}`;
  }

  create(seed: TopicSeed): Topic {
    const arn = this.arnOf(seed.name);
    const existing = this.topics.get(arn);
    if (existing) return existing;
    const topic: Topic = {
      name: seed.name,
      arn,
      fifo: seed.fifo ?? seed.name.endsWith('.fifo'),
      contentBasedDeduplication: seed.contentBasedDeduplication ?? false,
      displayName: seed.displayName ?? '',
      ...(seed.logicalId ? { logicalId: seed.logicalId } : {}),
      published: 0,
      sequence: 10_000_000_000_000_000_000n,
    };
    this.topics.set(arn, topic);
    return topic;
  }

  byArn(arn: string): Topic | undefined {
    return this.topics.get(arn);
  }

  all(): Topic[] {
    return [...this.topics.values()];
  }

  delete(arn: string): void {
    this.topics.delete(arn);
    for (const subscription of this.subscriptionsOf(arn)) this.subscriptions.delete(subscription.arn);
  }

  /** Throws on a policy that is not a JSON object, or a scope SNS does not know. */
  subscribe(seed: SubscriptionSeed): Subscription {
    const scope = seed.filterScope === undefined || seed.filterScope === '' ? 'MessageAttributes' : seed.filterScope;
    if (scope !== 'MessageAttributes' && scope !== 'MessageBody') {
      throw new Error(`FilterPolicyScope must be MessageAttributes or MessageBody, not ${String(scope)}`);
    }
    const filterPolicy = parseFilterPolicy(seed.filterPolicy);
    const deadLetterArn = deadLetterOf(seed.redrivePolicy);
    const subscription: Subscription = {
      arn: `${seed.topicArn}:${randomUUID()}`,
      topicArn: seed.topicArn,
      protocol: seed.protocol.toLowerCase(),
      endpoint: seed.endpoint,
      raw: truthy(seed.raw),
      ...(filterPolicy ? { filterPolicy } : {}),
      filterScope: scope,
      ...(deadLetterArn ? { deadLetterArn } : {}),
      source: seed.source,
      ...(isHttpProtocol(seed.protocol.toLowerCase())
        ? { pending: { token: randomBytes(64).toString('hex'), issuedAt: Date.now() } }
        : {}),
    };
    this.subscriptions.set(subscription.arn, subscription);
    return subscription;
  }

  /** SetSubscriptionAttributes: the attributes the local delivery reads; throws for another name or a bad value. */
  setAttribute(subscription: Subscription, name: string, value: string): void {
    if (name === 'RawMessageDelivery') subscription.raw = truthy(value);
    else if (name === 'FilterPolicy') {
      const policy = parseFilterPolicy(value);
      if (policy) subscription.filterPolicy = policy;
      else delete subscription.filterPolicy;
    } else if (name === 'FilterPolicyScope') {
      if (value !== 'MessageAttributes' && value !== 'MessageBody') throw new Error(`FilterPolicyScope ${value}`);
      subscription.filterScope = value;
    } else throw new Error(`${name} cannot be set locally`);
  }

  /**
   * ConfirmSubscription: the subscription of the topic holding this token, confirmed; undefined for a token no
   * subscription holds or a pending one past its lifetime. Confirming again answers the same subscription (the action
   * is idempotent, as LocalStack's tests recorded against AWS show).
   */
  confirm(
    topicArn: string,
    token: string,
    how: { signed: boolean; authenticateOnUnsubscribe: boolean } = { signed: true, authenticateOnUnsubscribe: false },
  ): Subscription | undefined {
    const subscriptions = this.subscriptionsOf(topicArn);
    const confirmed = subscriptions.find((item) => item.confirmedToken === token);
    if (confirmed) return confirmed;
    const subscription = subscriptions.find((item) => item.pending?.token === token);
    if (!subscription?.pending || Date.now() - subscription.pending.issuedAt > TOKEN_LIFETIME_MS) return undefined;
    subscription.confirmedToken = subscription.pending.token;
    delete subscription.pending;
    if (!how.signed) subscription.confirmedUnsigned = true;
    // "If the value of this parameter is true and the request has an AWS signature" (SNS API reference).
    if (how.signed && how.authenticateOnUnsubscribe) subscription.authenticateOnUnsubscribe = true;
    return subscription;
  }

  unsubscribe(arn: string): boolean {
    return this.subscriptions.delete(arn);
  }

  subscription(arn: string): Subscription | undefined {
    return this.subscriptions.get(arn);
  }

  subscriptionsOf(topicArn?: string): Subscription[] {
    return [...this.subscriptions.values()].filter((item) => topicArn === undefined || item.topicArn === topicArn);
  }

  clear(): void {
    this.topics.clear();
    this.subscriptions.clear();
  }
}
