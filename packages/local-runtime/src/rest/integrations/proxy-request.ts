import type { Exchange, GatewayRequest } from '../../gateway/exchange.ts';
import { appendTo, keyed } from '../../shared/client-keyed.ts';

/**
 * What a REST Lambda proxy event shows of the request where API Gateway's recorded events differ from the request as
 * the client sent it (recordings test_apigateway_lambda.py::test_lambda_aws_proxy_integration and
 * ::test_lambda_aws_proxy_integration_request_data_mapping, localstack/localstack 8b9a79f0).
 */

/** Headers the events never hold: hop-by-hop `Connection`, and `Content-Length` (the body is in `body`). */
const DROPPED = new Set(['connection', 'content-length']);

/**
 * Names an edge-optimized API's events hold in their canonical case whatever case the client sent: `authorization`
 * and `aUThorization` arrive as `Authorization`, `user-Agent` as `User-Agent`, while `tEsT-HEADeR`, `foobar` and
 * `headerVar` keep theirs. Only these two are recorded rewritten; the requests came through CloudFront, so REGIONAL
 * and PRIVATE APIs keep every name as sent.
 */
const CANONICAL_AT_EDGE = new Map([
  ['authorization', 'Authorization'],
  ['user-agent', 'User-Agent'],
]);

export const proxyHeaders = (request: GatewayRequest, endpointType: Exchange['endpointType']) => {
  const single = keyed<string>();
  const multi = keyed<string[]>();
  const edge = endpointType === 'EDGE';
  for (const [sent, values] of Object.entries(request.multiHeaders)) {
    const lower = sent.toLowerCase();
    if (DROPPED.has(lower)) continue;
    const name = (edge && CANONICAL_AT_EDGE.get(lower)) || sent;
    for (const value of values) appendTo(multi, name, value);
    const last = request.headers[sent];
    if (last !== undefined) single[name] = last;
  }
  return { single, multi };
};

/**
 * `path`: below the stage, the leading slashes collapsed to one but repeated slashes further on kept
 * (`/stage//proxy-value` → `/proxy-value`, `/stage/proxy-value//double-slash` → `/proxy-value//double-slash`).
 */
export const eventPath = (request: GatewayRequest): string =>
  request.pathAsSent === undefined ? request.path : request.pathAsSent.replace(/^\/+/, '/');

const greedyParameters = new Map<string, { greedyAt: number; greedy: string } | undefined>();

/** Where a resource path's greedy parameter (`{proxy+}`) is among its segments, read once per resource. */
const greedyParameterOf = (resourcePath: string) => {
  if (greedyParameters.has(resourcePath)) return greedyParameters.get(resourcePath);
  const segments = resourcePath.split('/').filter(Boolean);
  const greedyAt = segments.findIndex((segment) => /^\{.+\+\}$/.test(segment));
  const greedy = segments[greedyAt];
  const found = greedy === undefined ? undefined : { greedyAt, greedy };
  greedyParameters.set(resourcePath, found);
  return found;
};

/**
 * Path parameters; a greedy one (`{proxy+}`) is the rest of the path as sent: repeated slashes kept, and percent
 * escapes of reserved characters not decoded (`test%2Balias@gmail.com` stays so, recording
 * "invocation-payload-with-path-encoded-email"); one trailing slash is not part of it.
 */
export const eventPathParameters = (exchange: Exchange): Record<string, string> => {
  const match = exchange.match;
  if (!match) return {};
  const greedyParameter = greedyParameterOf(match.operation.resourcePath);
  if (greedyParameter === undefined) return match.pathParameters;
  const { greedyAt, greedy } = greedyParameter;
  const rest = eventPath(exchange.request)
    .slice(1)
    .replace(new RegExp(`^(?:[^/]*/+){${greedyAt}}`), '')
    .replace(/\/$/, '');
  return { ...match.pathParameters, [greedy.slice(1, -2)]: rest };
};
