import { JSONPath } from 'jsonpath-plus';
import { fromJson, JsonList } from './values.ts';

export interface MappingInput {
  body: string;
  params: { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> };
}

const NOT_JSON = Symbol('not JSON');

/**
 * The payload as JSON. API Gateway hands an empty payload to the template as `{}` (AWS's output recorded by
 * LocalStack's parity test `test_input_body_formatting`: `$input.body` of an empty request renders `{}`). A payload
 * that is not JSON is no error: `$input.path` then finds nothing and `$input.json` gives `""` (LocalStack PR #12774,
 * checked against the API Gateway console); the developer guide says nothing about either case.
 */
const parseBody = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return NOT_JSON;
  }
};

/**
 * A definite JSONPath (`$.a.b[0]`) selects one value or nothing; an indefinite one (wildcard, deep scan, filter,
 * slice, union) always selects a list, as in Jayway JsonPath, which API Gateway uses (developer guide, "$input
 * variables", links to Jayway).
 */
const isIndefinite = (path: string): boolean => /\*|\.\.|\[\s*\?|\[[^\]]*[:,][^\]]*\]/.test(path);

/** Jayway reads `a.b` as `$.a.b`. */
const normalise = (path: string): string => {
  const trimmed = path.trim();
  if (trimmed.startsWith('$')) return trimmed;
  return trimmed.startsWith('[') ? `$${trimmed}` : `$.${trimmed}`;
};

const MISSING = Symbol('missing');

const select = (json: unknown, path: string): unknown => {
  if (json === NOT_JSON) return MISSING;
  const expression = normalise(path);
  const indefinite = isIndefinite(expression);
  // A scalar document (`"text"`, `42`, `null`) has nothing below its root; jsonpath-plus answers nothing for a falsy one.
  if (json === null || typeof json !== 'object') {
    if (expression === '$') return json;
    return indefinite ? new JsonList() : MISSING;
  }
  const found = JSONPath({ path: expression, json, wrap: true, eval: 'safe' }) as unknown[];
  // A new list of the document's own values (Jayway builds one for each indefinite read).
  if (indefinite) return JsonList.from(found);
  return found.length === 0 ? MISSING : found[0];
};

/**
 * Header names are case-insensitive, and Node gives them in lower case while a template written for API Gateway
 * asks for `Content-Type`: lookups (`.get('X-Id')`, `$input.params('X-Id')`) ignore case; `keySet()` lists the names
 * as received.
 */
const headerMap = (headers: Record<string, string>): Record<string, string> =>
  new Proxy(
    { ...headers },
    {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (value !== undefined || typeof property !== 'string') return value;
        return headerValue(target, property);
      },
    },
  );

const headerValue = (headers: Record<string, string>, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  const found = Object.keys(headers).find((key) => key.toLowerCase() === wanted);
  return found === undefined ? undefined : headers[found];
};

const ownValue = (record: Record<string, string>, key: string): string | undefined =>
  Object.hasOwn(record, key) ? record[key] : undefined;

/**
 * `$input` (developer guide, "Variables for data transformations for API Gateway", `$input` variables): `body` the
 * raw payload, `json(x)` the JSON text of what JSONPath `x` selects, `path(x)` the selection itself as maps and lists
 * a template can walk, `params()` every request parameter, `params(x)` one, looked up in path, query string, then
 * header, and `""` when there is none.
 */
export const inputVariable = (input: MappingInput) => {
  const body = input.body === '' ? '{}' : input.body;
  // One document per request, as Jayway's parsed context is in API Gateway: `$input.path` hands out its own maps and
  // lists, so a `#set($root.total = 3)` on them shows in a later `$input.json('$')` (issue 20, checked against the
  // behaviour API Gateway users rely on: "modify the payload with #set, then $input.json('$')").
  let document: unknown = MISSING;
  const parsed = (): unknown => {
    if (document === MISSING) {
      const json = parseBody(body);
      document = json === NOT_JSON || json === null ? json : fromJson(json);
    }
    return document;
  };
  const params = {
    path: { ...input.params.path },
    querystring: { ...input.params.querystring },
    header: headerMap(input.params.header),
  };
  return {
    body,
    json: (path: string): string => {
      const value = select(parsed(), String(path));
      return JSON.stringify(value === MISSING ? '' : value);
    },
    path: (path: string): unknown => {
      const value = select(parsed(), String(path));
      return value === MISSING || value === null ? undefined : value;
    },
    params: (name?: unknown): unknown => {
      if (name === undefined || name === null) return params;
      const key = String(name);
      return (
        ownValue(params.path, key) ?? ownValue(params.querystring, key) ?? headerValue(input.params.header, key) ?? ''
      );
    },
  };
};
