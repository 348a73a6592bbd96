import { type Exchange, headerOf } from '../../gateway/exchange.ts';
import { GatewayError } from '../../gateway/gateway-error.ts';
import type { IntegrationResult } from '../../gateway/integrations/result.ts';
import { overridesOf } from '../../gateway/mapping/render.ts';
import { keyed } from '../../shared/client-keyed.ts';
import { convertContent, firstAcceptType, isBinaryMediaType } from '../binary-media.ts';
import { remappedResponseHeaders } from '../header-rules.ts';
import type { Integration, IntegrationResponse } from '../model.ts';
import { mappingValue } from './parameters.ts';
import { mappingInput, render } from './templates.ts';

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
  // An empty template passes the answer through, as no template does (see asTemplates in model.ts).
  if (template) {
    const rendered = render(template, mappingInput(exchange, raw.body), context, stageVariables);
    body = Buffer.from(rendered.output);
    // $context.responseOverride wins over the integration response (developer guide, "Override your API's
    // request and response parameters and status codes").
    if (rendered.responseOverride.status !== undefined) status = rendered.responseOverride.status;
    Object.assign(headers, rendered.responseOverride.header);
  }
  const answerType = Object.entries(raw.headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  const types = exchange.binaryMediaTypes ?? [];
  // With no contentHandling the answer becomes what the first Accept type is: a binary payload to a text Accept is
  // base64, a text one to a binary Accept is decoded from base64 (test_apigateway_s3.snapshot.json
  // test_apigw_s3_binary_support_response_no_content_handling "encoded-payload-text-accept-binary" and
  // "raw-payload-binary-accept-text").
  const converted = convertContent(
    body,
    chosen.contentHandling,
    isBinaryMediaType(types, answerType),
    isBinaryMediaType(types, firstAcceptType(exchange.request)),
  );
  if (!converted) {
    throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error', {
      status: 500,
      reason: 'the integration response is text that is not base64, and was to be converted to binary',
    });
  }
  return {
    status,
    // A mapped Content-Length, Date, Server... reaches the client as x-amzn-Remapped-* (see header-rules.ts).
    headers: { 'Content-Type': contentType, ...remappedResponseHeaders(headers) },
    body: converted,
  };
};
