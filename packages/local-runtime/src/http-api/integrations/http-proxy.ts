import { GatewayError } from '../../gateway/gateway-error.ts';
import { HOP_BY_HOP, sendToBackend } from '../../gateway/integrations/backend.ts';
import type { IntegrationResult } from '../../gateway/integrations/result.ts';
import { keyed, ownValue } from '../../shared/client-keyed.ts';
import { type HttpExchange, internalError, serviceUnavailable } from '../exchange.ts';
import type { HttpIntegration } from '../model.ts';
import { mapValue } from '../selection.ts';

type HttpProxyIntegration = Extract<HttpIntegration, { kind: 'http_proxy' }>;

/**
 * HTTP_PROXY: the request goes to the integration URI (its `{name}` placeholders filled from the path parameters,
 * `{proxy}` with the greedy one) with the client's method (unless the integration names one), headers, query string
 * and body, changed by the parameter mappings (`overwrite:header.x`, `append:querystring.y`, `remove:header.z`,
 * `overwrite:path`); the answer comes back as it is (developer guide, "Working with HTTP proxy integrations for HTTP
 * APIs"). A back end that cannot be reached is 500; one slower than the timeout is 503.
 */
export const httpProxyIntegration = async (
  exchange: HttpExchange,
  integration: HttpProxyIntegration,
): Promise<IntegrationResult> => {
  const { request } = exchange;
  const headers = keyed<string>();
  for (const [name, value] of Object.entries(request.headers)) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  const query = new URLSearchParams(request.rawQuery);
  let pathOverride: string | undefined;
  for (const [target, expression] of Object.entries(integration.requestParameters)) {
    const [, action, where, name = ''] =
      /^(append|overwrite|remove):(header|querystring|path)(?:\.(.+))?$/.exec(target) ?? [];
    const value = mapValue(exchange, expression) ?? '';
    if (where === 'path' && action === 'overwrite') pathOverride = value;
    else if (where === 'header') {
      const key = name.toLowerCase();
      if (action === 'remove') delete headers[key];
      else headers[key] = action === 'append' && headers[key] ? `${headers[key]},${value}` : value;
    } else if (where === 'querystring') {
      if (action === 'remove') query.delete(name);
      else if (action === 'append') query.append(name, value);
      else query.set(name, value);
    }
  }
  const filled = integration.uri.replace(/\{([^}+]+)\+?\}/g, (_, name: string) =>
    (ownValue(exchange.pathParameters, name) ?? '').split('/').map(encodeURIComponent).join('/'),
  );
  let url: URL;
  try {
    url = new URL(filled);
  } catch {
    throw internalError(`the integration URI ${filled} is not a URL`);
  }
  if (pathOverride !== undefined) url.pathname = pathOverride;
  const search = query.toString();
  if (search) url.search = url.search ? `${url.search}&${search}` : `?${search}`;
  const method = integration.method === 'ANY' ? request.method : integration.method;
  try {
    const answer = await sendToBackend(url, method, headers, request.body, integration.timeoutMs);
    return { status: answer.status, headers: answer.headers, multiHeaders: answer.multiHeaders, body: answer.body };
  } catch (error) {
    if (error instanceof GatewayError && error.type === 'INTEGRATION_TIMEOUT') {
      throw serviceUnavailable(`${url.origin} did not answer within ${integration.timeoutMs} ms`);
    }
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw internalError(`${url.origin} could not be reached (${cause})`);
  }
};
