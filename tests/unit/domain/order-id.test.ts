import { isOrderId, newOrderId, orderIdFor, orderIdPattern } from '#domain/order-id';

describe('order ids', () => {
  it('random ids have the contract format (ord_ + 26 [0-9a-z]) and differ', () => {
    const a = newOrderId();
    const b = newOrderId();
    expect(a).toMatch(/^ord_[0-9a-z]{26}$/);
    expect(isOrderId(a)).toBe(true);
    expect(a).not.toBe(b);
  });

  it('is deterministic per (caller, idempotency key)', () => {
    const id = orderIdFor('alice', 'key-1');
    expect(id).toMatch(/^ord_[0-9a-z]{26}$/);
    expect(orderIdFor('alice', 'key-1')).toBe(id);
    expect(orderIdFor('alice', 'key-2')).not.toBe(id);
    expect(orderIdFor('bob', 'key-1')).not.toBe(id);
  });

  it('does not let sub and key run together', () => {
    expect(orderIdFor('ab', 'c')).not.toBe(orderIdFor('a', 'bc'));
  });

  it('accepts the direct v2 ids (32 hex) and rejects others', () => {
    expect(isOrderId('ord_0123456789abcdef0123456789abcdef')).toBe(true);
    expect(isOrderId('ord_short')).toBe(false);
    expect(isOrderId('ORD_0123456789ABCDEF0123456789')).toBe(false);
    expect(isOrderId('ord_0123456789abcdef0123-56789abcdef')).toBe(false);
    expect(orderIdPattern.source).toBe('^ord_[0-9a-z]{20,40}$');
  });
});
