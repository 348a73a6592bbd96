import { asyncApiDocument, messageValidator, validateAsyncApi } from '../../scripts/spec/asyncapi.ts';
import type { ClientMessage as SdkClientMessage, ServerMessage as SdkServerMessage } from '../../sdk/ws.ts';
import { ForbiddenError, OrderNotFoundError, ValidationError } from '../../src/domain/errors.ts';
import {
  eventPush,
  type OrderEvent,
  type PushMessage,
  parseOrderEvent,
  statusPush,
} from '../../src/domain/order-events.ts';
import { type ClientMessage, errorReply, parseClientMessage, type Reply } from '../../src/domain/subscriptions.ts';

/**
 * api/asyncapi.yaml against its own validator and against the code it describes: the zod schemas that parse client
 * messages and queue events accept exactly what its JSON Schemas accept, and what the domain builds for the client
 * conforms to them (the live replies are checked the same way by the end-to-end suite).
 */
const document = asyncApiDocument();
const conforms = messageValidator(document);
const orderId = `ord_${'0123456789abcdef'.repeat(2)}`;

it('is a valid AsyncAPI 3 document for @asyncapi/parser (no error, no warning)', async () => {
  const diagnostics = await validateAsyncApi(document);
  expect(
    diagnostics.filter((diagnostic) => diagnostic.severity === 'error' || diagnostic.severity === 'warning'),
  ).toEqual([]);
});

it('documents the $connect token, every client action and every server message', () => {
  const channel = (document.channels as Record<string, { messages: Record<string, { $ref: string }> }>).orders;
  const names = Object.values(channel?.messages ?? {}).map(({ $ref }) => {
    const key = $ref.split('/').pop() ?? '';
    return (document.components as Record<string, Record<string, { name: string }>>).messages?.[key]?.name;
  });
  expect(names).toEqual(
    expect.arrayContaining(['subscribe', 'publish', 'subscribed', 'published', 'error', 'order-event', 'order-status']),
  );
  expect(
    (document.components as Record<string, Record<string, Record<string, string>>>).securitySchemes?.queryToken,
  ).toMatchObject({ type: 'httpApiKey', in: 'query', name: 'token' });
});

describe('client messages: the zod schemas of src/domain/subscriptions.ts and the AsyncAPI schemas agree', () => {
  const zodAccepts = (routeKey: string, message: unknown) => {
    try {
      parseClientMessage(routeKey, JSON.stringify(message));
      return true;
    } catch (error) {
      if (error instanceof ValidationError) return false;
      throw error;
    }
  };
  it.each<[string, boolean, 'subscribe' | 'publish', unknown]>([
    ['subscribe', true, 'subscribe', { action: 'subscribe', orderId }],
    ['subscribe with an extra field', true, 'subscribe', { action: 'subscribe', orderId, note: 1 }],
    ['subscribe without orderId', false, 'subscribe', { action: 'subscribe' }],
    ['subscribe to a malformed id', false, 'subscribe', { action: 'subscribe', orderId: 'ord_x' }],
    ['subscribe to a number', false, 'subscribe', { action: 'subscribe', orderId: 7 }],
    ['publish', true, 'publish', { action: 'publish', orderId, type: 'order.note_added' }],
    [
      'publish with detail',
      true,
      'publish',
      { action: 'publish', orderId, type: 'order.note_added', detail: { a: 1 } },
    ],
    ['publish without type', false, 'publish', { action: 'publish', orderId }],
    ['publish a one-word type', false, 'publish', { action: 'publish', orderId, type: 'shipped' }],
    ['publish an upper-case type', false, 'publish', { action: 'publish', orderId, type: 'Order.Shipped' }],
    ['publish a 65-char type', false, 'publish', { action: 'publish', orderId, type: `order.${'a'.repeat(59)}` }],
    ['publish a 64-char type', true, 'publish', { action: 'publish', orderId, type: `order.${'a'.repeat(58)}` }],
    ['publish a detail list', false, 'publish', { action: 'publish', orderId, type: 'order.x', detail: [1] }],
    ['publish a detail string', false, 'publish', { action: 'publish', orderId, type: 'order.x', detail: 'x' }],
    ['publish on the subscribe route', false, 'subscribe', { action: 'publish', orderId, type: 'order.x' }],
    ['an array', false, 'subscribe', [{ action: 'subscribe', orderId }]],
  ])('%s: accepted by both = %p', (_case, expected, routeKey, message) => {
    expect(conforms(routeKey === 'subscribe' ? 'Subscribe' : 'Publish', message)).toEqual(
      expected ? [] : expect.arrayContaining([expect.any(String)]),
    );
    expect(zodAccepts(routeKey, message)).toBe(expected);
  });
});

const confirmed: OrderEvent = {
  eventId: 'e-1',
  orderId,
  type: 'order.confirmed',
  occurredAt: '2026-11-25T10:00:00.123Z',
  source: 'workflow',
};

describe('order events: parseOrderEvent and the OrderEvent schema agree', () => {
  const event = confirmed;
  const zodAccepts = (value: unknown) => {
    try {
      parseOrderEvent(value);
      return true;
    } catch {
      return false;
    }
  };
  it.each<[string, boolean, unknown]>([
    ['an event', true, event],
    ['with detail', true, { ...event, detail: { reason: 'x' } }],
    ['with an offset time', true, { ...event, occurredAt: '2026-11-25T10:00:00+02:00' }],
    ['an unknown source', false, { ...event, source: 'someone' }],
    ['an empty eventId', false, { ...event, eventId: '' }],
    ['a 129-char eventId', false, { ...event, eventId: 'e'.repeat(129) }],
    ['a date without time', false, { ...event, occurredAt: '2026-11-25' }],
    ['no orderId', false, { ...event, orderId: undefined }],
  ])('%s: accepted by both = %p', (_case, expected, value) => {
    const clean = JSON.parse(JSON.stringify(value)) as unknown;
    expect(conforms('OrderEvent', clean).length === 0).toBe(expected);
    expect(zodAccepts(clean)).toBe(expected);
  });
});

describe('server messages built by the domain conform', () => {
  const event: OrderEvent = {
    ...confirmed,
    type: 'order.failed',
    detail: {
      cause: JSON.stringify({ errorType: 'PaymentDeclinedError', errorMessage: 'Card declined', trace: ['at x'] }),
    },
  };
  it.each<[string, Reply | PushMessage, string]>([
    ['subscribed', { type: 'subscribed', orderId }, 'Subscribed'],
    ['published', { type: 'published', eventId: '4a7e0c8e-4d0b-4bb4-9d39-4f1f0f7e3c11' }, 'Published'],
    [
      'a validation error',
      errorReply(new ValidationError('Invalid', [{ path: 'orderId', message: 'bad' }])),
      'ErrorReply',
    ],
    ['a scope error', errorReply(new ForbiddenError('subscribe', 'orders:read')), 'ErrorReply'],
    ['an unknown order', errorReply(new OrderNotFoundError(orderId)), 'ErrorReply'],
    ['a status', statusPush(orderId, 'CONFIRMED'), 'OrderStatusPush'],
    ['a failed status', statusPush(orderId, 'FAILED', 'Card declined'), 'OrderStatusPush'],
    ['a failed event (its trace removed)', eventPush(event), 'OrderEventPush'],
  ])('%s', (_case, message, schema) => {
    expect(conforms(schema, JSON.parse(JSON.stringify(message)))).toEqual([]);
  });
});

// Compile-time parity (npm run typecheck): the SDK's generated message types and the domain's types fit each other.
type Assignable<From, To> = [From] extends [To] ? true : false;
const sdkServerMessagesAreTheDomains: Assignable<SdkServerMessage, Reply | PushMessage> = true;
const sdkClientMessagesAreTheDomains: Assignable<SdkClientMessage, ClientMessage> = true;
const domainClientMessagesAreTheSdks: Assignable<ClientMessage, SdkClientMessage> = true;
it('has SDK message types the domain types accept (checked by tsc)', () => {
  expect([sdkServerMessagesAreTheDomains, sdkClientMessagesAreTheDomains, domainClientMessagesAreTheSdks]).toEqual([
    true,
    true,
    true,
  ]);
});
