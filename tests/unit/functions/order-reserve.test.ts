import { readFileSync } from 'node:fs';
import { OutOfStockError, UnknownProductError, ValidationError } from '#domain/errors';
import { handler } from '../../../src/functions/order-reserve/handler.ts';

const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../../events/${name}.json`, import.meta.url), 'utf8'));

const eur = (amount: number) => ({ amount, currency: 'EUR' });

describe('order-reserve handler', () => {
  it("returns the order plus a reservation id: ChargePayment's sample order", async () => {
    const reserved = await handler(load('order-reserve'));
    expect(reserved).toEqual((load('order-charge') as { order: unknown }).order);
    expect(reserved.reservationId).toMatch(/^res_[0-9a-f]{24}$/);
  });

  it('throws OutOfStockError for SKU-SOLDOUT', async () => {
    const order = {
      ...load('order-reserve'),
      items: [{ sku: 'SKU-SOLDOUT', quantity: 1 }],
      lines: [{ sku: 'SKU-SOLDOUT', name: 'Box', quantity: 1, unitPrice: eur(9999), lineTotal: eur(9999) }],
      total: eur(9999),
    };
    await expect(handler(order)).rejects.toThrow(OutOfStockError);
    await expect(handler(order)).rejects.toHaveProperty('name', 'OutOfStockError');
  });

  it('throws UnknownProductError for a line the catalogue does not know', async () => {
    const order = {
      ...load('order-reserve'),
      lines: [{ sku: 'SKU-NOPE', name: '?', quantity: 1, unitPrice: eur(1), lineTotal: eur(1) }],
    };
    await expect(handler(order)).rejects.toThrow(UnknownProductError);
  });

  it('throws ValidationError for an order that was not validated', async () => {
    await expect(handler(load('order-validate'))).rejects.toThrow(ValidationError);
  });
});
