import { principalContext, principalFromContext } from '#auth/principal';
import { ForbiddenError } from '#domain/errors';
import { mayActOn, requireScopeFor } from '#domain/order-access';
import type { Order } from '#domain/order-views';

const order: Order = {
  orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p',
  customerId: 'alice',
  status: 'PROCESSING',
  items: [],
  createdAt: '2026-11-24T19:10:43.000Z',
};
const caller = (sub: string, scopes: string[]) => ({ sub, scopes });

describe('order access (the WebSocket routes, with the REST rules)', () => {
  it('subscribe needs orders:read, publish needs orders:write; orders:admin stands in for both', () => {
    expect(() => requireScopeFor(caller('alice', ['orders:read']), 'subscribe')).not.toThrow();
    expect(() => requireScopeFor(caller('alice', ['orders:write']), 'publish')).not.toThrow();
    expect(() => requireScopeFor(caller('ops', ['orders:admin']), 'publish')).not.toThrow();
    expect(() => requireScopeFor(caller('alice', ['orders:write']), 'subscribe')).toThrow(
      new ForbiddenError('subscribe', 'orders:read'),
    );
    expect(() => requireScopeFor(caller('alice', []), 'publish')).toThrow(
      'Forbidden: publish needs the orders:write scope',
    );
  });

  it('only the owner (or an admin) may act on an order; no subject is nobody', () => {
    expect(mayActOn(caller('alice', []), order)).toBe(true);
    expect(mayActOn(caller('bob', ['orders:read', 'orders:write']), order)).toBe(false);
    expect(mayActOn(caller('ops', ['orders:admin']), order)).toBe(true);
    expect(mayActOn(caller('', []), { ...order, customerId: undefined })).toBe(false);
  });

  it("reads back the principal the authorizer's context carries; a missing context is nobody with no scopes", () => {
    const principal = { sub: 'alice', scopes: ['orders:read', 'orders:write'], tenant: 'acme' };
    expect(principalFromContext({ ...principalContext(principal), principalId: 'alice' })).toEqual(principal);
    expect(principalFromContext({ principalId: 'bob', integrationLatency: 12 })).toEqual({
      sub: 'bob',
      scopes: [],
      tenant: 'default',
    });
    expect(principalFromContext(undefined)).toEqual({ sub: '', scopes: [], tenant: 'default' });
    expect(principalFromContext({ sub: 7, scopes: ['orders:admin'] })).toEqual({
      sub: '',
      scopes: [],
      tenant: 'default',
    });
  });
});
