import type { Exchange } from '../../gateway/exchange.ts';
import { GatewayError } from '../../gateway/gateway-error.ts';
import { type BackendAnswer, HOP_BY_HOP, sendToBackend } from '../../gateway/integrations/backend.ts';
import type { IntegrationResult } from '../../gateway/integrations/result.ts';
import { vtlContext } from '../../gateway/request-context.ts';
import { keyed, ownValue } from '../../shared/client-keyed.ts';
import type { Integration, Operation } from '../model.ts';
import { mapIntegrationResponse } from './integration-response.ts';
import { requestParameterTargets } from './parameters.ts';
import { renderRequest } from './templates.ts';

/** The integration URI with `{name}` placeholders filled from `integration.request.path.name` mappings. */
const backendUrl = (uri: string, path: Record<string, string>, query: string): URL => {
  const filled = uri.replace(/\{([^}+]+)\+?\}/g, (_, name: string) => {
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
      if (!HOP_BY_HOP.has(name.toLowerCase())) headers[name] = value;
    Object.assign(headers, mapped.header);
    const query = [request.rawQuery, encodeQuery(mapped.querystring)].filter(Boolean).join('&');
    const answer = await sendToBackend(
      backendUrl(integration.uri, path, query),
      method,
      headers,
      request.body,
      integration.timeoutMs,
    );
    exchange.integrationLatency = Math.round(performance.now() - started);
    exchange.integrationStatus = answer.status;
    return { status: answer.status, headers: answer.headers, multiHeaders: answer.multiHeaders, body: answer.body };
  }
  const rendered = renderRequest(exchange, integration, context, stageVariables);
  const body = rendered ? Buffer.from(rendered.output) : request.body;
  const headers = { ...mapped.header, ...rendered?.requestOverride.header };
  const query = encodeQuery({ ...mapped.querystring, ...rendered?.requestOverride.querystring });
  const url = backendUrl(integration.uri, { ...path, ...rendered?.requestOverride.path }, query);
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
  return mapIntegrationResponse(
    exchange,
    integration,
    String(answer.status),
    { headers: answer.headers, body: answer.body.toString('utf8'), bytes: answer.body },
    context,
    stageVariables,
  );
};
