import { isObject, type TemplateObject, type TemplateValue } from '../../template/load.ts';
import { OPERATION_KEYS } from './openapi-parts.ts';

/**
 * API Gateway imports Swagger 2.0 and OpenAPI 3 alike, and SAM's own generated definitions are Swagger 2.0, so many
 * templates carry a `swagger: "2.0"` body. The REST model reads OpenAPI 3; this rewrites a Swagger 2.0 body into
 * that shape: `securityDefinitions` → `components.securitySchemes`, `definitions` → `components.schemas` (and
 * their `$ref`s), a `body` parameter → `requestBody` for the operation's `consumes` (or the API's, or JSON), and a
 * typed parameter → one with a `schema`. The `x-amazon-apigateway-*` extensions are the same in both.
 */

const rewriteRefs = (value: TemplateValue): TemplateValue => {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      key === '$ref' && typeof item === 'string'
        ? item.replace(/^#\/definitions\//, '#/components/schemas/')
        : rewriteRefs(item),
    ]),
  );
};

const PARAMETER_SCHEMA_KEYS = [
  'type',
  'format',
  'items',
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
];

const operationOf = (raw: TemplateObject, consumes: TemplateValue[]): TemplateObject => {
  const { parameters, consumes: own, ...rest } = raw;
  const out: TemplateObject = { ...rest };
  const kept: TemplateValue[] = [];
  for (const parameter of Array.isArray(parameters) ? parameters : []) {
    if (!isObject(parameter)) continue;
    if (parameter.in === 'body') {
      const types = (Array.isArray(own) && own.length > 0 ? own : consumes).map(String);
      const schema = isObject(parameter.schema) ? parameter.schema : {};
      out.requestBody = {
        required: parameter.required === true,
        content: Object.fromEntries(
          (types.length > 0 ? types : ['application/json']).map((type) => [type, { schema }]),
        ),
      };
      continue;
    }
    if (parameter.in === 'formData') continue;
    const schema = Object.fromEntries(
      PARAMETER_SCHEMA_KEYS.filter((key) => key in parameter).map((key) => [key, parameter[key] ?? null]),
    );
    const { name, in: location, required, description } = parameter;
    kept.push({
      name: name ?? null,
      in: location ?? null,
      ...(required === undefined ? {} : { required }),
      ...(description === undefined ? {} : { description }),
      ...(isObject(parameter.schema) ? { schema: parameter.schema } : Object.keys(schema).length > 0 ? { schema } : {}),
    });
  }
  if (kept.length > 0) out.parameters = kept;
  return out;
};

export const isSwagger2 = (body: TemplateObject): boolean => String(body.swagger ?? '').startsWith('2');

export const swagger2ToOpenApi3 = (body: TemplateObject): TemplateObject => {
  const converted = rewriteRefs(body) as TemplateObject;
  const { swagger: _version, securityDefinitions, definitions, paths, consumes, ...rest } = converted;
  const apiConsumes = Array.isArray(consumes) ? consumes : [];
  const components = isObject(rest.components) ? rest.components : {};
  return {
    ...rest,
    openapi: '3.0.1',
    components: {
      ...components,
      ...(isObject(securityDefinitions) ? { securitySchemes: securityDefinitions } : {}),
      ...(isObject(definitions) ? { schemas: definitions } : {}),
    },
    paths: Object.fromEntries(
      Object.entries(isObject(paths) ? paths : {}).map(([path, item]) => {
        const pathItem = isObject(item) ? item : {};
        return [
          path,
          Object.fromEntries(
            Object.entries(pathItem).map(([key, value]) =>
              OPERATION_KEYS.includes(key) && isObject(value)
                ? [key, operationOf(value, apiConsumes)]
                : key === 'parameters' && Array.isArray(value)
                  ? [key, operationOf({ parameters: value }, apiConsumes).parameters ?? []]
                  : [key, value],
            ),
          ),
        ];
      }),
    ),
  };
};
