import * as z from 'zod/mini';
import { orderIdPattern } from './order-id.ts';
import { parseOrThrow } from './order-schemas.ts';
import { failureReasonOf, type OrderStatus } from './order-status.ts';

/**
 * An order event: what the workflow, partners (POST /v1/events) and WebSocket clients (`publish`) put on the queue,
 * and what subscribers receive. One schema for all three producers, so the consumer trusts none of them blindly.
 */
export const eventSources = ['workflow', 'partner', 'websocket'] as const;
const eventTypePattern = /^[a-z]+(\.[a-z_]+)+$/;
const isoTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

const detail = z.record(z.string(), z.unknown());

export const orderEventSchema = z.object({
  eventId: z.string().check(z.minLength(1), z.maxLength(128)),
  orderId: z.string().check(z.regex(orderIdPattern)),
  type: z.string().check(z.maxLength(64), z.regex(eventTypePattern)),
  occurredAt: z.string().check(z.regex(isoTimePattern)),
  source: z.enum(eventSources),
  detail: z.optional(detail),
});

export type OrderEvent = z.infer<typeof orderEventSchema>;

export const parseOrderEvent = (value: unknown): OrderEvent => parseOrThrow(orderEventSchema, value, 'order event');

/** What a WebSocket client may publish: the event minus what the server decides (id, time, source). */
export const publishedEventSchema = z.object({
  orderId: orderEventSchema.shape.orderId,
  type: orderEventSchema.shape.type,
  detail: z.optional(detail),
});

export const websocketEvent = (
  published: z.infer<typeof publishedEventSchema>,
  eventId: string,
  now: Date,
): OrderEvent => ({
  eventId,
  orderId: published.orderId,
  type: published.type,
  occurredAt: now.toISOString(),
  source: 'websocket',
  ...(published.detail ? { detail: published.detail } : {}),
});

/** What subscribers receive over the WebSocket. */
export type PushMessage =
  | { type: 'order-event'; event: OrderEvent }
  | { type: 'order-status'; orderId: string; status: OrderStatus; failureReason?: string };

/** An order's status as subscribers see it: the workflow's last step pushes it, and `subscribe` answers with it. */
export const statusPush = (orderId: string, status: OrderStatus, failureReason?: string): PushMessage => ({
  type: 'order-status',
  orderId,
  status,
  ...(failureReason ? { failureReason } : {}),
});

/**
 * The event as clients may see it. The workflow's `order.failed` carries the caught error's `cause` (for a Lambda
 * task, the error JSON with its stack trace) for whoever reads the queue or its DLQ; subscribers get the reason
 * `GET /v2/orders/{orderId}` shows instead, as `failureReason`, never the trace.
 */
const clientEvent = (event: OrderEvent): OrderEvent => {
  if (event.source !== 'workflow' || event.detail === undefined || !('cause' in event.detail)) return event;
  const { cause, ...detail } = event.detail;
  const failureReason = typeof cause === 'string' ? failureReasonOf(cause) : undefined;
  return { ...event, detail: { ...detail, ...(failureReason ? { failureReason } : {}) } };
};

export const eventPush = (event: OrderEvent): PushMessage => ({ type: 'order-event', event: clientEvent(event) });
