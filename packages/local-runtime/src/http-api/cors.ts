import type { GatewayRequest } from '../gateway/exchange.ts';
import { headerOf } from '../gateway/exchange.ts';
import type { IntegrationResult } from '../gateway/integrations/result.ts';
import type { HttpCors } from './model.ts';

const allows = (allowed: string[], value: string, caseInsensitive = false): boolean =>
  allowed.some((entry) => {
    if (entry === '*') return true;
    const pattern = new RegExp(
      `^${entry.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.]*')}$`,
      caseInsensitive ? 'i' : '',
    );
    return pattern.test(value);
  });

/** The Access-Control-Allow-Origin value for this origin, or undefined when the configuration does not allow it. */
const allowOrigin = (cors: HttpCors, origin: string): string | undefined => {
  if (!allows(cors.allowOrigins, origin)) return undefined;
  // A credentialed response may not say `*` (Fetch standard), so the origin is echoed then.
  return cors.allowOrigins.includes('*') && !cors.allowCredentials ? '*' : origin;
};

/** A CORS preflight: OPTIONS with Origin and Access-Control-Request-Method. */
export const isPreflight = (request: GatewayRequest): boolean =>
  request.method === 'OPTIONS' &&
  headerOf(request, 'origin') !== undefined &&
  headerOf(request, 'access-control-request-method') !== undefined;

/**
 * API Gateway's answer to a preflight when CORS is configured and no route takes OPTIONS (developer guide,
 * "Configuring CORS for an HTTP API"): 204 with the configured headers when the origin, method and headers asked
 * for are allowed, 204 without them otherwise.
 */
export const preflightResult = (cors: HttpCors, request: GatewayRequest): IntegrationResult => {
  const origin = headerOf(request, 'origin') ?? '';
  const method = (headerOf(request, 'access-control-request-method') ?? '').toUpperCase();
  const asked = (headerOf(request, 'access-control-request-headers') ?? '')
    .split(',')
    .map((header) => header.trim().toLowerCase())
    .filter(Boolean);
  const headers: Record<string, string> = {};
  const allowedOrigin = allowOrigin(cors, origin);
  if (
    allowedOrigin &&
    allows(cors.allowMethods, method) &&
    asked.every((header) => allows(cors.allowHeaders, header, true))
  ) {
    headers['access-control-allow-origin'] = allowedOrigin;
    if (cors.allowMethods.length > 0) headers['access-control-allow-methods'] = cors.allowMethods.join(',');
    if (cors.allowHeaders.length > 0) {
      headers['access-control-allow-headers'] =
        cors.allowHeaders.includes('*') && asked.length > 0 ? asked.join(',') : cors.allowHeaders.join(',');
    }
    if (cors.maxAge !== undefined) headers['access-control-max-age'] = String(cors.maxAge);
    if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  }
  return { status: 204, headers, body: Buffer.alloc(0) };
};

/**
 * The CORS headers API Gateway puts on an answer to a request with an allowed Origin; the integration's own CORS
 * headers are dropped when CORS is configured.
 */
export const withCors = (cors: HttpCors, request: GatewayRequest, result: IntegrationResult): IntegrationResult => {
  const strip = (values: Record<string, unknown>) => {
    for (const name of Object.keys(values)) if (name.toLowerCase().startsWith('access-control-')) delete values[name];
  };
  strip(result.headers);
  if (result.multiHeaders) strip(result.multiHeaders);
  const origin = headerOf(request, 'origin');
  const allowedOrigin = origin ? allowOrigin(cors, origin) : undefined;
  if (allowedOrigin) {
    result.headers['access-control-allow-origin'] = allowedOrigin;
    if (cors.allowCredentials) result.headers['access-control-allow-credentials'] = 'true';
    if (cors.exposeHeaders.length > 0) result.headers['access-control-expose-headers'] = cors.exposeHeaders.join(',');
  }
  return result;
};
