import { type Exchange, headerOf } from '../../gateway/exchange.ts';
import { GatewayError } from '../../gateway/gateway-error.ts';
import { type BackendAnswer, HOP_BY_HOP, REMAPPED, sendToBackend } from '../../gateway/integrations/backend.ts';
import type { IntegrationResult } from '../../gateway/integrations/result.ts';
import { vtlContext } from '../../gateway/request-context.ts';
import { keyed, ownValue } from '../../shared/client-keyed.ts';
import { passedToHttp, sentToHttp } from '../header-rules.ts';
import type { Integration, Operation } from '../model.ts';
import { integrationTraceHeader, withTraceHeader } from './answer-trace.ts';
import { mapIntegrationResponse } from './integration-response.ts';
import { requestParameterTargets } from './parameters.ts';
import { renderRequest } from './templates.ts';

/** Mapped integration request headers, without those API Gateway never sends an HTTP back end (see header-rules.ts). */
const sendable = (headers: Record<string, string>): Record<string, string> => {
  const out = keyed<string>();
  for (const [name, value] of Object.entries(headers)) if (sentToHttp(name)) out[name] = value;
  return out;
};

/**
 * `{name}` and `{name+}` placeholders of an integration URI filled from `integration.request.path.name` mappings (an
 * unmapped one is empty); a greedy parameter keeps its slashes, each segment encoded on its own.
 */
export const fillPathPlaceholders = (uri: string, path: Record<string, string>): string =>
  uri.replace(/\{([^}+]+)\+?\}/g, (_, name: string) =>
    (ownValue(path, name) ?? '').split('/').map(encodeURIComponent).join('/'),
  );

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
  const filled = fillPathPlaceholders(staged, path);
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

/** `headers` with each of `over` set in its place, a name of another case replaced (header names are case-insensitive). */
const withHeaders = (headers: Record<string, string>, over: Record<string, string>): Record<string, string> => {
  const out = keyed<string>();
  const spelling = new Map<string, string>();
  for (const [name, value] of [...Object.entries(headers), ...Object.entries(over)]) {
    const before = spelling.get(name.toLowerCase());
    if (before !== undefined) delete out[before];
    spelling.set(name.toLowerCase(), name);
    out[name] = value;
  }
  return out;
};

/**
 * What the gateway adds to every request to an HTTP back end: the API's id and the trace header (recordings
 * test_apigateway_http.py::test_http_integration_with_lambda[HTTP] and [HTTP_PROXY] "http-invocation-lambda-url",
 * where the back end, a function URL, echoed x-amzn-apigateway-api-id and x-amzn-trace-id).
 */
const gatewayHeaders = (exchange: Exchange, trace: string) => ({
  'x-amzn-apigateway-api-id': exchange.apiId,
  'X-Amzn-Trace-Id': trace,
});

/**
 * A non-proxy HTTP integration sends none of the client's headers unless mapped, but JSON's Accept, a User-Agent
 * naming the API and, with a body, its Content-Type (recordings test_apigateway_http.py::
 * test_http_integration_with_lambda[HTTP] "http-invocation-lambda-url", where the client's Accept was
 * application/xml, and ::test_http_integration_method[HTTP]; a GET without a body sent no Content-Type, the client's
 * notwithstanding: test_apigateway_integrations.py::TestApiGatewayHeaderRemapping[HTTP] "no-param-integration").
 */
const nonProxyHeaders = (exchange: Exchange, trace: string, body: Buffer) => ({
  Accept: 'application/json',
  ...(body.length > 0 ? { 'Content-Type': headerOf(exchange.request, 'content-type') ?? 'application/json' } : {}),
  'User-Agent': `AmazonAPIGateway_${exchange.apiId}`,
  ...gatewayHeaders(exchange, trace),
});

const gatewayOwned = (name: string) => REMAPPED.has(name.toLowerCase());

/**
 * An HTTP_PROXY answer's headers: the back end's, with those the gateway writes itself handed on remapped. The
 * gateway adds no trace header of its own: a function URL answers with the one it was sent (recording
 * test_apigateway_http.py::test_http_integration_with_lambda[HTTP_PROXY]), httpbin with none, and so did the API
 * (test_apigateway_integrations.py::TestApiGatewayHeaderRemapping [HTTP_PROXY] "no-param-integration").
 */
const proxiedAnswerHeaders = (answer: BackendAnswer) => {
  const headers = keyed<string>();
  const multiHeaders = keyed<string[]>();
  for (const [name, value] of Object.entries(answer.headers)) if (!gatewayOwned(name)) headers[name] = value;
  for (const [name, values] of Object.entries(answer.multiHeaders))
    if (!gatewayOwned(name)) multiHeaders[name] = values;
  for (const [name, value] of Object.entries(answer.remapped)) headers[`x-amzn-Remapped-${name}`] = value;
  return { headers, multiHeaders };
};

/**
 * HTTP_PROXY: the client's method, headers, query string and body go to the back end as they are (plus any
 * mapped `integration.request.*` parameters); the back end's status, headers and body come back, errors included
 * (developer guide, "Set up HTTP proxy integrations in API Gateway"), its headers that the gateway writes itself
 * remapped (see REMAPPED).
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
  const trace = integrationTraceHeader(exchange);
  const started = performance.now();
  if (integration.type === 'http_proxy') {
    const forwarded = keyed<string>();
    for (const [name, value] of Object.entries(request.headers))
      if (!HOP_BY_HOP.has(name.toLowerCase()) && passedToHttp(name)) forwarded[name] = value;
    const headers = withHeaders(withHeaders(forwarded, gatewayHeaders(exchange, trace)), sendable(mapped.header));
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
    return { status: answer.status, ...proxiedAnswerHeaders(answer), body: answer.body };
  }
  const rendered = renderRequest(exchange, integration, context, stageVariables);
  const body = rendered ? Buffer.from(rendered.output) : request.body;
  const headers = withHeaders(
    nonProxyHeaders(exchange, trace, body),
    sendable({ ...mapped.header, ...rendered?.requestOverride.header }),
  );
  const query = encodeQuery({ ...mapped.querystring, ...rendered?.requestOverride.querystring });
  const url = backendUrl(integration.uri, { ...path, ...rendered?.requestOverride.path }, query, stageVariables);
  const answer = await sendToBackend(url, method, headers, body, integration.timeoutMs);
  // The answer carries the trace header the back end was sent.
  return mapBackendAnswer(exchange, integration, answer, started, rendered?.context ?? context, stageVariables, trace);
};

/** A non-proxy integration's answer, timed and mapped through the integration responses by its status code. */
export const mapBackendAnswer = (
  exchange: Exchange,
  integration: Integration,
  answer: BackendAnswer,
  started: number,
  context: Record<string, unknown>,
  stageVariables: Record<string, string>,
  trace?: string,
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
    trace,
  );
};
