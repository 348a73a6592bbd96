import * as z from 'zod/mini';
import { type DomainError, ValidationError } from './errors.ts';
import { publishedEventSchema } from './order-events.ts';
import { orderIdPattern } from './order-id.ts';
import { parseOrThrow } from './order-schemas.ts';

/** A live WebSocket connection and the orders it follows; both expire (TTL) in case $disconnect never comes. */
export interface ConnectionRecord {
  connectionId: string;
  principalId: string;
  connectedAt: string;
  /** Epoch seconds: the table's TTL attribute. */
  expiresAt: number;
}

export interface SubscriptionRecord {
  connectionId: string;
  orderId: string;
  expiresAt: number;
}

export const expiresAt = (now: Date, ttlSeconds: number): number => Math.floor(now.getTime() / 1000) + ttlSeconds;

/** The routes a client may name in `action` (besides `$default`, which answers everything else). */
export const clientActions = ['subscribe', 'publish'] as const;

const subscribeSchema = z.object({
  action: z.literal('subscribe'),
  orderId: z.string().check(z.regex(orderIdPattern)),
});
const publishSchema = z.object({ action: z.literal('publish'), ...publishedEventSchema.shape });

export type ClientMessage = z.infer<typeof subscribeSchema> | z.infer<typeof publishSchema>;

/** The message of a `subscribe` or `publish` route, or a ValidationError saying what is wrong with it. */
export const parseClientMessage = (routeKey: string, body: string | undefined): ClientMessage => {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    throw new ValidationError('Message is not JSON');
  }
  if (routeKey === 'subscribe') return parseOrThrow(subscribeSchema, value, 'subscribe message');
  if (routeKey === 'publish') return parseOrThrow(publishSchema, value, 'publish message');
  throw new ValidationError(`Unknown action; send {"action": ${clientActions.map((a) => `"${a}"`).join(' | ')}, ...}`);
};

/** Replies sent back to the client on its own connection. */
export type Reply =
  | { type: 'subscribed'; orderId: string }
  | { type: 'published'; eventId: string }
  | { type: 'error'; message: string; errors?: { path: string; message: string }[]; actions: readonly string[] };

/** A refused message: what was wrong with it, or why the caller may not do it (missing scope, unknown order). */
export const errorReply = (error: DomainError): Reply => ({
  type: 'error',
  message: error.message,
  ...(error instanceof ValidationError && error.issues.length > 0 ? { errors: error.issues } : {}),
  actions: clientActions,
});
