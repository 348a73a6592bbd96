/** Who a verified token speaks for. */
export interface Principal {
  sub: string;
  scopes: string[];
  /** The `tenant` claim, or "default". */
  tenant: string;
}

/** API Gateway passes authorizer context values on as strings (numbers and booleans are stringified anyway). */
export const principalContext = (principal: Principal): Record<string, string> => ({
  sub: principal.sub,
  scopes: principal.scopes.join(' '),
  tenant: principal.tenant,
});

/**
 * The inverse of `principalContext`: the principal a route behind an authorizer reads from
 * `requestContext.authorizer` (on WebSocket routes, what the `$connect` authorizer returned, beside `principalId`).
 * A missing or malformed context gives a principal with no subject and no scopes, which may do nothing.
 */
export const principalFromContext = (context: unknown): Principal => {
  const values = typeof context === 'object' && context !== null ? (context as Record<string, unknown>) : {};
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  return {
    sub: text(values.sub) || text(values.principalId),
    scopes: text(values.scopes).split(' ').filter(Boolean),
    tenant: text(values.tenant) || 'default',
  };
};
