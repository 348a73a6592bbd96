import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayAnswer } from '../gateway/exchange.ts';
import {
  apiGatewayId,
  edgeTooLarge,
  forwardedHeaders,
  type GatewayRequest,
  MAX_PAYLOAD_BYTES,
  sourceIpOf,
} from '../gateway/exchange.ts';
import type { ApiEndpoint } from '../runtime/api-endpoint.ts';
import { isLocalHost } from '../runtime/host-header.ts';
import { answerFailure, readRequestBody } from '../services/shared/local-service.ts';
import { appendTo, keyed } from '../shared/client-keyed.ts';
import { writableHeaders } from '../shared/header-values.ts';
import { newTraceId } from '../traces/trace-header.ts';
import { staticFile } from './static-files.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A client may name its request with an `x-amzn-RequestId` UUID, which API Gateway then uses as `$context.requestId`
 * and returns; any other value is replaced (developer guide, "Access logging for REST APIs", `$context.requestId`).
 */
const requestIdOf = (request: IncomingMessage): string => {
  const offered = request.headers['x-amzn-requestid'];
  return typeof offered === 'string' && UUID.test(offered) ? offered.toLowerCase() : randomUUID();
};

/**
 * Repeated slashes are one: `//dev//items` is `/dev/items` (API Gateway collapses them before it picks the stage
 * and the resource); the query string is left as sent.
 */
export const collapseSlashes = (url: string): string => {
  if (!url.includes('//')) return url;
  const queryAt = url.indexOf('?');
  const path = queryAt >= 0 ? url.slice(0, queryAt) : url;
  const collapsed = path.replace(/\/{2,}/g, '/');
  return collapsed === path ? url : collapsed + (queryAt >= 0 ? url.slice(queryAt) : '');
};

export interface RequestLogEntry {
  method: string;
  url: string;
  status: number;
  latencyMs: number;
  integration: string;
  reason?: string;
}

/**
 * Header names as the client wrote them (the proxy event keeps their case); repeated headers listed in order. Maps
 * without Object.prototype: a header may be named `constructor` or `__proto__` (see client-keyed.ts).
 */
const headersOf = (request: IncomingMessage) => {
  const single = keyed<string>();
  const multi = keyed<string[]>();
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    single[name] = value;
    appendTo(multi, name, value);
  }
  return { single, multi };
};

/** Each lower-case header name → the first name of that spelling the client sent. */
const namesByLowerCase = (headers: Record<string, string>): Map<string, string> => {
  const names = new Map<string, string>();
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase();
    if (!names.has(lower)) names.set(lower, name);
  }
  return names;
};

/** API Gateway's forwarded headers (see forwardedHeaders), and an X-Ray trace id unless the client sent one. */
const addForwardedHeaders = (
  request: IncomingMessage,
  headers: ReturnType<typeof headersOf>,
  names: Map<string, string>,
) => {
  const set = (name: string, value: string) => {
    const lower = name.toLowerCase();
    const key = names.get(lower) ?? name;
    names.set(lower, key);
    headers.single[key] = value;
    headers.multi[key] = [value];
  };
  const forwardedForName = names.get('x-forwarded-for');
  const forwardedFor = forwardedForName === undefined ? undefined : headers.single[forwardedForName];
  for (const [name, value] of Object.entries(forwardedHeaders(request, forwardedFor))) set(name, value);
  if (!names.has('x-amzn-trace-id')) set('X-Amzn-Trace-Id', `Root=${newTraceId()}`);
};

const queryOf = (rawQuery: string) => {
  const single = keyed<string>();
  const multi = keyed<string[]>();
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    single[name] = value;
    appendTo(multi, name, value);
  }
  return { single, multi };
};

const decodePath = (path: string): string => {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
};

/**
 * The path below the stage as sent, before repeated slashes are collapsed: API Gateway collapses those before the
 * stage but keeps those after it (recordings test_apigateway_lambda.py::test_lambda_aws_proxy_integration
 * "invocation-payload-with-prepended-slash-to-stage", "-with-prepended-slash", "-with-double-slash").
 */
const sentBelowStage = (url: string, stagePrefix: string): string | undefined => {
  const queryAt = url.indexOf('?');
  const sent = (queryAt >= 0 ? url.slice(0, queryAt) : url).replace(/^\/+/, '/');
  if (!sent.startsWith(stagePrefix)) return undefined;
  return decodePath(sent.slice(stagePrefix.length)) || '/';
};

/** `GET /dev/v1/catalog` → the stage's gateway with `/v1/catalog`; anything else is answered by `fallback`. */
export const toGatewayRequest = (request: IncomingMessage, body: Buffer, stagePrefixLength: number): GatewayRequest => {
  const sentUrl = request.url ?? '/';
  const url = collapseSlashes(sentUrl);
  const queryAt = url.indexOf('?');
  const rawPath = queryAt >= 0 ? url.slice(0, queryAt) : url;
  const rawQuery = queryAt >= 0 ? url.slice(queryAt + 1) : '';
  const headers = headersOf(request);
  const headerNames = namesByLowerCase(headers.single);
  addForwardedHeaders(request, headers, headerNames);
  const query = queryOf(rawQuery);
  const below = decodePath(rawPath.slice(stagePrefixLength)) || '/';
  // Without repeated slashes (collapseSlashes changed nothing) the path as sent is `path`.
  const pathAsSent = url === sentUrl ? undefined : sentBelowStage(sentUrl, rawPath.slice(0, stagePrefixLength));
  return {
    method: (request.method ?? 'GET').toUpperCase(),
    path: below.startsWith('/') ? below : `/${below}`,
    ...(pathAsSent === undefined ? {} : { pathAsSent }),
    rawPath,
    rawQuery,
    query: query.single,
    multiQuery: query.multi,
    headers: headers.single,
    headerNames,
    multiHeaders: headers.multi,
    body,
    sourceIp: sourceIpOf(request),
    protocol: `HTTP/${request.httpVersion}`,
    requestId: requestIdOf(request),
    extendedRequestId: apiGatewayId(),
    requestTimeEpoch: Date.now(),
  };
};

const hasKeys = (record: object): boolean => {
  for (const _ in record) return true;
  return false;
};

/** multiValueHeaders and headers merged, as API Gateway merges them for proxy answers. */
const merge = (multi: Record<string, string[]>, single: Record<string, string>): Record<string, string | string[]> => {
  const merged = keyed<string | string[]>();
  const seen = new Set<string>();
  for (const [name, values] of Object.entries(multi)) {
    merged[name] = values;
    seen.add(name.toLowerCase());
  }
  for (const [name, value] of Object.entries(single)) {
    if (seen.has(name.toLowerCase())) continue;
    merged[name] = value;
  }
  return merged;
};

/**
 * Writes the answer. A header node:http cannot write (a value with CR or LF, say, from a function or a mapping
 * template) is left out rather than failing the whole answer; what was left out is returned for the request log.
 */
const write = (
  response: ServerResponse,
  answer: Pick<GatewayAnswer, 'status' | 'headers' | 'multiHeaders' | 'body'>,
): string | undefined => {
  const { headers, dropped } = writableHeaders(
    answer.multiHeaders && hasKeys(answer.multiHeaders) ? merge(answer.multiHeaders, answer.headers) : answer.headers,
  );
  headers['Content-Length'] = String(answer.body.length);
  response.writeHead(answer.status, headers);
  endWith(response, answer.body);
  return dropped.length > 0 ? `headers left out (not writable in HTTP): ${dropped.join(', ')}` : undefined;
};

const joinReasons = (...reasons: (string | undefined)[]): string | undefined =>
  reasons.filter((reason) => reason !== undefined).join('; ') || undefined;

const ONE_WRITE_MAX_BYTES = 64 * 1024;

/**
 * node:http sends the headers and a text body in one write, but a Buffer body in a writev of two parts, which cost
 * about 3 µs more per request. A small body is passed as latin1 text (byte for byte the same); a large one as it
 * is, not copied.
 */
const endWith = (response: ServerResponse, body: Buffer) => {
  if (body.length <= ONE_WRITE_MAX_BYTES) response.end(body.toString('latin1'), 'latin1');
  else response.end(body);
};

/** A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112, "Message Body Length"). */
const hasBody = (request: IncomingMessage): boolean =>
  request.headers['transfer-encoding'] !== undefined ||
  (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');

const NO_BODY = Buffer.alloc(0);

/**
 * The answer to a request for a runtime page whose Host is not this machine's: a web page of another origin that
 * rebinds its name to 127.0.0.1 must not read the local keys and credentials (DNS rebinding).
 */
const foreignHost = (host: string | undefined) => ({
  status: 403,
  headers: { 'Content-Type': 'application/json' },
  body: Buffer.from(
    JSON.stringify({
      message: `Forbidden: the local runtime's pages answer requests for localhost, 127.0.0.1, [::1] or the --host it listens on, not for the host name ${JSON.stringify(host ?? '')}. Open them by one of those names.`,
    }),
  ),
});

export interface LocalIndex {
  apis: { logicalId: string; kind: string; stage: string; url: string }[];
  webSockets: { logicalId: string; stage: string; url: string }[];
  pages: { path: string; what: string }[];
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/**
 * `/` and `/_local`: the stages and the runtime's pages, as JSON (or HTML for a browser). With status 403 it answers a
 * request for a stage that is not here: API Gateway's `{"message":"Forbidden"}` plus where the stages are.
 */
const indexAnswer = (request: IncomingMessage, index: LocalIndex, status: 200 | 403, hint?: string) => {
  const html = /text\/html/.test(request.headers.accept ?? '');
  const headers: Record<string, string> = status === 403 ? { 'x-amzn-ErrorType': 'ForbiddenException' } : {};
  if (html) {
    const item = (href: string, text: string) =>
      `<li><a href="${escapeHtml(href)}">${escapeHtml(href)}</a> — ${escapeHtml(text)}</li>`;
    const body = [
      '<!doctype html><meta charset="utf-8"><title>sam-local-runtime</title>',
      '<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:52rem;padding:0 1rem}code{background:#f3f3f3;padding:0 .25rem}</style>',
      status === 403
        ? `<p><strong>403 Forbidden</strong>: no API stage at <code>${escapeHtml(request.url ?? '/')}</code> on this port.${hint ? ` ${escapeHtml(hint)}` : ''}</p>`
        : '',
      '<h1>sam-local-runtime</h1><h2>APIs</h2><ul>',
      ...index.apis.map((api) => item(api.url, `${api.kind} API ${api.logicalId}, stage ${api.stage}`)),
      ...index.webSockets.map((api) => item(api.url, `WebSocket API ${api.logicalId}, stage ${api.stage}`)),
      '</ul><h2>Local pages</h2><ul>',
      ...index.pages.map((page) => item(page.path, page.what)),
      '</ul>',
    ].join('\n');
    return { status, headers: { ...headers, 'Content-Type': 'text/html; charset=utf-8' }, body: Buffer.from(body) };
  }
  const payload =
    status === 403
      ? {
          message: 'Forbidden',
          ...(hint ? { hint } : {}),
          localRuntime: { reason: 'no API stage at this path on this port', ...index },
        }
      : index;
  return {
    status,
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: Buffer.from(JSON.stringify(payload, null, 2)),
  };
};

/**
 * Which API a request is for. API Gateway tells APIs apart by host name (`{apiId}.execute-api.{region}.amazonaws.com`)
 * and stages by the first path segment; `$default` stages (HTTP APIs) have no stage segment. Locally one port can
 * serve every API whose stage name is unique plus one `$default` API (for paths no stage claims); `placeEndpoints`
 * gives each other API a port of its own. A `Host` of `{apiId}.execute-api.…` or `{apiId}.localhost` picks the API on
 * any port, as on AWS.
 */
export const placeEndpoints = <T extends Pick<ApiEndpoint, 'stage'>>(endpoints: T[]): { shared: T[]; own: T[] } => {
  const shared: T[] = [];
  const own: T[] = [];
  const stages = new Set<string>();
  for (const endpoint of endpoints) {
    if (stages.has(endpoint.stage)) own.push(endpoint);
    else {
      stages.add(endpoint.stage);
      shared.push(endpoint);
    }
  }
  return { shared, own };
};

const hostApiId = (host: string | undefined): string | undefined =>
  host ? /^([a-z0-9]+)\.(?:execute-api\.|localhost(?::\d+)?$)/i.exec(host)?.[1]?.toLowerCase() : undefined;

const pathOf = (url: string): string => decodePath(url.split('?')[0] ?? '/') || '/';

/**
 * The endpoint and the length of the stage prefix to strip (0 for `$default`), or undefined: no API here. With
 * `atRoot` (`--stage-path off`), a path no stage claims also goes to the first REST API with a route for it, as
 * `sam local start-api` serves every API at the root; a `$default` HTTP API's own route comes first.
 */
export const endpointFor = (
  endpoints: ApiEndpoint[],
  all: ApiEndpoint[],
  host: string | undefined,
  url: string,
  atRoot?: { method: string },
): { endpoint: ApiEndpoint; prefixLength: number } | undefined => {
  const stage = /^\/([^/?]+)/.exec(url)?.[1] ?? '';
  const byHost = hostApiId(host);
  const candidates = byHost ? all.filter((endpoint) => endpoint.apiId.toLowerCase() === byHost) : endpoints;
  const staged = candidates.find((endpoint) => endpoint.stage === stage && stage !== '$default');
  if (staged) return { endpoint: staged, prefixLength: stage.length + 1 };
  const root = candidates.find((endpoint) => endpoint.stage === '$default');
  if (atRoot && !root?.hasRoute(atRoot.method, pathOf(url))) {
    const rest = candidates.find(
      (endpoint) => endpoint.kind === 'REST' && endpoint.hasRoute(atRoot.method, pathOf(url)),
    );
    if (rest) return { endpoint: rest, prefixLength: 0 };
  }
  return root ? { endpoint: root, prefixLength: 0 } : undefined;
};

/**
 * For a request no route takes: the stage of a REST API on this port that has a route for it, as a hint
 * (`no route GET /hello; did you mean /Prod/hello?`): `sam local start-api` serves REST APIs at the root, and
 * API Gateway (and this runtime) under their stage.
 */
const stageHint = (endpoints: ApiEndpoint[], method: string, url: string): string | undefined => {
  const path = pathOf(url);
  const rest = endpoints.find((endpoint) => endpoint.kind === 'REST' && endpoint.hasRoute(method, path));
  if (!rest) return undefined;
  const query = url.includes('?') ? url.slice(url.indexOf('?')) : '';
  return `no route ${method} ${path}; did you mean /${rest.stage}${url.split('?')[0]}${query}? (REST APIs are served under their stage, as on AWS; --stage-path off serves them at the root too, as sam local start-api does)`;
};

/** API Gateway's own JSON error body (`{"message": ...}`) with a `hint` field added; any other body as it is. */
const withHint = (body: Buffer, hint: string): Buffer => {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return body;
    return Buffer.from(JSON.stringify({ ...parsed, hint }));
  } catch {
    return body;
  }
};

/**
 * The node:http handler of one port: a request goes to its API's stage (see endpointFor), `/_local/...` to the local
 * tools (the token issuer, pages), anything else gets API Gateway's answer for an unknown stage. Every request gets
 * exactly one response, whatever happens.
 */
export const apiRequestHandler = (options: {
  /** The APIs this port serves by path. */
  endpoints: ApiEndpoint[];
  /** Every API of the runtime, for requests whose Host names one. */
  all?: ApiEndpoint[];
  /**
   * The runtime's `/_local` pages; without it (a function URL's port, whose function sees every path) `/_local/...`
   * goes to the endpoint like any other path.
   */
  local?: (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;
  log: (entry: RequestLogEntry) => void;
  /** What `/` and `/_local` list (stages, links), and what a request for an unknown stage is pointed at. */
  index?: () => LocalIndex;
  /** Also serve REST stages at the root of the port (`--stage-path off`). */
  restApisAtRoot?: boolean;
  /** Files served at `/` when no API route takes the request (`--static-dir`). */
  staticDir?: string;
  /**
   * The host the runtime listens on (`--host`): `/_local` pages and the index answer only requests whose Host names
   * it, `localhost` or an IP address (see isLocalHost); the APIs answer any Host, as execute-api does.
   */
  listenHost?: string;
}) => {
  const all = options.all ?? options.endpoints;
  const listenHost = options.listenHost ?? '127.0.0.1';
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = performance.now();
    const url = collapseSlashes(request.url ?? '/');
    /** Answers without an API (the edge, the index, an unknown stage) and logs it, with the reason. */
    const answerHere = (answer: Parameters<typeof write>[1], integration: string, why?: string) => {
      const reason = joinReasons(why, write(response, answer));
      options.log({
        method: request.method ?? '',
        url,
        status: answer.status,
        latencyMs: performance.now() - started,
        integration,
        ...(reason ? { reason } : {}),
      });
    };
    try {
      const { host } = request.headers;
      if (options.local && url.startsWith('/_local/')) {
        if (!isLocalHost(host, listenHost)) {
          answerHere(foreignHost(host), 'local', `a runtime page asked for by the host name ${JSON.stringify(host)}`);
          return;
        }
        if (await options.local(request, response)) return;
      }
      const method = (request.method ?? 'GET').toUpperCase();
      const target = endpointFor(options.endpoints, all, host, url, options.restApisAtRoot ? { method } : undefined);
      const body = hasBody(request) ? ((await readRequestBody(request, MAX_PAYLOAD_BYTES)) ?? 'too-large') : NO_BODY;
      if (body === 'too-large') {
        // The API answers it in its own way (a REST API at its edge, an HTTP API with its 413); no API: the edge's.
        const answer = target
          ? target.endpoint.reject(toGatewayRequest(request, Buffer.alloc(0), target.prefixLength), 'REQUEST_TOO_LARGE')
          : edgeTooLarge();
        answerHere(answer, 'gateway', answer.reason);
        return;
      }
      if (options.staticDir && !target?.endpoint.hasRoute(method, pathOf(url.slice(target.prefixLength)))) {
        const file = staticFile(options.staticDir, method, pathOf(url));
        if (file) {
          answerHere(file, 'static');
          return;
        }
      }
      if (!target) {
        const path = url.split('?')[0] ?? '/';
        // Another host name gets execute-api's answer alone: the index names the runtime's pages.
        const index = isLocalHost(host, listenHost) ? options.index?.() : undefined;
        if (index && (path === '/' || path === '/_local' || path === '/_local/')) {
          answerHere(indexAnswer(request, index, 200), 'local');
          return;
        }
        const hint = stageHint(options.endpoints, method, url);
        // An unknown stage is answered before any API is chosen: 403 Forbidden, as execute-api does; the body also
        // says which stages this port serves (a browser gets the index page, with the same status).
        answerHere(
          index
            ? indexAnswer(request, index, 403, hint)
            : {
                status: 403,
                headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'ForbiddenException' },
                body: Buffer.from(JSON.stringify({ message: 'Forbidden', ...(hint ? { hint } : {}) })),
              },
          'gateway',
          hint ??
            `no API serves this path here (stages: ${options.endpoints.map((endpoint) => endpoint.stage).join(', ') || 'none'})`,
        );
        return;
      }
      const { endpoint, prefixLength } = target;
      const gatewayRequest = toGatewayRequest(request, body, prefixLength);
      const answer = await endpoint.handle(gatewayRequest);
      // A `$default` HTTP API's missing-route 404 for a path a REST stage serves says where it is.
      const hint =
        prefixLength === 0 && answer.status === 404 && answer.integration === 'gateway'
          ? stageHint(options.endpoints, method, url)
          : undefined;
      if (hint) answer.body = withHint(answer.body, hint);
      const reason = joinReasons(answer.reason, hint, write(response, answer));
      options.log({
        method: gatewayRequest.method,
        url,
        status: answer.status,
        latencyMs: performance.now() - started,
        integration: answer.integration,
        ...(reason ? { reason } : {}),
      });
    } catch (error) {
      // The gateway answers its own errors; reaching here is a client gone before its request was whole (nobody to
      // answer) or a bug of the runtime, still answered as API Gateway would.
      answerFailure('api', response, error, (failed) =>
        write(failed, {
          status: 500,
          headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'InternalServerErrorException' },
          body: Buffer.from('{"message":"Internal server error"}'),
        }),
      );
    }
  };
};
