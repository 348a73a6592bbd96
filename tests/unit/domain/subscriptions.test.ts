import { ValidationError } from '../../../src/domain/errors.ts';
import { errorReply, expiresAt, parseClientMessage } from '../../../src/domain/subscriptions.ts';

describe('subscriptions and the WebSocket protocol', () => {
  it('expires records the TTL after now, in epoch seconds', () => {
    expect(expiresAt(new Date('2026-11-24T19:00:00.900Z'), 7200)).toBe(Date.parse('2026-11-24T21:00:00Z') / 1000);
  });

  it('reads subscribe and publish messages by route', () => {
    expect(
      parseClientMessage('subscribe', '{"action":"subscribe","orderId":"ord_01jd8x2k7q9w3e5r6t7y8u9i0p"}'),
    ).toEqual({
      action: 'subscribe',
      orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p',
    });
    expect(
      parseClientMessage(
        'publish',
        '{"action":"publish","orderId":"ord_01jd8x2k7q9w3e5r6t7y8u9i0p","type":"order.shipped","detail":{"a":1}}',
      ),
    ).toEqual({
      action: 'publish',
      orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p',
      type: 'order.shipped',
      detail: { a: 1 },
    });
  });

  it('refuses a message whose action disagrees with its route', () => {
    expect(() =>
      parseClientMessage('subscribe', '{"action":"publish","orderId":"ord_01jd8x2k7q9w3e5r6t7y8u9i0p"}'),
    ).toThrow(ValidationError);
  });

  it('answers anything else with the list of actions', () => {
    try {
      parseClientMessage('$default', '{"action":"dance"}');
      throw new Error('accepted');
    } catch (error) {
      expect(errorReply(error as ValidationError)).toEqual({
        type: 'error',
        message: 'Unknown action; send {"action": "subscribe" | "publish", ...}',
        actions: ['subscribe', 'publish'],
      });
    }
  });
});
