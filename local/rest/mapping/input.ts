import { JSONPath } from 'jsonpath-plus';

export interface MappingInput {
  body: string;
  params: { path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> };
}

/** The body as JSON, or undefined when it is empty or not JSON (JSONPath then finds nothing). */
const parseBody = (body: string): unknown => {
  if (body.trim() === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
};

const query = (json: unknown, path: string): unknown => {
  if (json === undefined) return undefined;
  const found = JSONPath({ path, json: json as object, wrap: true }) as unknown[];
  // A definite path (`$.a.b`) yields one value; a wildcard or filter yields the list of what matched.
  const definite = !/[*?]|\.\.|\[[^\]]*[:,][^\]]*\]/.test(path);
  if (definite) return found[0];
  return found;
};

const headerValue = (headers: Record<string, string>, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
};

/**
 * `$input` (developer guide, "Variables for data transformations", `$input` variables): `body` is the raw payload,
 * `json(x)` the JSON text of what the JSONPath selects, `path(x)` the object itself (maps and lists usable in
 * VTL), `params()` every request parameter and `params(x)` one, looked up in path, then query string, then header.
 */
export const inputVariable = (input: MappingInput) => {
  let parsed: unknown;
  let parsedOnce = false;
  const json = () => {
    if (!parsedOnce) {
      parsed = parseBody(input.body);
      parsedOnce = true;
    }
    return parsed;
  };
  const params = {
    path: input.params.path,
    querystring: input.params.querystring,
    header: input.params.header,
  };
  return {
    body: input.body,
    json: (path: string): string => {
      const value = query(json(), path);
      return value === undefined ? '' : JSON.stringify(value);
    },
    path: (path: string): unknown => query(json(), path),
    params: (name?: string): unknown => {
      if (name === undefined) return params;
      return params.path[name] ?? params.querystring[name] ?? headerValue(params.header, name) ?? '';
    },
  };
};
