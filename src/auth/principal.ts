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
