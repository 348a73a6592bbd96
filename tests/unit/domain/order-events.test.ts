import { ValidationError } from '../../../src/domain/errors.ts';
import { eventPush, parseOrderEvent, websocketEvent } from '../../../src/domain/order-events.ts';

const event = {
  eventId: 'e-1',
  orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p',
  type: 'order.confirmed',
  occurredAt: '2026-11-24T19:13:20.512Z',
  source: 'workflow',
  detail: { total: { amount: 1, currency: 'EUR' } },
};

describe('order events', () => {
  it('accepts the events the three producers make', () => {
    expect(parseOrderEvent(event)).toEqual(event);
    expect(
      parseOrderEvent({ ...event, source: 'partner', occurredAt: '2026-11-24T20:13:20+01:00', detail: undefined }),
    ).toMatchObject({
      source: 'partner',
    });
  });

  it.each([
    ['an unknown source', { source: 'mobile' }, 'source'],
    ['a malformed order id', { orderId: 'order-1' }, 'orderId'],
    ['a type without a dot', { type: 'confirmed' }, 'type'],
    ['a time that is not ISO-8601', { occurredAt: '24/11/2026' }, 'occurredAt'],
    ['an empty event id', { eventId: '' }, 'eventId'],
    ['a detail that is not an object', { detail: 'x' }, 'detail'],
  ])('refuses %s, naming the field', (_name, change, field) => {
    try {
      parseOrderEvent({ ...event, ...change });
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => i.path)).toEqual([field]);
    }
  });

  it('stamps a WebSocket-published event with id, time and source', () => {
    const made = websocketEvent(
      { orderId: event.orderId, type: 'order.shipped' },
      'id-1',
      new Date('2026-11-24T19:00:00Z'),
    );
    expect(made).toEqual({
      eventId: 'id-1',
      orderId: event.orderId,
      type: 'order.shipped',
      occurredAt: '2026-11-24T19:00:00.000Z',
      source: 'websocket',
    });
    expect(parseOrderEvent(made)).toEqual(made);
    expect(eventPush(made)).toEqual({ type: 'order-event', event: made });
  });
});
