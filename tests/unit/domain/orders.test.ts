import { readFileSync } from 'node:fs';
import { OutOfStockError, PaymentDeclinedError, PaymentUnavailableError, UnknownProductError } from '#domain/errors';
import {
  chargePayment,
  priceItems,
  type ReservedOrder,
  reserveInventory,
  totalOf,
  type ValidatedOrder,
  validateOrder,
  type WorkflowInput,
} from '#domain/orders';

const load = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../../../events/${name}.json`, import.meta.url), 'utf8')) as T;

const input = load<WorkflowInput>('order-validate');

describe('pricing', () => {
  it('prices lines from the catalogue in minor units', () => {
    const { lines, total } = priceItems([
      { sku: 'SKU-BOOK-001', quantity: 2 },
      { sku: 'SKU-MUSIC-002', quantity: 3 },
    ]);
    expect(lines.map((l) => l.lineTotal.amount)).toEqual([8598, 4497]);
    expect(total).toEqual({ amount: 13095, currency: 'EUR' });
  });

  it('fails on an unknown sku', () => {
    expect(() => priceItems([{ sku: 'SKU-NOPE', quantity: 1 }])).toThrow(UnknownProductError);
  });

  it('totalOf is undefined rather than throwing for unknown skus', () => {
    expect(totalOf([{ sku: 'SKU-NOPE', quantity: 1 }])).toBeUndefined();
    expect(totalOf([{ sku: 'SKU-GAME-001', quantity: 1 }])).toEqual({ amount: 3999, currency: 'EUR' });
  });
});

describe('validateOrder', () => {
  it('returns the input plus lines and total (the reserve sample is its output)', () => {
    expect(validateOrder(input)).toEqual(load('order-reserve'));
  });

  it('throws UnknownProductError with its Step Functions name', () => {
    const error = (() => {
      try {
        validateOrder({ ...input, items: [{ sku: 'SKU-NOPE', quantity: 1 }] });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UnknownProductError);
    expect((error as Error).name).toBe('UnknownProductError');
  });
});

describe('reserveInventory', () => {
  const validated = load<ValidatedOrder>('order-reserve');

  it('adds a reservation id that is the same on a retry', () => {
    const a = reserveInventory(validated);
    expect(a.reservationId).toMatch(/^res_[0-9a-f]{24}$/);
    expect(reserveInventory(validated).reservationId).toBe(a.reservationId);
    expect(a.total).toEqual(validated.total);
  });

  it('throws OutOfStockError for SKU-SOLDOUT', () => {
    const order = validateOrder({ ...input, items: [{ sku: 'SKU-SOLDOUT', quantity: 1 }] });
    expect(() => reserveInventory(order)).toThrow(OutOfStockError);
  });

  it('adds up lines of the same sku before checking stock', () => {
    const order = validateOrder({
      ...input,
      items: [
        { sku: 'SKU-BOOK-003', quantity: 5 },
        { sku: 'SKU-BOOK-003', quantity: 4 },
      ],
    });
    expect(() => reserveInventory(order)).toThrow('Item SKU-BOOK-003 is out of stock');
  });

  it('throws UnknownProductError for a line the catalogue does not know', () => {
    const order = { ...validated, lines: [{ ...validated.lines[0], sku: 'SKU-NOPE' }] } as ValidatedOrder;
    expect(() => reserveInventory(order)).toThrow(UnknownProductError);
  });
});

describe('chargePayment', () => {
  const reserved = reserveInventory(load<ValidatedOrder>('order-reserve')) as ReservedOrder;
  const withToken = (token: string): ReservedOrder => ({ ...reserved, payment: { token } });

  it('charges and adds a payment id', () => {
    const charged = chargePayment(reserved, 0);
    expect(charged.paymentId).toMatch(/^pay_[0-9a-f]{24}$/);
    expect(charged.reservationId).toBe(reserved.reservationId);
  });

  it('declines tok_declined on every attempt', () => {
    expect(() => chargePayment(withToken('tok_declined'), 0)).toThrow(PaymentDeclinedError);
    expect(() => chargePayment(withToken('tok_declined'), 3)).toThrow(PaymentDeclinedError);
  });

  it('fails tok_flaky with a retryable error on the first attempt only', () => {
    expect(() => chargePayment(withToken('tok_flaky'), 0)).toThrow(PaymentUnavailableError);
    expect(chargePayment(withToken('tok_flaky'), 1).paymentId).toMatch(/^pay_/);
  });
});
