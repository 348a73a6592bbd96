import { JSONPath } from 'jsonpath-plus';
import { GatewayError } from '../gateway/gateway-error.ts';
import { type AwsServiceEndpoints, callAwsService } from '../gateway/integrations/aws-service.ts';
import { HOP_BY_HOP, sendToBackend } from '../gateway/integrations/backend.ts';
import { type MappingInput, type RenderResult, renderMappingTemplate } from '../gateway/mapping/render.ts';
import type { InvokeOutcome } from '../lambda/function-pool.ts';
import { keyed, ownValue } from '../shared/client-keyed.ts';
import type { WsBackend, WsIntegration } from './model.ts';

/** One route request as the integration sees it. */
export interface WsRouteRequest {
  eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
  /** The message ('' for $connect and $disconnect); base64 for a binary frame. */
  body: string;
  /** Handshake headers and query string: route.request.header/querystring exist on $connect only. */
  headers: Record<string, string>;
  querystring: Record<string, string>;
  /** The event's requestContext (what `$context` is built from). */
  requestContext: Record<string, unknown>;
  /** The Lambda proxy event, for AWS_PROXY integrations. */
  proxyEvent: Record<string, unknown>;
}

export interface WsIntegrationDeps {
  invoke: (target: string, event: unknown) => Promise<InvokeOutcome>;
  awsServices: AwsServiceEndpoints;
  stageVariables: Record<string, string>;
}

/** What the integration answered, or why API Gateway answers in its place. */
export type WsAnswer =
  | {
      ok: true;
      status: number;
      headers: Record<string, string>;
      body: string;
      /** A non-proxy Lambda integration's error message (what its integration responses are selected by). */
      errorMessage?: string;
    }
  | {
      ok: false;
      /** The status a $connect handshake is refused with. */
      status: number;
      /** API Gateway's message to the client (`Internal server error`, `Endpoint request timed out`, ...). */
      message: string;
      /** Why, for the log line. */
      reason: string;
    };

const failed = (reason: string, status = 500, message = 'Internal server error'): WsAnswer => ({
  ok: false,
  status,
  message,
  reason,
});

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const bodyPath = (body: string, path: string): string | undefined => {
  const json = parseJson(body);
  if (json === null || typeof json !== 'object') return undefined;
  const found = JSONPath({
    path: path.startsWith('$') ? path : `$.${path}`,
    json,
    wrap: true,
    eval: 'safe',
  }) as unknown[];
  const value = found[0];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
};

/**
 * A selection expression (developer guide, "WebSocket selection expressions"): `$variable` or `${variable}` are
 * evaluated once, `\$` is a literal dollar (so `\$default` is the reserved key `$default`), anything else is static.
 * A variable the resolver does not know stays as written.
 */
export const evaluateSelection = (expression: string, resolve: (variable: string) => string | undefined): string =>
  expression.replace(/\\\$|\$\{([^}]+)\}|\$([A-Za-z0-9_.:-]+)/g, (whole, braced?: string, bare?: string) => {
    if (whole === '\\$') return '$';
    const variable = braced ?? bare ?? '';
    const value = resolve(variable);
    if (value !== undefined) return value;
    return braced === undefined ? whole : '';
  });

const headerOf = (headers: Record<string, string>, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  return Object.entries(headers).find(([key]) => key.toLowerCase() === wanted)?.[1];
};

/** `$context` of a WebSocket mapping template (developer guide, "WebSocket API mapping template reference"). */
export const wsVtlContext = (request: WsRouteRequest, extra: Record<string, unknown> = {}): Record<string, unknown> => {
  const context = request.requestContext;
  const identity = (context.identity ?? {}) as Record<string, unknown>;
  return {
    ...context,
    // "$context.requestId: Same as $context.extendedRequestId."
    requestId: context.extendedRequestId,
    identity: { accountId: '', apiKey: '', caller: '', user: '', userArn: '', ...identity },
    authorizer: { ...((context.authorizer ?? {}) as Record<string, unknown>) },
    error: {},
    requestOverride: { header: {}, querystring: {}, path: {} },
    responseOverride: { header: {} },
    ...extra,
  };
};

const mappingInput = (request: WsRouteRequest, body: string): MappingInput => ({
  body,
  params: { path: {}, querystring: request.querystring, header: request.headers },
});

const render = (
  template: string,
  input: MappingInput,
  context: Record<string, unknown>,
  stageVariables: Record<string, string>,
): RenderResult | string => {
  try {
    return renderMappingTemplate(template, input, context, stageVariables);
  } catch (error) {
    return `the mapping template cannot be rendered: ${error instanceof Error ? error.message : String(error)}`;
  }
};

/**
 * The request template the integration's TemplateSelectionExpression picks (the `$default` template when the key has
 * none), or passthrough as PassthroughBehavior allows (developer guide, "Data transformations for WebSocket APIs").
 * Undefined means the body passes through; a string is a refusal.
 */
const requestTemplate = (
  integration: WsIntegration,
  request: WsRouteRequest,
): { template: string } | undefined | { refused: string } => {
  const templates = integration.requestTemplates;
  const keys = Object.keys(templates);
  const key = evaluateSelection(integration.templateSelectionExpression ?? '\\$default', (variable) => {
    const path = /^request\.body\.?(.*)$/.exec(variable)?.[1];
    if (path !== undefined) return bodyPath(request.body, path === '' ? '$' : path) ?? '';
    return undefined;
  });
  // The key comes from the message (`$request.body.version`): a template only when the integration has one by it.
  const template = ownValue(templates, key) ?? ownValue(templates, '$default');
  if (template !== undefined) return { template };
  const behavior = integration.passthroughBehavior;
  if (behavior === 'NEVER' || (behavior === 'WHEN_NO_TEMPLATES' && keys.length > 0)) {
    return { refused: `no request template for key "${key}" and PassthroughBehavior is ${behavior}` };
  }
  return undefined;
};

/** `integration.request.header.X` etc. from `route.request.*`, `context.*`, `stageVariables.*` or `'static'`. */
const requestParameters = (
  integration: WsIntegration,
  request: WsRouteRequest,
  context: Record<string, unknown>,
  stageVariables: Record<string, string>,
): { header: Record<string, string>; querystring: Record<string, string> } => {
  const out = { header: {} as Record<string, string>, querystring: {} as Record<string, string> };
  for (const [name, source] of Object.entries(integration.requestParameters)) {
    const target = /^integration\.request\.(header|querystring)\.(.+)$/.exec(name);
    if (!target?.[1] || !target[2]) continue;
    let value: string | undefined;
    const literal = /^'(.*)'$/s.exec(source);
    if (literal) value = literal[1];
    else if (source.startsWith('route.request.header.')) {
      value = headerOf(request.headers, source.slice('route.request.header.'.length));
    } else if (source.startsWith('route.request.querystring.')) {
      value = ownValue(request.querystring, source.slice('route.request.querystring.'.length));
    } else if (source.startsWith('route.request.body.')) {
      value = bodyPath(request.body, source.slice('route.request.body.'.length));
    } else if (source.startsWith('context.')) {
      const found = source
        .slice('context.'.length)
        .split('.')
        .reduce<unknown>(
          (at, key) =>
            at !== null && typeof at === 'object' ? ownValue(at as Record<string, unknown>, key) : undefined,
          context,
        );
      value = found === undefined || found === null ? undefined : String(found);
    } else if (source.startsWith('stageVariables.')) {
      value = ownValue(stageVariables, source.slice('stageVariables.'.length));
    }
    if (value !== undefined) out[target[1] as 'header' | 'querystring'][target[2]] = value;
  }
  return out;
};

const backendFailure = (error: unknown, what: string): WsAnswer => {
  if (error instanceof GatewayError && error.type === 'INTEGRATION_TIMEOUT') {
    return failed(`${what} did not answer in time`, 504, 'Endpoint request timed out');
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
  return failed(`${what} could not be reached: ${cause}`);
};

const lambdaAnswer = (outcome: InvokeOutcome, functionArn: string, proxy: boolean): WsAnswer => {
  if (outcome.status === 'timeout') return failed(`${functionArn} timed out`, 504, 'Endpoint request timed out');
  if (outcome.status === 'error') {
    // A proxy integration's function error is API Gateway's 502 (developer guide, "Handle Lambda errors"); a
    // non-proxy integration hands the error to its integration responses, selected by errorMessage.
    if (proxy) return failed(`${functionArn} failed: ${outcome.error.errorMessage}`, 502);
    return {
      ok: true,
      status: 200,
      headers: {},
      body: JSON.stringify(outcome.error),
      errorMessage: outcome.error.errorMessage,
    };
  }
  const result = outcome.result;
  if (!proxy) return { ok: true, status: 200, headers: {}, body: JSON.stringify(result ?? null) };
  if (typeof result === 'string') return { ok: true, status: 200, headers: {}, body: result };
  const shaped = (result ?? {}) as { statusCode?: unknown; body?: unknown; headers?: unknown };
  const status = typeof shaped.statusCode === 'number' ? shaped.statusCode : 200;
  const body =
    shaped.body === undefined ? '' : typeof shaped.body === 'string' ? shaped.body : JSON.stringify(shaped.body);
  const headers = Object.fromEntries(
    Object.entries((shaped.headers ?? {}) as Record<string, unknown>).map(([name, value]) => [name, String(value)]),
  );
  return { ok: true, status, headers, body };
};

const invoke = async (deps: WsIntegrationDeps, functionArn: string, payload: unknown, proxy: boolean) => {
  try {
    return lambdaAnswer(await deps.invoke(functionArn, payload), functionArn, proxy);
  } catch (error) {
    // The function is not in the template (or cannot be found): API Gateway's answer to a missing target is 500.
    return failed(`function ${functionArn}: ${error instanceof Error ? error.message : String(error)}`);
  }
};

const send = async (
  backend: Extract<WsBackend, { kind: 'http' | 'http_proxy' }>,
  headers: Record<string, string>,
  query: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<WsAnswer> => {
  let url: URL;
  try {
    url = new URL(backend.uri);
  } catch {
    return failed(`integration URI ${backend.uri} is not a URL`);
  }
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  try {
    const answer = await sendToBackend(
      url,
      backend.method === 'ANY' ? 'POST' : backend.method,
      headers,
      Buffer.from(body),
      timeoutMs,
    );
    return { ok: true, status: answer.status, headers: answer.headers, body: answer.body.toString('utf8') };
  } catch (error) {
    return backendFailure(error, backend.uri);
  }
};

/**
 * Runs a route's integration (developer guide, "WebSocket API integrations"): AWS_PROXY invokes the function with the
 * WebSocket event; AWS, HTTP and MOCK render the request template first (`$input` is the message, `$context` the
 * connection and route) and call a local AWS service, an HTTP endpoint or nothing; HTTP_PROXY sends the message as
 * it is.
 */
export const runIntegration = async (
  integration: WsIntegration,
  request: WsRouteRequest,
  deps: WsIntegrationDeps,
): Promise<WsAnswer> => {
  const { backend } = integration;
  if (backend.kind === 'lambda_proxy') return invoke(deps, backend.functionArn, request.proxyEvent, true);
  const context = wsVtlContext(request);
  const mapped = requestParameters(integration, request, context, deps.stageVariables);
  if (backend.kind === 'http_proxy') {
    const headers = keyed<string>();
    for (const [name, value] of Object.entries(request.headers)) {
      const lower = name.toLowerCase();
      if (!HOP_BY_HOP.has(lower) && !lower.startsWith('sec-websocket-')) headers[name] = value;
    }
    return send(backend, { ...headers, ...mapped.header }, mapped.querystring, request.body, integration.timeoutMs);
  }
  const selected = requestTemplate(integration, request);
  if (selected && 'refused' in selected) return failed(selected.refused, 415, 'Unsupported Media Type');
  let body = request.body;
  let overrides: RenderResult['requestOverride'] = { header: {}, querystring: {}, path: {} };
  if (selected) {
    const rendered = render(selected.template, mappingInput(request, request.body), context, deps.stageVariables);
    if (typeof rendered === 'string') return failed(`${integration.logicalId}: ${rendered}`);
    body = rendered.output;
    overrides = rendered.requestOverride;
  }
  const headers = { ...mapped.header, ...overrides.header };
  const query = { ...mapped.querystring, ...overrides.querystring };
  switch (backend.kind) {
    case 'mock': {
      // A MOCK integration answers the status code its request template names (`{"statusCode": 200}`), 200 without.
      const parsed = parseJson(body) as { statusCode?: unknown } | undefined;
      const status = Number(parsed && typeof parsed === 'object' ? (parsed.statusCode ?? 200) : 200);
      return { ok: true, status: Number.isInteger(status) ? status : 200, headers: {}, body: '' };
    }
    case 'lambda': {
      const payload = parseJson(body);
      return invoke(deps, backend.functionArn, payload === undefined ? body : payload, false);
    }
    case 'http':
      return send(backend, headers, query, body, integration.timeoutMs);
    case 'aws': {
      try {
        const answer = await callAwsService(
          {
            target: backend.target,
            method: 'POST',
            headers,
            query,
            body: Buffer.from(body),
            timeoutMs: integration.timeoutMs,
          },
          deps.awsServices,
        );
        if (!answer) return failed(`the local runtime has no ${backend.target.service} endpoint`);
        return { ok: true, status: answer.status, headers: answer.headers, body: answer.body.toString('utf8') };
      } catch (error) {
        return backendFailure(error, `the local ${backend.target.service}`);
      }
    }
  }
};

const isProxy = (integration: WsIntegration) =>
  integration.backend.kind === 'lambda_proxy' || integration.backend.kind === 'http_proxy';

/**
 * What a two-way route sends back (developer guide, "Set up a WebSocket API integration response"): a proxy
 * integration's answer as it is; for the others the integration response whose key matches the status code (the
 * error message for a Lambda function), else `$default`, with the response template its TemplateSelectionExpression
 * picks. No matching integration response is API Gateway's configuration error ("No match for output mapping and no
 * default output mapping configured"), answered as `Internal server error`.
 */
export const routeResponse = (
  integration: WsIntegration,
  answer: Extract<WsAnswer, { ok: true }>,
  request: WsRouteRequest,
  stageVariables: Record<string, string>,
): { body: string } | { error: string } => {
  if (isProxy(integration)) return { body: answer.body };
  const selector = integration.backend.kind === 'lambda' ? (answer.errorMessage ?? '') : String(answer.status);
  const chosen =
    integration.responses.find((response) => response.pattern?.test(selector)) ??
    integration.responses.find((response) => response.key === '$default');
  if (!chosen) {
    return {
      error: `No match for output mapping and no default output mapping configured. Endpoint response status code: ${answer.status}`,
    };
  }
  const key = evaluateSelection(chosen.templateSelectionExpression ?? '\\$default', (variable) => {
    if (variable === 'integration.response.statuscode') return String(answer.status);
    const header = /^integration\.response\.(?:multivalue)?header\.(.+)$/.exec(variable)?.[1];
    if (header) return headerOf(answer.headers, header) ?? '';
    const path = /^request\.body\.?(.*)$/.exec(variable)?.[1];
    if (path !== undefined) return bodyPath(request.body, path === '' ? '$' : path) ?? '';
    return undefined;
  });
  const template = ownValue(chosen.responseTemplates, key) ?? ownValue(chosen.responseTemplates, '$default');
  if (template === undefined) return { body: answer.body };
  const context = wsVtlContext(request, { status: answer.status });
  const rendered = render(template, mappingInput(request, answer.body), context, stageVariables);
  if (typeof rendered === 'string') return { error: rendered };
  return { body: rendered.output };
};
