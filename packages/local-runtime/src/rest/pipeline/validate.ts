import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv04 from 'ajv-draft-04';
import { type Exchange, headerOf } from '../../gateway/exchange.ts';
import { GatewayError } from '../../gateway/gateway-error.ts';
import type { Operation, Parameter, RestApi } from '../model.ts';

// ajv-draft-04 is CommonJS: under native ESM its class is the module's `default`.
type Ajv = InstanceType<typeof Ajv04.default>;

/**
 * Request validation as API Gateway does it (developer guide, "Request validation for REST APIs"): required
 * parameters first (400 "Missing required request parameters: [a, b]"), then the body against the model of its
 * content type with JSON Schema draft 4 (400 "Invalid request body"). The details go to
 * `$context.error.validationErrorString` in the wording of the Java validator API Gateway runs
 * (java-json-tools' json-schema-validator), which the template's BAD_REQUEST_BODY response shows.
 */
const quote = (value: unknown) => JSON.stringify(value);
const typeName = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;

const describe = (error: ErrorObject, data: unknown): string => {
  const at = (error.instancePath || '')
    .split('/')
    .slice(1)
    .reduce<unknown>(
      (value, key) =>
        value && typeof value === 'object'
          ? (value as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')]
          : undefined,
      data,
    );
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `object has missing required properties ([${quote(params.missingProperty)}])`;
    case 'additionalProperties':
      return `object instance has properties which are not allowed by the schema: [${quote(params.additionalProperty)}]`;
    case 'type':
      return `instance type (${typeName(at)}) does not match any allowed primitive type (allowed: [${String(params.type)
        .split(',')
        .map((t) => quote(t))
        .join(',')}])`;
    case 'enum':
      return `instance value (${quote(at)}) not found in enum (possible values: ${quote(params.allowedValues)})`;
    case 'pattern':
      return `ECMA 262 regex ${quote(params.pattern)} does not match input string ${quote(at)}`;
    case 'minLength':
      return `string ${quote(at)} is too short (length: ${String(at).length}, required minimum: ${params.limit})`;
    case 'maxLength':
      return `string ${quote(at)} is too long (length: ${String(at).length}, maximum allowed: ${params.limit})`;
    case 'minimum':
      return `numeric instance is lower than the required minimum (minimum: ${params.limit}, found: ${at})`;
    case 'maximum':
      return `numeric instance is greater than the required maximum (maximum: ${params.limit}, found: ${at})`;
    case 'minItems':
      return `array is too short: must have at least ${params.limit} elements but instance has ${Array.isArray(at) ? at.length : 0} elements`;
    case 'maxItems':
      return `array is too long: must have at most ${params.limit} elements but instance has ${Array.isArray(at) ? at.length : 0} elements`;
    default:
      return error.message ?? error.keyword;
  }
};

const PARAMETER_ORDER: Record<Parameter['in'], number> = { header: 0, path: 1, query: 2 };

/**
 * A model may name another by its URL, `https://apigateway.amazonaws.com/restapis/{api-id}/models/{name}` (developer
 * guide, "Data models for REST APIs": "$ref" to another model of the API); it resolves to that model of this API
 * (recording test_apigateway_common.py::test_api_gateway_request_validator_with_ref_models).
 */
const MODEL_URL = /"https:\/\/apigateway\.amazonaws\.com\/restapis\/[^/"]+\/models\/([^/"#]+)"/g;
const localRefs = <T>(schema: T): T =>
  JSON.parse(
    JSON.stringify(schema)
      .replace(MODEL_URL, '"api#/components/schemas/$1"')
      .replaceAll('"#/components/', '"api#/components/'),
  ) as T;

export class RequestValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<Operation, Map<string, ValidateFunction>>();

  constructor(api: RestApi) {
    this.ajv = new Ajv04.default({ allErrors: true, strict: false, logger: false });
    this.ajv.addSchema({ components: { schemas: localRefs(api.schemas) } }, 'api');
  }

  validate(exchange: Exchange, operation: Operation): void {
    if (operation.validateParameters) {
      // Named headers first, then path, then query string, as AWS lists them (recording test_apigateway_common.py::
      // test_api_gateway_request_validator "missing-all-required-request-params-post": "[x-header-param, issuer,
      // qs1]"); a required path parameter the resource path does not hold ({issuer} on /nested/{test}) is missing.
      const missing = operation.parameters
        .filter((parameter) => parameter.required)
        .filter((parameter) => {
          if (parameter.in === 'query') return !Object.hasOwn(exchange.request.query, parameter.name);
          if (parameter.in === 'header') return headerOf(exchange.request, parameter.name) === undefined;
          return !Object.hasOwn(exchange.match?.pathParameters ?? {}, parameter.name);
        })
        .sort((a, b) => PARAMETER_ORDER[a.in] - PARAMETER_ORDER[b.in])
        .map((parameter) => parameter.name);
      if (missing.length > 0) {
        throw new GatewayError(
          'BAD_REQUEST_PARAMETERS',
          `Missing required request parameters: [${missing.join(', ')}]`,
          {
            validationErrors: `[Missing required request parameters: [${missing.join(', ')}]]`,
          },
        );
      }
    }
    if (!operation.validateBody) return;
    const contentType =
      (headerOf(exchange.request, 'content-type') ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
    const validator = this.validatorFor(operation, contentType);
    if (!validator) return;
    const text = exchange.request.body.toString('utf8');
    let data: unknown;
    try {
      // API Gateway validates an empty body as an empty object against the model.
      data = text.trim() === '' ? {} : JSON.parse(text);
    } catch (error) {
      throw new GatewayError('BAD_REQUEST_BODY', 'Invalid request body', {
        validationErrors: `[Invalid JSON: ${(error as Error).message}]`,
      });
    }
    if (!validator(data)) {
      const details = (validator.errors ?? []).map((error) => describe(error, data));
      throw new GatewayError('BAD_REQUEST_BODY', 'Invalid request body', {
        validationErrors: `[${details.join(', ')}]`,
      });
    }
  }

  private validatorFor(operation: Operation, contentType: string): ValidateFunction | undefined {
    let byType = this.compiled.get(operation);
    if (!byType) {
      byType = new Map();
      for (const [mime, schema] of Object.entries(operation.bodySchemas)) {
        byType.set(mime.toLowerCase(), this.ajv.compile(localRefs(schema)));
      }
      this.compiled.set(operation, byType);
    }
    // Only the model declared for the request's content type applies: a request whose content type has no model is
    // not validated (developer guide, "Request validation for REST APIs": the body is validated against "the model
    // of the content type"); the passthrough behavior then decides what happens to it.
    // A model keyed `$default` applies whatever the content type ("To use the same model regardless of the content
    // type, set the content type for your data model to $default").
    return byType.get(contentType) ?? byType.get('$default');
  }
}
