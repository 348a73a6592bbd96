import { randomFillSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { IntegrationResult } from './integrations/result.ts';

/** One request as the gateway sees it, and what each stage of the pipeline learns about it. */
export interface GatewayRequest {
  method: string;
  /** Path below the stage: `/v1/catalog`. */
  path: string;
  /**
   * The path below the stage as the client sent it, repeated slashes kept (decoded as `path` is): `//proxy-value`,
   * `/a//b`. The proxy event and `$context.path` show it (see proxyEvent). Absent when it is `path`.
   */
  pathAsSent?: string;
  /** The path exactly as the client sent it, stage included and still URL-encoded (what SigV4 signs). */
  rawPath: string;
  /** The raw query string, without `?`. */
  rawQuery: string;
  /** Last value of each query parameter (what `queryStringParameters` holds). */
  query: Record<string, string>;
  multiQuery: Record<string, string[]>;
  /** Header names as the client sent them (last value wins). */
  headers: Record<string, string>;
  /** Each lower-case header name → the first name of that spelling in `headers`, for case-insensitive lookups. */
  headerNames: ReadonlyMap<string, string>;
  multiHeaders: Record<string, string[]>;
  body: Buffer;
  sourceIp: string;
  protocol: string;
  requestId: string;
  extendedRequestId: string;
  requestTimeEpoch: number;
}

/**
 * What an API's router found for the request: the resource (`/items/{id}`) and the path parameters it bound. Each API
 * kind's router answers with its own richer match (REST's RouteMatch); the shared stages read only this much.
 */
export interface ResourceMatch {
  operation: { resourcePath: string };
  pathParameters: Record<string, string>;
}

export interface AuthorizerOutcome {
  principalId: string;
  /** Values as the integration sees them (API Gateway stringifies the authorizer's context values). */
  context: Record<string, string>;
  /** Cognito authorizers: the token's claims, stringified. */
  claims?: Record<string, string>;
  usageIdentifierKey?: string;
  integrationLatency: number;
}

export interface CallerIdentity {
  apiKey?: string;
  apiKeyId?: string;
  accessKey?: string;
  accountId?: string;
  caller?: string;
  user?: string;
  userArn?: string;
}

export interface Exchange {
  request: GatewayRequest;
  stage: string;
  apiId: string;
  accountId: string;
  domainName: string;
  /** The stage's deployment (`requestContext.deploymentId`, `$context.deploymentId`). */
  deploymentId?: string;
  /** The stage has a canary, which locally serves none of its requests (see RestApi.hasCanary). */
  hasCanary?: boolean;
  /** EDGE, REGIONAL or PRIVATE: an edge-optimized API's requests come through CloudFront (see proxyHeaders). */
  endpointType?: 'EDGE' | 'REGIONAL' | 'PRIVATE';
  /** The API's binary media types (see binary-media.ts). */
  binaryMediaTypes?: readonly string[];
  match?: ResourceMatch;
  authorizer?: AuthorizerOutcome;
  identity: CallerIdentity;
  cacheHit: boolean;
  integrationLatency?: number;
  integrationStatus?: number;
  /** Which integration answered, for the log line. */
  integrationLabel?: string;
}

/** What the gateway answers a request with, and what the request log needs to know of it. */
export interface GatewayAnswer extends IntegrationResult {
  exchange: Exchange;
  /** Which integration answered (`lambda-proxy`, `mock`, `gateway`...), for the request log. */
  integration: string;
  /** Why the gateway refused or failed the request, for the request log. */
  reason?: string;
}

/** Case-insensitive header lookup (HTTP header names are case-insensitive; the proxy event keeps the case sent). */
export const headerOf = (request: GatewayRequest, name: string): string | undefined => {
  const key = request.headerNames.get(name.toLowerCase());
  return key === undefined ? undefined : request.headers[key];
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

const formatClfTime = (epochMs: number): string => {
  const date = new Date(epochMs);
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
};

/** The last second formatted: requests come many to a second. */
const lastClfTime = { second: Number.NaN, text: '' };

/** `24/Nov/2026:19:10:42 +0000`, the CLF time API Gateway puts in `$context.requestTime`. */
export const clfTime = (epochMs: number): string => {
  const second = Math.floor(epochMs / 1000);
  if (second !== lastClfTime.second) {
    lastClfTime.second = second;
    lastClfTime.text = formatClfTime(epochMs);
  }
  return lastClfTime.text;
};

/** `arn:aws:execute-api:region:account:apiId/stage/METHOD/path`, what authorizer policies are evaluated against. */
export const methodArn = (exchange: Exchange, region: string): string =>
  `arn:aws:execute-api:${region}:${exchange.accountId}:${exchange.apiId}/${exchange.stage}/${exchange.request.method}${exchange.request.path}`;

/** The caller's address as API Gateway reports it (`sourceIp`): IPv4-mapped IPv6 addresses unwrapped. */
export const sourceIpOf = (request: IncomingMessage): string => {
  const address = request.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
};

/**
 * Ids are drawn from a pool of random bytes, refilled 4 KiB at a time: a randomBytes call per id cost the gateway a
 * tenth of its CPU.
 */
const randomPool = Buffer.alloc(4096);
let randomPoolUsed = randomPool.length;

/** `bytes` fresh random bytes, as hex or (URL-safe) base64 text. */
export const randomText = (bytes: number, encoding: 'hex' | 'base64' | 'base64url'): string => {
  if (randomPoolUsed + bytes > randomPool.length) {
    randomFillSync(randomPool);
    randomPoolUsed = 0;
  }
  const start = randomPoolUsed;
  randomPoolUsed += bytes;
  return randomPool.toString(encoding, start, randomPoolUsed);
};

/**
 * An id in the shape of API Gateway's `extendedRequestId` (and a WebSocket API's `requestId`): 15 base64 characters
 * and `=`, e.g. `SOqIDEacoAMFaHQ=`.
 */
export const apiGatewayId = (): string => `${randomText(12, 'base64').slice(0, 15).replace(/[+/]/g, 'A')}=`;

/**
 * The headers API Gateway adds to a request it passes on (developer guide, "Input format of a Lambda function for
 * proxy integration", whose sample headers show them): the caller's address appended to `forwardedFor` (what the
 * client sent, if anything), the port and protocol it came in on — locally the loopback listener's own.
 */
export const forwardedHeaders = (request: IncomingMessage, forwardedFor?: string): Record<string, string> => {
  const sourceIp = sourceIpOf(request);
  return {
    'X-Forwarded-For': forwardedFor ? `${forwardedFor}, ${sourceIp}` : sourceIp,
    'X-Forwarded-Port': String(request.socket.localPort ?? 443),
    'X-Forwarded-Proto': 'http',
  };
};

/** API Gateway's payload limit (developer guide, "Amazon API Gateway quotas"): 10 MB. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/**
 * A REST API's answer to a body over the limit, given at API Gateway's edge before any API sees it: plain text, no
 * request id, no gateway response (observed answer of edge-optimized and regional REST APIs).
 */
export const edgeTooLarge = () => ({
  status: 413,
  headers: { 'Content-Type': 'text; charset=utf-8' },
  body: Buffer.from(`HTTP content length exceeded ${MAX_PAYLOAD_BYTES} bytes.`),
  reason: `the body is over API Gateway's ${MAX_PAYLOAD_BYTES}-byte payload limit`,
});
