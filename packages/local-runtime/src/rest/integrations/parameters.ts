import { type Exchange, headerOf } from '../../gateway/exchange.ts';
import { ownValue } from '../../shared/client-keyed.ts';

/**
 * The right-hand side of a request or response parameter mapping: `'static'`, `method.request.{path,querystring,
 * header}.X`, `context.X.Y`, `stageVariables.X`, `integration.response.header.X` / `integration.response.body`
 * (API Gateway developer guide, "Parameter mapping source reference").
 */
export interface MappingSources {
  exchange: Exchange;
  stageVariables: Record<string, string>;
  context: Record<string, unknown>;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
}

const contextValue = (context: Record<string, unknown>, path: string[]): string | undefined => {
  let value: unknown = context;
  for (const key of path) {
    if (!value || typeof value !== 'object') return undefined;
    value = ownValue(value as Record<string, unknown>, key);
  }
  return value === undefined || value === null ? undefined : String(value);
};

export const mappingValue = (expression: string, sources: MappingSources): string | undefined => {
  const { request } = sources.exchange;
  if (/^'.*'$/s.test(expression)) return expression.slice(1, -1);
  const method = /^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$/.exec(
    expression,
  );
  if (method?.[2]) {
    const name = method[2];
    if (method[1] === 'path') return ownValue(sources.exchange.match?.pathParameters ?? {}, name);
    if (method[1] === 'querystring') return ownValue(request.query, name);
    if (method[1] === 'multivaluequerystring') return ownValue(request.multiQuery, name)?.join(',');
    if (method[1] === 'header') return headerOf(request, name);
    // multiHeaders has the same names as headers.
    const key = request.headerNames.get(name.toLowerCase());
    return key === undefined ? undefined : ownValue(request.multiHeaders, key)?.join(',');
  }
  const context = /^context\.(.+)$/.exec(expression);
  if (context?.[1]) return contextValue(sources.context, context[1].split('.'));
  const stage = /^stageVariables\.(.+)$/.exec(expression);
  if (stage?.[1]) return ownValue(sources.stageVariables, stage[1]);
  const responseHeader = /^integration\.response\.header\.(.+)$/.exec(expression);
  if (responseHeader?.[1] && sources.responseHeaders) {
    const wanted = responseHeader[1].toLowerCase();
    return Object.entries(sources.responseHeaders).find(([key]) => key.toLowerCase() === wanted)?.[1];
  }
  if (expression === 'integration.response.body') return sources.responseBody;
  return undefined;
};

/** Applies `integration.request.{header,querystring,path}.X` mappings. */
export const requestParameterTargets = (
  mappings: Record<string, string>,
  sources: MappingSources,
): { header: Record<string, string>; querystring: Record<string, string>; path: Record<string, string> } => {
  const out = {
    header: {} as Record<string, string>,
    querystring: {} as Record<string, string>,
    path: {} as Record<string, string>,
  };
  for (const [target, expression] of Object.entries(mappings)) {
    const match = /^integration\.request\.(header|querystring|path)\.(.+)$/.exec(target);
    if (!match?.[2]) continue;
    const value = mappingValue(expression, sources);
    if (value !== undefined) out[match[1] as 'header' | 'querystring' | 'path'][match[2]] = value;
  }
  return out;
};
