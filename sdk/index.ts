import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './generated/openapi.ts';
import { operationSecurity, type SecurityScheme } from './generated/security.ts';

/**
 * The typed client of the Orders REST API: openapi-fetch over the types openapi-typescript generated from the clean
 * OpenAPI (`npm run sdk`). Each call gets the credentials its operation requires, and only those: the API key, the
 * bearer token, the Cognito ID token, or a SigV4 signature, as the generated security table says.
 *
 *   const api = createOrdersApi({ baseUrl, apiKey, token });
 *   const { data, error, response } = await api.POST('/v1/orders', { body: { items, payment } });
 */
export type { components, operations, paths };
export type Schemas = components['schemas'];
/** The one error body of the API (see the OpenAPI's Errors section). */
export type ApiError = Schemas['Error'];
export { connectOrdersSocket, type OrdersSocket } from './ws.ts';

type Credential = string | (() => string | Promise<string>);

export interface OrdersApiOptions {
  /** The stage URL: `https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`, or the local runtime's. */
  baseUrl: string;
  /** Sent as `x-api-key` to the operations of a usage plan. */
  apiKey?: Credential;
  /** A JWT of the configured issuer, sent as `Authorization: Bearer` to the token authorizer's operations. */
  token?: Credential;
  /** A Cognito user pool ID token, sent as `Authorization: Bearer` to the Cognito authorizer's operations. */
  idToken?: Credential;
  /** Signs a request to an IAM (SigV4) operation; returns the headers to add (e.g. from `@smithy/signature-v4`). */
  sign?: (request: { url: string; method: string; body: string }) => Promise<Record<string, string>>;
  fetch?: (request: Request) => Promise<Response>;
}

const credentialValue = async (credential: Credential | undefined): Promise<string | undefined> =>
  typeof credential === 'function' ? credential() : credential;

/** `{proxy}` is API Gateway's greedy `{proxy+}`: its slashes are path separators, not data. */
const pathSerializer = (pathname: string, params: Record<string, unknown>): string =>
  pathname.replace(/\{([^}]+)\}/g, (match, name: string) => {
    const value = params[name];
    if (value === undefined || value === null) return match;
    const text = String(value);
    return name === 'proxy' ? text.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(text);
  });

/** Attaches what the operation's security requires, unless the caller set that header itself. */
const credentials = (options: OrdersApiOptions): Middleware => ({
  async onRequest({ request, schemaPath }) {
    const schemes: readonly SecurityScheme[] = operationSecurity[`${request.method} ${schemaPath}`] ?? [];
    const has = (name: string) => request.headers.has(name);
    if (schemes.includes('ApiKey') && !has('x-api-key')) {
      const key = await credentialValue(options.apiKey);
      if (key) request.headers.set('x-api-key', key);
    }
    if (schemes.includes('TokenAuthorizer') && !has('authorization')) {
      const token = await credentialValue(options.token);
      if (token) request.headers.set('authorization', `Bearer ${token}`);
    }
    if (schemes.includes('CognitoAuthorizer') && !has('authorization')) {
      const token = await credentialValue(options.idToken);
      if (token) request.headers.set('authorization', `Bearer ${token}`);
    }
    if (schemes.includes('SigV4') && !has('authorization') && options.sign) {
      const body = request.body ? await request.clone().text() : '';
      const signed = await options.sign({ url: request.url, method: request.method, body });
      const headers = new Headers(request.headers);
      for (const [name, value] of Object.entries(signed)) if (name.toLowerCase() !== 'host') headers.set(name, value);
      return new Request(request, { headers });
    }
    return request;
  },
});

export type OrdersApi = Client<paths, 'application/json'>;

export const createOrdersApi = (options: OrdersApiOptions): OrdersApi => {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    pathSerializer,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  client.use(credentials(options));
  return client;
};
