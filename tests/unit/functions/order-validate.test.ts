import { readFileSync } from 'node:fs';
import { UnknownProductError, ValidationError } from '#domain/errors';
import { handler } from '../../../src/functions/order-validate/handler.ts';

const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../../events/${name}.json`, import.meta.url), 'utf8'));

describe('order-validate handler', () => {
  it("returns the input plus priced lines and total: ReserveInventory's sample input", async () => {
    await expect(handler(load('order-validate'))).resolves.toEqual(load('order-reserve'));
  });

  it('keeps fields it does not know', async () => {
    const result = await handler({ ...load('order-validate'), trace: 'x' });
    expect(result).toHaveProperty('trace', 'x');
  });

  it('throws UnknownProductError (its name is what Step Functions matches)', async () => {
    const input = { ...load('order-validate'), items: [{ sku: 'SKU-NOPE', quantity: 1 }] };
    await expect(handler(input)).rejects.toThrow(UnknownProductError);
    await expect(handler(input)).rejects.toHaveProperty('name', 'UnknownProductError');
  });

  it('throws ValidationError for a malformed input', async () => {
    await expect(handler({ ...load('order-validate'), channel: 'v3' })).rejects.toThrow(ValidationError);
    await expect(handler(undefined)).rejects.toThrow(/^Invalid workflow input/);
  });
});
