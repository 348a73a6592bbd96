import { keyed } from '../../shared/client-keyed.ts';
import { renderVtl } from './engine.ts';
import { inputVariable, type MappingInput } from './input.ts';
import { utilVariable } from './util.ts';
import { javaString } from './values.ts';

export type { MappingInput } from './input.ts';

export interface RenderResult {
  output: string;
  /** What the template set on `$context.responseOverride` (status and header.X). */
  responseOverride: { status?: number; header: Record<string, string> };
  /** What the template set on `$context.requestOverride` (header.X, querystring.X, path.X). */
  requestOverride: {
    header: Record<string, string>;
    querystring: Record<string, string>;
    path: Record<string, string>;
  };
  /**
   * `$context` as the template left it: the integration response's templates see what the request template set
   * (`$context.responseOverride.*`, `$context.requestOverride.*`, keys of its own), as on AWS (recordings
   * test_apigateway_integrations.py::test_integration_mock_with_response_override_in_request_template,
   * ::test_integration_mock_with_vtl_map_assignation).
   */
  context: Record<string, unknown>;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** A copy of the caller's data a template may `#set` into freely (plain objects and arrays; anything else is shared). */
const copy = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(copy);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copy(item)]));
  return value;
};

const objectAt = (value: unknown, key: string): Record<string, unknown> => {
  const record = isPlainObject(value) ? value : {};
  const found = record[key];
  return isPlainObject(found) ? found : {};
};

/** What the template left in an override map, as strings; entries set to nothing are dropped. */
const strings = (value: unknown): Record<string, string> => {
  const out = keyed<string>();
  for (const [key, item] of Object.entries(isPlainObject(value) ? value : {})) {
    if (item !== undefined && item !== null) out[key] = javaString(item);
  }
  return out;
};

const statusOf = (value: unknown): number | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  const status = Number(javaString(value));
  return Number.isInteger(status) ? status : undefined;
};

/**
 * Renders an API Gateway mapping template (developer guide, "Mapping template transformations for REST APIs") with
 * `$input`, `$util`, `$context` and `$stageVariables`. The template may set `$context.requestOverride.*` and
 * `$context.responseOverride.*`; what they hold afterwards comes back in the result (developer guide, "Override your
 * API's request and response parameters and status codes"). The caller's objects are never changed. A template that
 * does not parse or fails while rendering throws.
 */
export const renderMappingTemplate = (
  template: string,
  input: MappingInput,
  context: Record<string, unknown>,
  stageVariables: Record<string, string>,
): RenderResult => {
  // Only `#set` can change what a template is given: without one, the caller's objects are safe to share.
  const contextCopy = (template.includes('#set') ? copy(context) : { ...context }) as Record<string, unknown>;
  // The maps a template sets into must exist, or `#set($context.requestOverride.header.X = ...)` has nowhere to go.
  const requestOverride = objectAt(contextCopy, 'requestOverride');
  const responseOverride = objectAt(contextCopy, 'responseOverride');
  // path, header, querystring first, in AWS's order (see vtlContext), whatever else the caller's map holds after.
  const maps = {
    path: objectAt(requestOverride, 'path'),
    header: objectAt(requestOverride, 'header'),
    querystring: objectAt(requestOverride, 'querystring'),
  };
  contextCopy.requestOverride = Object.assign({ ...maps }, requestOverride, maps);
  contextCopy.responseOverride = { ...responseOverride, header: objectAt(responseOverride, 'header') };
  const variables: Record<string, unknown> = {
    input: inputVariable(input),
    util: utilVariable(),
    context: contextCopy,
    stageVariables: { ...stageVariables },
  };
  const output = renderVtl(template, variables);
  const finalContext = isPlainObject(variables.context) ? variables.context : contextCopy;
  return { output, ...overridesOf(finalContext), context: finalContext };
};

/** The overrides a `$context` holds (set by a template), as strings. */
export const overridesOf = (
  context: Record<string, unknown>,
): Pick<RenderResult, 'responseOverride' | 'requestOverride'> => {
  const finalRequest = objectAt(context, 'requestOverride');
  const finalResponse = objectAt(context, 'responseOverride');
  const status = statusOf(finalResponse.status);
  return {
    responseOverride: { ...(status === undefined ? {} : { status }), header: strings(finalResponse.header) },
    requestOverride: {
      header: strings(finalRequest.header),
      querystring: strings(finalRequest.querystring),
      path: strings(finalRequest.path),
    },
  };
};
