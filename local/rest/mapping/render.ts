import velocity from 'velocityjs';
import { javaStringMethods } from '../../vtl/java-string-methods.ts';
import { inputVariable, type MappingInput } from './input.ts';
import { utilVariable } from './util.ts';

export type { MappingInput } from './input.ts';

export interface RenderResult {
  output: string;
  /** What the template set on `$context.responseOverride`. */
  responseOverride: { status?: number; header: Record<string, string> };
  /** What the template set on `$context.requestOverride`. */
  requestOverride: {
    header: Record<string, string>;
    querystring: Record<string, string>;
    path: Record<string, string>;
  };
}

type Compiled = InstanceType<typeof velocity.Compile>;
const compiled = new Map<string, Compiled>();

const compile = (template: string): Compiled => {
  let found = compiled.get(template);
  if (!found) {
    found = new velocity.Compile(velocity.parse(template), { escape: false, customMethodHandlers: javaStringMethods });
    if (compiled.size > 1000) compiled.clear();
    compiled.set(template, found);
  }
  return found;
};

const strings = (value: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries(value && typeof value === 'object' ? value : {}).map(([key, item]) => [key, String(item)]),
  );

/**
 * Renders an API Gateway mapping template with velocityjs. A reference to nothing renders as an empty string, as
 * API Gateway's engine renders it (not as the reference's own text, Velocity's default). The template may set
 * `$context.requestOverride.*` and `$context.responseOverride.*`; those values come back in the result
 * (developer guide, "Override your API's request and response parameters and status codes").
 */
export const renderMappingTemplate = (
  template: string,
  input: MappingInput,
  context: Record<string, unknown>,
  stageVariables: Record<string, string>,
): RenderResult => {
  const requestOverride = { header: {}, querystring: {}, path: {} };
  const responseOverride: Record<string, unknown> = { header: {} };
  const variables = {
    input: inputVariable(input),
    util: utilVariable,
    context: { ...context, requestOverride, responseOverride },
    stageVariables,
  };
  const output = compile(template).render(variables, undefined, true);
  const status = Number(responseOverride.status);
  return {
    output,
    responseOverride: {
      status: responseOverride.status === undefined || !Number.isInteger(status) ? undefined : status,
      header: strings(responseOverride.header),
    },
    requestOverride: {
      header: strings(requestOverride.header),
      querystring: strings(requestOverride.querystring),
      path: strings(requestOverride.path),
    },
  };
};
