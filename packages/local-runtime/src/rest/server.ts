import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readRequestBody } from '../services/shared/local-service.ts';
import type { GatewayRequest } from './exchange.ts';
import type { GatewayAnswer, RestGateway } from './gateway.ts';

/** API Gateway's payload limit for REST APIs (developer guide, "Amazon API Gateway quotas"): 10 MB. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface RequestLogEntry {
  method: string;
  url: string;
  status: number;
  latencyMs: number;
  integration: string;
}

/** Header names as the client wrote them (the proxy event keeps their case); repeated headers listed in order. */
const headersOf = (request: IncomingMessage) => {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    single[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  }
  return { single, multi };
};

const queryOf = (rawQuery: string) => {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    single[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
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

/** `GET /dev/v1/catalog` → the stage's gateway with `/v1/catalog`; anything else is answered by `fallback`. */
export const toGatewayRequest = (request: IncomingMessage, body: Buffer, stagePrefixLength: number): GatewayRequest => {
  const url = request.url ?? '/';
  const queryAt = url.indexOf('?');
  const rawPath = queryAt >= 0 ? url.slice(0, queryAt) : url;
  const rawQuery = queryAt >= 0 ? url.slice(queryAt + 1) : '';
  const headers = headersOf(request);
  const query = queryOf(rawQuery);
  const below = decodePath(rawPath.slice(stagePrefixLength)) || '/';
  return {
    method: (request.method ?? 'GET').toUpperCase(),
    path: below.startsWith('/') ? below : `/${below}`,
    rawPath,
    rawQuery,
    query: query.single,
    multiQuery: query.multi,
    headers: headers.single,
    multiHeaders: headers.multi,
    body,
    sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    protocol: `HTTP/${request.httpVersion}`,
    requestId: randomUUID(),
    extendedRequestId: `${randomBytes(12).toString('base64').replace(/[+/]/g, 'A').slice(0, 15)}=`,
    requestTimeEpoch: Date.now(),
  };
};

const write = (
  response: ServerResponse,
  answer: Pick<GatewayAnswer, 'status' | 'headers' | 'multiHeaders' | 'body'>,
) => {
  const headers: Record<string, string | string[]> = {};
  const seen = new Set<string>();
  // multiValueHeaders and headers are merged, as API Gateway merges them for proxy answers.
  for (const [name, values] of Object.entries(answer.multiHeaders ?? {})) {
    headers[name] = values;
    seen.add(name.toLowerCase());
  }
  for (const [name, value] of Object.entries(answer.headers)) {
    if (seen.has(name.toLowerCase())) continue;
    headers[name] = value;
  }
  headers['Content-Length'] = String(answer.body.length);
  response.writeHead(answer.status, headers);
  response.end(answer.body);
};

/**
 * The node:http handler of the REST API: `/<stage>/...` goes to that stage's gateway, `/_local/...` to the local
 * tools (the token issuer), anything else gets API Gateway's answer for an unknown stage. Every request gets
 * exactly one response, whatever happens.
 */
export const restRequestHandler = (options: {
  gateways: RestGateway[];
  local: (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;
  log: (entry: RequestLogEntry) => void;
}) => {
  const byStage = new Map(options.gateways.map((gateway) => [gateway.api.stage, gateway]));
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = performance.now();
    const url = request.url ?? '/';
    try {
      if (url.startsWith('/_local/') && (await options.local(request, response))) return;
      const stage = /^\/([^/?]+)/.exec(url)?.[1] ?? '';
      const gateway = byStage.get(stage);
      const body = (await readRequestBody(request, MAX_BODY_BYTES)) ?? 'too-large';
      if (!gateway) {
        // An unknown stage is answered before any API is chosen: 403 Forbidden, as execute-api does.
        const answer = {
          status: 403,
          headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'ForbiddenException' },
          body: Buffer.from('{"message":"Forbidden"}'),
        };
        write(response, answer);
        options.log({
          method: request.method ?? '',
          url,
          status: 403,
          latencyMs: performance.now() - started,
          integration: 'gateway',
        });
        return;
      }
      const gatewayRequest = toGatewayRequest(request, body === 'too-large' ? Buffer.alloc(0) : body, stage.length + 1);
      const answer =
        body === 'too-large'
          ? gateway.reject(gatewayRequest, 'REQUEST_TOO_LARGE')
          : await gateway.handle(gatewayRequest);
      write(response, answer);
      options.log({
        method: gatewayRequest.method,
        url,
        status: answer.status,
        latencyMs: performance.now() - started,
        integration: answer.integration,
      });
    } catch (error) {
      // The gateway answers its own errors; reaching here is a bug of the runtime, still answered as API Gateway would.
      console.error('[rest] unexpected error', error);
      if (!response.headersSent) {
        write(response, {
          status: 500,
          headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'InternalServerErrorException' },
          body: Buffer.from('{"message":"Internal server error"}'),
        });
      } else response.destroy();
    }
  };
};
