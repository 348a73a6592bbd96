import { ValidationError } from '#domain/errors';
import { createOrderBody, parseOrThrow, workflowInput } from '#domain/order-schemas';

const valid = { items: [{ sku: 'SKU-BOOK-001', quantity: 1 }], payment: { token: 'tok_visa' } };

const issuesOf = (value: unknown): string[] => {
  try {
    parseOrThrow(createOrderBody, value, 'order');
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => i.path);
  }
  throw new Error('expected a ValidationError');
};

describe('createOrderBody', () => {
  it('accepts a valid body, with or without currency', () => {
    expect(parseOrThrow(createOrderBody, valid, 'order')).toEqual(valid);
    expect(parseOrThrow(createOrderBody, { ...valid, currency: 'EUR' }, 'order').currency).toBe('EUR');
  });

  it('names every bad field', () => {
    expect(issuesOf({})).toEqual(['items', 'payment']);
    expect(issuesOf({ ...valid, items: [] })).toEqual(['items']);
    expect(issuesOf({ ...valid, items: [{ sku: '', quantity: 0 }] })).toEqual(['items.0.sku', 'items.0.quantity']);
    expect(issuesOf({ ...valid, items: [{ sku: 'a', quantity: 1.5 }] })).toEqual(['items.0.quantity']);
    expect(issuesOf({ ...valid, items: [{ sku: 'a'.repeat(65), quantity: 101 }] })).toEqual([
      'items.0.sku',
      'items.0.quantity',
    ]);
    expect(issuesOf({ ...valid, items: Array.from({ length: 51 }, () => valid.items[0]) })).toEqual(['items']);
    expect(issuesOf({ ...valid, currency: 'USD' })).toEqual(['currency']);
    expect(issuesOf({ ...valid, payment: { token: '' } })).toEqual(['payment.token']);
    expect(issuesOf(null)).toEqual(['(root)']);
  });

  it('puts the fields in the message', () => {
    expect(() => parseOrThrow(createOrderBody, { ...valid, currency: 'USD' }, 'order')).toThrow(
      /^Invalid order: currency: /,
    );
  });
});

describe('workflowInput', () => {
  it('keeps fields it does not know (tasks pass them on)', () => {
    const input = {
      orderId: 'ord_0123456789abcdef0123456789abcdef',
      customerId: 'alice',
      items: valid.items,
      currency: 'EUR',
      payment: valid.payment,
      channel: 'v2',
      extra: 1,
    };
    expect(parseOrThrow(workflowInput, input, 'workflow input')).toEqual(input);
  });
});
