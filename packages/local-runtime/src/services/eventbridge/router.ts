import type { Delivery } from '../registry.ts';
import { type Json, matchesPattern } from './pattern.ts';
import type { EventRule } from './rules.ts';
import { targetBody } from './transform.ts';

/** The event as rules match it and targets get it (EventBridge user guide, "Amazon EventBridge events"). */
export interface EventEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Json;
}

type DeliveryState = 'pending' | 'delivered' | 'failed';

/** What became of one event, for the `/_local/events` page. */
export interface RoutedEvent {
  id: string;
  bus: string;
  source: string;
  detailType: string;
  time: string;
  matched: { rule: string; targets: { id: string; arn: string; state: DeliveryState; error?: string }[] }[];
}

// EventBridge retries a failed delivery for 24 hours, up to 185 times, with exponential back-off (user guide,
// "Retrying events that aren't delivered"); locally, three tries a second and two apart (times --time-scale), then
// the event is logged as lost, as it would go to a dead-letter queue.
const RETRY_DELAYS_MS = [1000, 2000];
const KEPT_EVENTS = 100;

export interface EventRouter {
  /** Matches the event against the enabled rules of its bus and delivers it to their targets, in the background. */
  route(bus: string, event: EventEnvelope): void;
  /**
   * Delivers the event to the targets of one rule, as if it had matched (a schedule firing). `recorded: false` keeps it
   * off the recent events (an EventBridge Scheduler schedule's input is no bus event).
   */
  fire(rule: EventRule, event: EventEnvelope, recorded?: boolean): void;
  recent(): RoutedEvent[];
  reset(): void;
  /** No more retries (the runtime is closing). */
  stop(): void;
}

export const createEventRouter = (options: {
  rules: () => EventRule[];
  deliver: (targetArn: string, delivery: Delivery) => Promise<void>;
  log: (line: string) => void;
  timeScale: number;
}): EventRouter => {
  let events: RoutedEvent[] = [];
  let closed = false;
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms * options.timeScale).unref());

  const deliverWithRetries = async (
    rule: EventRule,
    target: EventRule['targets'][number],
    event: EventEnvelope,
    record: RoutedEvent['matched'][number]['targets'][number],
  ) => {
    let body: string;
    try {
      body = targetBody(event as unknown as Json, target, { name: rule.name, arn: rule.arn });
    } catch (error) {
      record.state = 'failed';
      record.error = error instanceof Error ? error.message : String(error);
      options.log(`[events] ${rule.name} → ${target.id}: input not built (${record.error}); event ${event.id} dropped`);
      return;
    }
    const delivery: Delivery = {
      body,
      // A FIFO queue target is deduplicated by the event id (user guide, "Amazon SQS FIFO queues as targets").
      ...(target.messageGroupId ? { messageGroupId: target.messageGroupId, messageDeduplicationId: event.id } : {}),
    };
    for (let attempt = 0; ; attempt++) {
      try {
        await options.deliver(target.arn, delivery);
        record.state = 'delivered';
        delete record.error;
        options.log(`[events] ${rule.name} → ${target.id} (${target.arn}): event ${event.id}`);
        return;
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined || closed) {
          record.state = 'failed';
          options.log(
            `[events] ${rule.name} → ${target.id} (${target.arn}): event ${event.id} not delivered after ${attempt + 1} tries: ${record.error}`,
          );
          return;
        }
        await wait(delay);
      }
    }
  };

  const record = (bus: string, event: EventEnvelope): RoutedEvent => {
    const routed: RoutedEvent = {
      id: event.id,
      bus,
      source: event.source,
      detailType: event['detail-type'],
      time: event.time,
      matched: [],
    };
    events = [routed, ...events].slice(0, KEPT_EVENTS);
    return routed;
  };

  const deliverRule = (rule: EventRule, event: EventEnvelope, routed: RoutedEvent) => {
    const matched: RoutedEvent['matched'][number] = { rule: rule.name, targets: [] };
    routed.matched.push(matched);
    for (const target of rule.targets) {
      const state: RoutedEvent['matched'][number]['targets'][number] = {
        id: target.id,
        arn: target.arn,
        state: 'pending',
      };
      matched.targets.push(state);
      void deliverWithRetries(rule, target, event, state).catch((error: unknown) => {
        options.log(`[events] ${rule.name} → ${target.id}: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  };

  return {
    route: (bus, event) => {
      const routed = record(bus, event);
      for (const rule of options.rules()) {
        if (rule.busName !== bus || rule.state === 'DISABLED' || !rule.pattern) continue;
        if (!matchesPattern(rule.pattern, event as unknown as Json)) continue;
        deliverRule(rule, event, routed);
      }
      if (routed.matched.length === 0) {
        options.log(
          `[events] event ${event.id} (${event.source} / ${event['detail-type']}) on ${bus}: no rule matched`,
        );
      }
    },
    fire: (rule, event, recorded = true) => {
      const routed = record(rule.busName, event);
      if (!recorded) events = events.filter((kept) => kept !== routed);
      deliverRule(rule, event, routed);
    },
    recent: () => events,
    reset: () => {
      events = [];
    },
    stop: () => {
      closed = true;
    },
  };
};
