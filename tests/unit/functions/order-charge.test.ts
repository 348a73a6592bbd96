import { readFileSync } from 'node:fs';
import { PaymentDeclinedError, PaymentUnavailableError, ValidationError } from '#domain/errors';
import { handler } from '../../../src/functions/order-charge/handler.ts';

interface ChargeEvent {
  order: Record<string, unknown> & { payment: { token: string } };
  attempt?: number;
}
const event = JSON.parse(
  readFileSync(new URL('../../../events/order-charge.json', import.meta.url), 'utf8'),
) as ChargeEvent;
const withToken = (token: string, attempt?: number): ChargeEvent => ({
  order: { ...event.order, payment: { token } },
  ...(attempt === undefined ? {} : { attempt }),
});

describe('order-charge handler', () => {
  it('returns the order plus a payment id for the sample event', async () => {
    const charged = await handler(event);
    expect(charged).toEqual({ ...event.order, paymentId: expect.stringMatching(/^pay_[0-9a-f]{24}$/) });
  });

  it('throws PaymentDeclinedError for tok_declined', async () => {
    await expect(handler(withToken('tok_declined', 0))).rejects.toThrow(PaymentDeclinedError);
    await expect(handler(withToken('tok_declined', 2))).rejects.toHaveProperty('name', 'PaymentDeclinedError');
  });

  it('throws PaymentUnavailableError for tok_flaky on the first attempt, charges on the retry', async () => {
    await expect(handler(withToken('tok_flaky', 0))).rejects.toThrow(PaymentUnavailableError);
    await expect(handler(withToken('tok_flaky'))).rejects.toHaveProperty('name', 'PaymentUnavailableError');
    await expect(handler(withToken('tok_flaky', 1))).resolves.toHaveProperty('paymentId');
  });

  it('throws ValidationError without an order or with a bad attempt', async () => {
    await expect(handler({ attempt: 0 })).rejects.toThrow(ValidationError);
    await expect(handler({ ...event, attempt: -1 })).rejects.toThrow(/attempt/);
  });
});
