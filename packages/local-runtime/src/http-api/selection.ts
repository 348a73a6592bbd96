import { JSONPath } from 'jsonpath-plus';
import { ownValue } from '../shared/client-keyed.ts';
import { lowerHeaders, requestContextV2 } from './events.ts';
import type { HttpExchange } from './exchange.ts';

/** A value of `$context.…`: the 2.0 request context, the authorizer's claims or context, flattened by dots. */
const contextValue = (exchange: HttpExchange, path: string): string | undefined => {
  const context: Record<string, unknown> = { ...requestContextV2(exchange) };
  const outcome = exchange.authorizer;
  if (outcome?.kind === 'jwt') context.authorizer = { claims: outcome.claims };
  else if (outcome?.kind === 'lambda') context.authorizer = { ...outcome.context, principalId: outcome.principalId };
  context.identity = { sourceIp: exchange.request.sourceIp };
  let value: unknown = context;
  for (const key of path.split('.')) {
    value = typeof value === 'object' && value !== null ? ownValue(value as Record<string, unknown>, key) : undefined;
  }
  if (value === undefined || value === null) return undefined;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
};

const bodyValue = (exchange: HttpExchange, path: string): string | undefined => {
  const text = exchange.request.body.toString('utf8');
  if (path === '') return text;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const [found] = JSONPath({ path: `$${path}`, json: json as object, wrap: true }) as unknown[];
  if (found === undefined || found === null) return undefined;
  return typeof found === 'object' ? JSON.stringify(found) : String(found);
};

/**
 * One selection expression of an HTTP API (developer guide, "Transforming API requests and responses for HTTP
 * APIs" and the identity sources of Lambda authorizers): `$request.header.name` (case-insensitive),
 * `$request.querystring.name`, `$request.path.name`, `$request.body.a.b` (JSONPath into a JSON body; `$request.body`
 * is the whole body), `$context.variable`, `$stageVariables.name`. Undefined when the request has no such value.
 */
export const selectValue = (exchange: HttpExchange, expression: string): string | undefined => {
  const source = expression
    .trim()
    .replace(/^\$\{?/, '')
    .replace(/\}$/, '');
  const [, kind, rest = ''] =
    /^(request\.header|request\.querystring|request\.path|request\.body|context|stageVariables)(?:\.(.*))?$/.exec(
      source,
    ) ?? [];
  switch (kind) {
    case 'request.header':
      // Repeated headers are one value joined with commas, as in the 2.0 event ("Duplicate headers are combined with
      // commas", developer guide, "Create AWS Lambda proxy integrations for HTTP APIs"): two Authorization headers
      // are a value no JWT authorizer takes, never the last one alone.
      return lowerHeaders(exchange)[rest.toLowerCase()]?.join(',');
    case 'request.querystring':
      return ownValue(exchange.request.multiQuery, rest)?.join(',');
    case 'request.path':
      return ownValue(exchange.pathParameters, rest);
    case 'request.body':
      return bodyValue(exchange, rest ? `.${rest}` : '');
    case 'context':
      return contextValue(exchange, rest);
    case 'stageVariables':
      return ownValue(exchange.api.stageVariables, rest);
    default:
      return undefined;
  }
};

/** A parameter mapping value: a selection expression, or text with `${request.…}` / `${context.…}` in it. */
export const mapValue = (exchange: HttpExchange, value: string): string | undefined => {
  if (/^\$(request|context|stageVariables)\./.test(value) || value === '$request.body')
    return selectValue(exchange, value);
  return value.replace(
    /\$\{((?:request|context|stageVariables)\.[^}]+|request\.body)\}/g,
    (_, expression: string) => selectValue(exchange, `$${expression}`) ?? '',
  );
};
