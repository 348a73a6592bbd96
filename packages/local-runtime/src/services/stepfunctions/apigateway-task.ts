import { STATUS_CODES } from 'node:http';
import { TaskFailure } from './errors.ts';
import type { CallApi, Json } from './task-services.ts';

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);
const AUTH_TYPES = new Set(['NO_AUTH', 'IAM_ROLE', 'RESOURCE_POLICY']);

const asObject = (value: Json | undefined): Record<string, Json> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};

/** `{"name": ["a", "b"]}` (a lone string taken as one value), as Headers and QueryParameters are written. */
const listMap = (value: Json | undefined, field: string): Record<string, string[]> => {
  const map: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(asObject(value))) {
    if (Array.isArray(values)) map[name] = values.map(String);
    else if (typeof values === 'string') map[name] = [values];
    else throw new TaskFailure('States.Runtime', `${field}.${name} must be a list of strings`, true);
  }
  return map;
};

/** Null members are dropped from the request body unless AllowNullValues (developer guide, "Call API Gateway"). */
const withoutNulls = (value: Json): Json => {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== null)
        .map(([key, item]) => [key, withoutNulls(item)]),
    );
  }
  return value;
};

const ENDPOINT = /^[0-9a-z]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/;

/**
 * `arn:aws:states:::apigateway:invoke` (developer guide, "Call API Gateway with Step Functions"): Parameters name the
 * API (`ApiEndpoint` `<apiId>.execute-api.<region>.amazonaws.com`), `Method`, `Stage`, `Path`, `Headers` and
 * `QueryParameters` (lists of values), `RequestBody` (JSON, or a string sent as it is) and `AuthType` (`NO_AUTH`, or
 * `IAM_ROLE`/`RESOURCE_POLICY`: signed with SigV4). The result is `{ResponseBody, StatusCode, StatusText, Headers}`,
 * the body parsed when it is JSON; a status outside 2xx fails the task with `ApiGateway.<status>` and the body as
 * its cause. Locally the API is the runtime's own REST, HTTP or WebSocket API (`@connections` included).
 */
export const apiGatewayInvokeTask =
  (callApi: CallApi) =>
  async (input: Json): Promise<Json> => {
    const parameters = asObject(input);
    const endpoint = String(parameters.ApiEndpoint ?? '');
    const method = String(parameters.Method ?? '').toUpperCase();
    const authType = String(parameters.AuthType ?? 'NO_AUTH');
    if (!ENDPOINT.test(endpoint)) {
      throw new TaskFailure(
        'States.Runtime',
        `ApiEndpoint '${endpoint}' is not an API Gateway host (<apiId>.execute-api.<region>.amazonaws.com)`,
        true,
      );
    }
    if (!METHODS.has(method)) throw new TaskFailure('States.Runtime', `Method '${method}' is not supported`, true);
    if (!AUTH_TYPES.has(authType))
      throw new TaskFailure('States.Runtime', `AuthType '${authType}' is not supported`, true);
    const segments = [parameters.Stage, parameters.Path]
      .filter((part): part is string => typeof part === 'string' && part !== '')
      .map((part) => part.replace(/^\/+|\/+$/g, ''));
    const query = new URLSearchParams();
    for (const [name, values] of Object.entries(listMap(parameters.QueryParameters, 'QueryParameters'))) {
      for (const value of values) query.append(name, value);
    }
    const headers = listMap(parameters.Headers, 'Headers');
    const raw = parameters.RequestBody;
    let body: string | undefined;
    if (raw !== undefined) {
      body =
        typeof raw === 'string' ? raw : JSON.stringify(parameters.AllowNullValues === true ? raw : withoutNulls(raw));
      if (typeof raw !== 'string' && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
        headers['Content-Type'] = ['application/json'];
      }
    }
    let answer: Awaited<ReturnType<CallApi>>;
    try {
      answer = await callApi({
        host: endpoint,
        method,
        path: `/${segments.join('/')}`,
        query,
        headers,
        ...(body === undefined ? {} : { body }),
        sign: authType !== 'NO_AUTH',
      });
    } catch (error) {
      if (error instanceof TaskFailure) throw error;
      const name = error instanceof Error && error.name !== 'Error' ? error.name : 'UnknownException';
      throw new TaskFailure(`ApiGateway.${name}`, error instanceof Error ? error.message : String(error));
    }
    const contentType = (answer.headers['content-type'] ?? []).join(',');
    let responseBody: Json = answer.body;
    if (/json/i.test(contentType) && answer.body !== '') {
      try {
        responseBody = JSON.parse(answer.body) as Json;
      } catch {
        responseBody = answer.body;
      }
    }
    if (answer.status < 200 || answer.status > 299) {
      throw new TaskFailure(`ApiGateway.${answer.status}`, answer.body);
    }
    return {
      ResponseBody: responseBody,
      StatusCode: answer.status,
      StatusText: STATUS_CODES[answer.status] ?? '',
      Headers: answer.headers,
    };
  };
