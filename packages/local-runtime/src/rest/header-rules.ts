import type { Exchange } from '../gateway/exchange.ts';
import { GatewayError } from '../gateway/gateway-error.ts';
import { REMAPPED } from '../gateway/integrations/backend.ts';
import { keyed } from '../shared/client-keyed.ts';
import type { Integration } from './model.ts';

/**
 * What API Gateway does with the headers the developer guide lists under "Amazon API Gateway important notes for
 * REST APIs" (the table of headers dropped or remapped), as recorded on AWS: test_apigateway_integrations.py::
 * TestApiGatewayHeaderRemapping::test_apigateway_header_remapping_http[HTTP], [HTTP_PROXY] and
 * ::test_apigateway_header_remapping_aws[AWS], [AWS_PROXY]. Where the table and the recordings differ, the recordings
 * are followed.
 */

/**
 * Request headers the method request never shows: `$input.params()` has none of them, a Lambda proxy event neither,
 * nor does an HTTP_PROXY pass them on ("full-integration" of [AWS]: each reads "", and [AWS_PROXY]'s event).
 */
const DROPPED_FROM_REQUEST = new Set([
  'connection',
  'content-length',
  'content-md5',
  'expect',
  'max-forwards',
  'proxy-authenticate',
  'server',
  'te',
  'transfer-encoding',
  'trailer',
  'upgrade',
  'www-authenticate',
]);

/** Of the client's headers, these two reach a Lambda proxy event but not an HTTP_PROXY back end ([HTTP_PROXY]). */
const NOT_PASSED_TO_HTTP = new Set(['content-encoding', 'via']);

/**
 * Integration request headers a mapping may name but API Gateway never sends to an HTTP back end (the "full-integration"
 * back end of [HTTP] and [HTTP_PROXY] got none of them).
 */
const NEVER_SENT = new Set(['connection', 'expect', 'proxy-authenticate', 'te', 'via']);

/**
 * Integration request headers a mapping may not set at all: the method deploys, and every request is a 500 (the
 * special cases of the recordings: "content-length", "transfer-encoding" for HTTP integrations, and "authorization",
 * "connection", "expect", "proxy-authenticate", "te" too for AWS ones).
 */
const UNMAPPABLE_FOR_HTTP = new Set(['content-length', 'transfer-encoding']);
const UNMAPPABLE_FOR_AWS = new Set([
  ...UNMAPPABLE_FOR_HTTP,
  'authorization',
  'connection',
  'expect',
  'proxy-authenticate',
  'te',
]);

/** Transfer-Encoding of an integration response is dropped ("full-integration", "no-param-integration" of [HTTP_PROXY]). */
const DROPPED_FROM_RESPONSE = new Set(['transfer-encoding']);

/** Whether a request (its lower-case header names) has a header the method request drops: most have none. */
const hasDroppedHeader = (lowerCaseNames: ReadonlyMap<string, string>): boolean => {
  for (const lower of lowerCaseNames.keys()) if (DROPPED_FROM_REQUEST.has(lower)) return true;
  return false;
};

/**
 * The exchange as its integration sees the method request: without the headers API Gateway drops. The same exchange
 * (integrations record their status and latency on it), its request replaced.
 */
export const methodRequestOf = (exchange: Exchange): Exchange => {
  const { request } = exchange;
  if (!hasDroppedHeader(request.headerNames)) return exchange;
  const names = Object.keys(request.headers);
  const headers = keyed<string>();
  const multiHeaders = keyed<string[]>();
  const headerNames = new Map<string, string>();
  for (const name of names) {
    const lower = name.toLowerCase();
    if (DROPPED_FROM_REQUEST.has(lower)) continue;
    headers[name] = request.headers[name] as string;
    const values = request.multiHeaders[name];
    if (values) multiHeaders[name] = values;
    if (!headerNames.has(lower)) headerNames.set(lower, name);
  }
  exchange.request = { ...request, headers, multiHeaders, headerNames };
  return exchange;
};

/** Whether an HTTP_PROXY passes this header of the method request on to its back end. */
export const passedToHttp = (name: string): boolean => !NOT_PASSED_TO_HTTP.has(name.toLowerCase());

/** Whether a mapped integration request header is sent to an HTTP back end. */
export const sentToHttp = (name: string): boolean => !NEVER_SENT.has(name.toLowerCase());

/** Refuses (500, as every request of the method is on AWS) an integration mapping a header it may not set. */
export const refuseUnmappableHeaders = (integration: Integration): void => {
  if (integration.type === 'mock') return;
  const unmappable = integration.type.startsWith('http') ? UNMAPPABLE_FOR_HTTP : UNMAPPABLE_FOR_AWS;
  for (const target of Object.keys(integration.requestParameters)) {
    const name = /^integration\.request\.header\.(.+)$/.exec(target)?.[1];
    if (name && unmappable.has(name.toLowerCase())) {
      throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error', {
        status: 500,
        reason: `the integration maps ${name}, a header API Gateway does not let a mapping set`,
      });
    }
  }
};

/**
 * An integration response's mapped headers as the client gets them: those the gateway writes itself renamed
 * `x-amzn-Remapped-<name>` (see REMAPPED), Transfer-Encoding left out.
 */
export const remappedResponseHeaders = (headers: Record<string, string>): Record<string, string> => {
  const out = keyed<string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (DROPPED_FROM_RESPONSE.has(lower)) continue;
    out[REMAPPED.has(lower) ? `x-amzn-Remapped-${name}` : name] = value;
  }
  return out;
};
