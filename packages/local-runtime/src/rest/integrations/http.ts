import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { keyed, ownValue } from '../../shared/client-keyed.ts';
import { writableHeaders } from '../../shared/header-values.ts';
import { vtlContext } from '../context.ts';
import { type Exchange, headerOf } from '../exchange.ts';
import { GatewayError } from '../gateway-error.ts';
import {
  passedToHttp,
  remappedInResponse,
  remappedMultiHeaders,
  remappedResponseHeaders,
  sentToHttp,
} from '../header-rules.ts';
import type { Integration, Operation } from '../model.ts';
import { mapIntegrationResponse, withTraceHeader } from './integration-response.ts';
import { requestParameterTargets } from './parameters.ts';
import { renderRequest } from './templates.ts';
import type { IntegrationResult } from './types.ts';

// Hop-by-hop headers belong to one connection and are never forwarded (RFC 9110, section 7.6.1); host and
// content-length are recomputed for the back end's request.
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 256 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 256 });

export interface BackendAnswer {
  status: number;
  headers: Record<string, string>;
  multiHeaders: Record<string, string[]>;
  /** The hop-by-hop headers an HTTP_PROXY passes on remapped (Connection, Content-Length, ...: see header-rules.ts). */
  remappable: Record<string, string>;
  body: Buffer;
}

const flatten = (headers: IncomingHttpHeaders) => {
  const single = keyed<string>();
  const multi = keyed<string[]>();
  const remappable = keyed<string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    if (HOP_BY_HOP.has(name)) {
      if (remappedInResponse(name)) remappable[name] = values.join(', ');
      continue;
    }
    multi[name] = values;
    single[name] = values.join(', ');
  }
  return { single, multi, remappable };
};

/** Mapped integration request headers, without those API Gateway never sends (see header-rules.ts). */
const sendable = (headers: Record<string, string>): Record<string, string> => {
  const out = keyed<string>();
  for (const [name, value] of Object.entries(headers)) if (sentToHttp(name)) out[name] = value;
  return out;
};

/** API Gateway names the API to every HTTP back end (recordings TestApiGatewayHeaderRemapping [HTTP], [HTTP_PROXY]). */
const apiIdHeader = (exchange: Exchange) => ({ 'X-Amzn-Apigateway-Api-Id': exchange.apiId });

/**
 * A mapped `Trailer` is left out: node:http refuses to announce trailers on a body framed by its length
 * (ERR_HTTP_TRAILER_INVALID), which every request to a back end is here, where API Gateway sends it as mapped.
 */
const withoutTrailer = <T>(headers: Record<string, T>): Record<string, T> => {
  const out = keyed<T>();
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() !== 'trailer') out[name] = value;
  return out;
};

/** One request to the back end, bounded by the integration timeout (504 when it runs out). */
export const sendToBackend = (
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: Buffer,
  timeoutMs: number,
): Promise<BackendAnswer> =>
  new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const outgoing = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method,
        // Values mapped from the request (a decoded query parameter may hold CR LF) are made writable first.
        headers: {
          ...withoutTrailer(writableHeaders(headers).headers),
          // Framed by its length, never chunked: API Gateway sends `Content-Length: 0` with an empty POST.
          ...(body.length > 0 || (method !== 'GET' && method !== 'HEAD')
            ? { 'content-length': String(body.length) }
            : {}),
        },
        agent: secure ? httpsAgent : httpAgent,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          clearTimeout(timer);
          const { single, multi, remappable } = flatten(response.headers);
          resolve({
            status: response.statusCode ?? 502,
            headers: single,
            multiHeaders: multi,
            remappable,
            body: Buffer.concat(chunks),
          });
        });
      },
    );
    const timer = setTimeout(() => {
      outgoing.destroy();
      reject(
        new GatewayError('INTEGRATION_TIMEOUT', 'Endpoint request timed out', {
          reason: `the back end at ${url.origin} did not answer within ${timeoutMs} ms`,
        }),
      );
    }, timeoutMs);
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      reject(
        error instanceof GatewayError
          ? error
          : new GatewayError('INTEGRATION_FAILURE', 'Internal server error', {
              status: 502,
              cause: error,
              reason: `the back end at ${url.origin} failed: ${(error as NodeJS.ErrnoException).code ?? error.message}`,
            }),
      );
    });
    outgoing.end(body);
  });

/**
 * The integration URI with its `${stageVariables.name}` filled from the stage (developer guide, "Use stage variables
 * for a REST API in API Gateway": a missing variable is empty, and a URI left without a host makes every request a
 * 500, as recorded in test_apigateway_import.snapshot.json test_import_with_stage_variables
 * "get-error-resp-from-http"), then its `{name}` placeholders from `integration.request.path.name` mappings.
 */
const backendUrl = (
  uri: string,
  path: Record<string, string>,
  query: string,
  stageVariables: Record<string, string>,
): URL => {
  const staged = uri.replace(
    /\$\{stageVariables\.([^}]+)\}/g,
    (_, name: string) => ownValue(stageVariables, name) ?? '',
  );
  const filled = staged.replace(/\{([^}+]+)\+?\}/g, (_, name: string) => {
    const value = ownValue(path, name) ?? '';
    // A greedy parameter keeps its slashes; each segment is encoded on its own.
    return value.split('/').map(encodeURIComponent).join('/');
  });
  let url: URL;
  try {
    url = new URL(filled);
  } catch (error) {
    throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error', { status: 500, cause: error });
  }
  if (query) url.search = url.search ? `${url.search}&${query}` : `?${query}`;
  return url;
};

const encodeQuery = (params: Record<string, string>): string => new URLSearchParams(params).toString();

/**
 * HTTP_PROXY: the client's method, headers, query string and body go to the back end as they are (plus any
 * mapped `integration.request.*` parameters); the back end's status, headers and body come back unchanged, errors
 * included (developer guide, "Set up HTTP proxy integrations in API Gateway").
 * HTTP (non-proxy): the request template builds the body, the integration responses map the answer, selected by
 * the back end's status code.
 */
export const httpIntegration = async (
  exchange: Exchange,
  operation: Operation,
  stageVariables: Record<string, string>,
): Promise<IntegrationResult> => {
  const { integration } = operation;
  const { request } = exchange;
  const context = vtlContext(exchange);
  const mapped = requestParameterTargets(integration.requestParameters, { exchange, stageVariables, context });
  const path = { ...exchange.match?.pathParameters, ...mapped.path };
  const method = integration.httpMethod === 'ANY' ? request.method : integration.httpMethod;
  const started = performance.now();
  if (integration.type === 'http_proxy') {
    const headers = keyed<string>();
    for (const [name, value] of Object.entries(request.headers))
      if (!HOP_BY_HOP.has(name.toLowerCase()) && passedToHttp(name)) headers[name] = value;
    Object.assign(headers, sendable(mapped.header), apiIdHeader(exchange));
    const query = [request.rawQuery, encodeQuery(mapped.querystring)].filter(Boolean).join('&');
    const answer = await sendToBackend(
      backendUrl(integration.uri, path, query, stageVariables),
      method,
      headers,
      request.body,
      integration.timeoutMs,
    );
    exchange.integrationLatency = Math.round(performance.now() - started);
    exchange.integrationStatus = answer.status;
    // The back end's own Connection, Content-Length, Date, Server... reach the client remapped (see header-rules.ts).
    return {
      status: answer.status,
      headers: remappedResponseHeaders({ ...answer.remappable, ...answer.headers }),
      multiHeaders: remappedMultiHeaders(answer.multiHeaders),
      body: answer.body,
    };
  }
  const rendered = renderRequest(exchange, integration, context, stageVariables);
  const body = rendered ? Buffer.from(rendered.output) : request.body;
  // What API Gateway sends an HTTP back end unless a mapping says otherwise (recording test_apigateway_integrations.py
  // ::TestApiGatewayHeaderRemapping::test_apigateway_header_remapping_http[HTTP] "no-param-integration").
  const given = sendable({ ...mapped.header, ...rendered?.requestOverride.header });
  const names = new Set(Object.keys(given).map((name) => name.toLowerCase()));
  const defaults: Record<string, string | undefined> = {
    Accept: 'application/json',
    'User-Agent': `AmazonAPIGateway_${exchange.apiId}`,
    'X-Amzn-Trace-Id': headerOf(request, 'x-amzn-trace-id'),
  };
  const headers = keyed<string>();
  for (const [name, value] of Object.entries(defaults))
    if (value !== undefined && !names.has(name.toLowerCase())) headers[name] = value;
  Object.assign(headers, given, apiIdHeader(exchange));
  const query = encodeQuery({ ...mapped.querystring, ...rendered?.requestOverride.querystring });
  const url = backendUrl(integration.uri, { ...path, ...rendered?.requestOverride.path }, query, stageVariables);
  const answer = await sendToBackend(url, method, headers, body, integration.timeoutMs);
  return mapBackendAnswer(exchange, integration, answer, started, rendered?.context ?? context, stageVariables);
};

/** A non-proxy integration's answer, timed and mapped through the integration responses by its status code. */
export const mapBackendAnswer = (
  exchange: Exchange,
  integration: Integration,
  answer: BackendAnswer,
  started: number,
  context: Record<string, unknown>,
  stageVariables: Record<string, string>,
): IntegrationResult => {
  exchange.integrationLatency = Math.round(performance.now() - started);
  exchange.integrationStatus = answer.status;
  return withTraceHeader(
    exchange,
    mapIntegrationResponse(
      exchange,
      integration,
      String(answer.status),
      { headers: answer.headers, body: answer.body.toString('utf8'), bytes: answer.body },
      context,
      stageVariables,
    ),
  );
};
