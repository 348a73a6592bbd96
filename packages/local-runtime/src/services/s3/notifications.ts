import type { Delivery } from '../registry.ts';
import type { BucketNotifications } from './notification-config.ts';
import { coversEvent } from './notification-config.ts';
import {
  type BucketContext,
  encodedKey,
  eventBridgeEvent,
  eventRecord,
  type ObjectEvent,
} from './notification-events.ts';

export type Notify = (event: ObjectEvent) => void;

/**
 * Hands each object event to the bucket's matching destinations, in the background: S3 sends notifications
 * asynchronously, so the request that made the event never waits for them (a function is invoked asynchronously).
 * A delivery that fails is logged, never the request's failure.
 */
export const createNotifier = (options: {
  notifications: () => BucketNotifications;
  bucket: BucketContext;
  deliver: (targetArn: string, delivery: Delivery) => Promise<void>;
  log: (line: string) => void;
}): Notify => {
  const send = (source: string, targetArn: string, event: ObjectEvent, body: string) => {
    options.deliver(targetArn, { body }).catch((error: unknown) => {
      options.log(
        `[s3] ${source}: ${event.eventName} of ${event.bucket}/${event.key} not delivered to ${targetArn}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  };
  return (event) => {
    const { targets, eventBridge } = options.notifications();
    // The filter rules match the key as the records give it (S3 user guide, "Configuring event notifications using
    // object key name filtering": a space in a prefix or suffix is written "+", other special characters URL-encoded).
    const key = encodedKey(event.key);
    let configured = false;
    let sent = 0;
    for (const target of targets) {
      configured ||= target.bucket === event.bucket;
      if (target.bucket !== event.bucket || !target.events.some((name) => coversEvent(name, event.eventName))) continue;
      if (!key.startsWith(target.prefix) || !key.endsWith(target.suffix)) continue;
      const body = JSON.stringify({ Records: [eventRecord(event, target.id, options.bucket)] });
      send(target.source, target.targetArn, event, body);
      sent++;
    }
    // As EventBridge's "no rule matched": a filter that leaves an event out says so.
    if (configured && sent === 0) {
      options.log(`[s3] ${event.eventName} of ${event.bucket}/${event.key}: no notification configuration matched`);
    }
    if (eventBridge.has(event.bucket)) {
      const busArn = `arn:aws:events:${options.bucket.region}:${options.bucket.accountId}:event-bus/default`;
      send(
        `${event.bucket} EventBridgeConfiguration`,
        busArn,
        event,
        JSON.stringify(eventBridgeEvent(event, options.bucket)),
      );
    }
  };
};
