import { keyed } from '../../shared/client-keyed.ts';
import { convertContent, isBinaryMediaType } from '../binary-media.ts';
import { type Exchange, headerOf, randomText } from '../exchange.ts';
import { GatewayError } from '../gateway-error.ts';
import { remappedResponseHeaders } from '../header-rules.ts';
import { overridesOf } from '../mapping/render.ts';
import type { Integration, IntegrationResponse } from '../model.ts';
import { mappingValue } from './parameters.ts';
import { mappingInput, render } from './templates.ts';
import type { IntegrationResult } from './types.ts';

/**
 * The trace header of an answer from Lambda (proxy or not), an AWS service or an HTTP backend, none on a MOCK's or an
 * HTTP_PROXY's: the client's, kept whole when it names a Parent, else its Root with a Parent of the gateway's own
 * (recordings test_apigateway_common.py::TestApiGatewayCommon::test_invocation_trace_id, "trace-id-req-headers-
 * AWS_PROXY", "trace-id-small-req-headers-AWS_PROXY"; test_apigateway_dynamodb.py::
 * test_rest_api_to_dynamodb_integration "result-put-item"; test_apigateway_integrations.py::TestApiGatewayHeaderRemapping
 * "no-param-integration" of [HTTP] and [AWS], not of [HTTP_PROXY]).
 */
export const answerTraceId = (exchange: Exchange): string => {
  const sent = headerOf(exchange.request, 'x-amzn-trace-id') ?? '';
  if (/(^|;)\s*Parent=/.test(sent)) return sent;
  const root = /(?:^|;)\s*(Root=[^;]+)/.exec(sent)?.[1];
  return `${root ?? sent};Parent=${randomText(8, 'hex')};Sampled=0`;
};

/** The answer with the gateway's trace header, unless its mapping set one. */
export const withTraceHeader = (exchange: Exchange, result: IntegrationResult): IntegrationResult => {
  if (Object.keys(result.headers).some((name) => name.toLowerCase() === 'x-amzn-trace-id')) return result;
  return { ...result, headers: { ...result.headers, 'X-Amzn-Trace-Id': answerTraceId(exchange) } };
};

/** The integration response whose selection pattern matches the whole selector, else `default`. */
export const selectResponse = (integration: Integration, selector: string): IntegrationResponse | undefined =>
  integration.responses.find((response) => response.pattern?.test(selector)) ??
  integration.responses.find((response) => response.pattern === undefined);

/**
 * Maps a non-proxy integration's answer to the method response: status from the chosen integration response,
 * headers from its responseParameters, body from its template for the client's type (or passed through), and
 * whatever the template set on `$context.responseOverride`.
 */
export const mapIntegrationResponse = (
  exchange: Exchange,
  integration: Integration,
  selector: string,
  /** `bytes`: the answer as received, passed through when no template applies (a binary body survives). */
  raw: { headers: Record<string, string>; body: string; bytes?: Buffer },
  context: Record<string, unknown>,
  stageVariables: Record<string, string>,
): IntegrationResult => {
  const chosen = selectResponse(integration, selector);
  if (!chosen) {
    // "Execution failed due to configuration error: No match for output mapping and no default output mapping".
    throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error', { status: 500 });
  }
  // `$context.responseOverride.header` may name a header after what the request holds.
  const headers = keyed<string>();
  for (const [target, expression] of Object.entries(chosen.responseParameters)) {
    const name = /^method\.response\.header\.(.+)$/.exec(target)?.[1];
    const value = name
      ? mappingValue(expression, {
          exchange,
          stageVariables,
          context,
          responseHeaders: raw.headers,
          responseBody: raw.body,
        })
      : undefined;
    if (name && value !== undefined) headers[name] = value;
  }
  const templates = Object.entries(chosen.responseTemplates);
  const accept = headerOf(exchange.request, 'accept') ?? '';
  const [contentType, template] = templates.find(([type]) => accept.toLowerCase().includes(type.toLowerCase())) ??
    templates[0] ?? ['application/json', undefined];
  let body = raw.bytes ?? Buffer.from(raw.body);
  let status = chosen.statusCode;
  // What the request template set on `$context.responseOverride` applies with or without a response template
  // (recording test_integration_mock_with_response_override_in_request_template[False]: 444, empty body).
  const carried = overridesOf(context).responseOverride;
  if (carried.status !== undefined) status = carried.status;
  Object.assign(headers, carried.header);
  if (template !== undefined) {
    const rendered = render(template, mappingInput(exchange, raw.body), context, stageVariables);
    body = Buffer.from(rendered.output);
    // $context.responseOverride wins over the integration response (developer guide, "Override your API's
    // request and response parameters and status codes").
    if (rendered.responseOverride.status !== undefined) status = rendered.responseOverride.status;
    Object.assign(headers, rendered.responseOverride.header);
  }
  const answerType = Object.entries(raw.headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  const binary = isBinaryMediaType(exchange.binaryMediaTypes ?? [], answerType);
  return {
    status,
    // A mapped Content-Length, Date, Server... reaches the client as x-amzn-Remapped-* (see header-rules.ts).
    headers: { 'Content-Type': contentType, ...remappedResponseHeaders(headers) },
    body: convertContent(body, chosen.contentHandling, binary),
  };
};
