import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { keyed } from '../../shared/client-keyed.ts';
import { writableHeaders } from '../../shared/header-values.ts';
import { GatewayError } from '../gateway-error.ts';

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
  body: Buffer;
  /** The back end's own values of the headers a REST API's gateway writes itself (see REMAPPED), by spelling. */
  remapped: Record<string, string>;
}

/**
 * Headers of a back end's answer that a REST API's gateway answers with its own values: it hands the back end's on
 * as `x-amzn-Remapped-<name>`, and an integration response mapping one is remapped the same way (developer guide,
 * "Amazon API Gateway important notes for REST APIs", the table of remapped headers; where it and the recordings
 * differ, the recordings are followed: test_apigateway_http.py::test_http_integration_with_lambda[HTTP_PROXY]
 * "http-invocation-lambda-url" and ::test_http_proxy_integration_request_data_mappings "http-proxy-invocation", a
 * function URL's Connection, Content-Length, Date and x-amzn-RequestId; test_apigateway_integrations.py::
 * TestApiGatewayHeaderRemapping [HTTP], [HTTP_PROXY] "full-integration", "no-param-integration", the rest).
 */
export const REMAPPED = new Map(
  [
    'Authorization',
    'Connection',
    'Content-Length',
    'Content-MD5',
    'Date',
    'Expect',
    'Host',
    'Max-Forwards',
    'Proxy-Authenticate',
    'Server',
    'Trailer',
    'Upgrade',
    'User-Agent',
    'WWW-Authenticate',
    'x-amzn-RequestId',
  ].map((name) => [name.toLowerCase(), name]),
);

const remappedOf = (headers: IncomingHttpHeaders): Record<string, string> => {
  const out = keyed<string>();
  for (const [lower, name] of REMAPPED) {
    const value = headers[lower];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
};

const flatten = (headers: IncomingHttpHeaders) => {
  const single = keyed<string>();
  const multi = keyed<string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    const values = Array.isArray(value) ? value : [value];
    multi[name] = values;
    single[name] = values.join(', ');
  }
  return { single, multi };
};

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
          // Framed by its length, never chunked: API Gateway sends `Content-Length: 0` with an empty POST
          // (recording test_apigateway_integrations.py::TestApiGatewayHeaderRemapping [HTTP] "no-param-integration").
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
          const { single, multi } = flatten(response.headers);
          resolve({
            status: response.statusCode ?? 502,
            headers: single,
            multiHeaders: multi,
            body: Buffer.concat(chunks),
            remapped: remappedOf(response.headers),
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
