import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';

// The CommonJS exports, not ES module facades: building node:http's facade reads every export, and its WebSocket
// getter loads undici, a tenth of the CPU an execution environment's start costs.
const http = process.getBuiltinModule('node:http');
const https = process.getBuiltinModule('node:https');

/**
 * Functions build API Gateway URLs in code: `https://${API_ID}.execute-api.${AWS_REGION}.amazonaws.com/${stage}` for
 * the @connections API, or `https://${event.requestContext.domainName}/${stage}`. Neither goes through the template,
 * so the runtime cannot rewrite them; inside the function's environment, an HTTPS request to one of the template's
 * own APIs (by execute-api host name, or the local host and port the runtime serves them on) is sent to the local
 * server over plain HTTP instead — never out to AWS.
 */
type RequestArgs = Parameters<typeof Https.request>;

const targetOf = (hosts: Record<string, string>, options: Https.RequestOptions): URL | undefined => {
  const host = String(options.hostname ?? options.host ?? '').replace(/^\[|\]$/g, '');
  const port = options.port === undefined || options.port === null ? '' : String(options.port);
  // A host named `constructor` (a URL a client handed the function) is no key of the map.
  const own = (key: string) => (Object.hasOwn(hosts, key) ? hosts[key] : undefined);
  const origin = own(host) ?? own(`${host}:${port}`);
  return origin ? new URL(origin) : undefined;
};

const optionsOf = (
  args: RequestArgs,
): { options: Https.RequestOptions; callback?: (res: Http.IncomingMessage) => void } => {
  const [first, second, third] = args as unknown[];
  const callback = [second, third].find((arg) => typeof arg === 'function') as
    | ((res: Http.IncomingMessage) => void)
    | undefined;
  if (typeof first === 'string' || first instanceof URL) {
    const url = new URL(first);
    const extra = typeof second === 'object' && second !== null ? (second as Https.RequestOptions) : {};
    return {
      options: { hostname: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, ...extra },
      ...(callback ? { callback } : {}),
    };
  }
  return { options: (first ?? {}) as Https.RequestOptions, ...(callback ? { callback } : {}) };
};

export const installLocalHosts = (hosts: Record<string, string>): void => {
  if (Object.keys(hosts).length === 0) return;
  const original = https.request;
  const redirect = (...args: RequestArgs): Http.ClientRequest => {
    const { options, callback } = optionsOf(args);
    const target = targetOf(hosts, options);
    if (!target) return original(...args);
    const { agent: _agent, ...rest } = options;
    const headers = { ...(rest.headers as Http.OutgoingHttpHeaders | undefined) };
    return http.request(
      { ...rest, headers, protocol: 'http:', hostname: target.hostname, host: target.hostname, port: target.port },
      callback,
    );
  };
  https.request = redirect as typeof Https.request;
  https.get = ((...args: RequestArgs) => {
    const request = redirect(...args);
    request.end();
    return request;
  }) as typeof Https.get;
  // ESM `import { request } from 'node:https'` sees the patched functions only after this.
  syncBuiltinESMExports();
};
