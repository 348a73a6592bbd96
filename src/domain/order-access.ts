import { ForbiddenError } from './errors.ts';
import { isOwnedBy, type Order } from './order-views.ts';

/** Who acts, as the authorizer's context tells it: the token's subject and its scopes. */
export interface Caller {
  sub: string;
  scopes: readonly string[];
}

/**
 * The scopes of the orders domain. REST opens routes by scope in the authorizer's policy (`#auth/policy`); the
 * WebSocket API can only authorize `$connect`, so its routes check the same scopes here, for each message.
 * `orders:admin` is for operators and back-office integrations (a carrier posting `order.shipped`): it stands in
 * for either scope and for ownership, on any order. It opens no REST route.
 */
export const orderScopes = { read: 'orders:read', write: 'orders:write', admin: 'orders:admin' } as const;

/** What each WebSocket action needs besides ownership of the order. */
export const actionScopes = { subscribe: orderScopes.read, publish: orderScopes.write } as const;
export type OrderAction = keyof typeof actionScopes;

const isAdmin = (caller: Caller): boolean => caller.scopes.includes(orderScopes.admin);

/** Throws ForbiddenError unless the caller's token carries the action's scope (or `orders:admin`). */
export const requireScopeFor = (caller: Caller, action: OrderAction): void => {
  const scope = actionScopes[action];
  if (!caller.scopes.includes(scope) && !isAdmin(caller)) throw new ForbiddenError(action, scope);
};

/**
 * Whether the caller may act on the order: its owner, or an admin. Anyone else must be told the order does not
 * exist (OrderNotFoundError, as REST answers 404 rather than 403), so order ids cannot be probed.
 */
export const mayActOn = (caller: Caller, order: Order): boolean =>
  (caller.sub !== '' && isOwnedBy(order, caller.sub)) || isAdmin(caller);
