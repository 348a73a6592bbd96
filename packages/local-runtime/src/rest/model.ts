import type { Authorizer } from '../gateway/auth/authorizer.ts';
import { lambdaArnOf } from '../gateway/integrations/lambda-invoke.ts';
import { isObject, type TemplateObject, type TemplateValue } from '../template/load.ts';
import { binaryMediaTypesOf, type ContentHandling, contentHandlingOf } from './binary-media.ts';
import { ANY_METHOD, HTTP_METHODS } from './sources/openapi-parts.ts';
import { isSwagger2, swagger2ToOpenApi3 } from './sources/swagger2.ts';

/** The REST API as the local gateway serves it, read from the resolved OpenAPI body and the SAM Api's properties. */
export type IntegrationType = 'mock' | 'aws' | 'aws_proxy' | 'http' | 'http_proxy';

export interface IntegrationResponse {
  /** Selection pattern; `undefined` for `default`. */
  pattern?: RegExp;
  statusCode: number;
  responseParameters: Record<string, string>;
  responseTemplates: Record<string, string>;
  /** CONVERT_TO_BINARY / CONVERT_TO_TEXT of the answer's body; passed through when undefined. */
  contentHandling?: ContentHandling;
}

export interface Integration {
  type: IntegrationType;
  httpMethod: string;
  uri: string;
  credentials?: string;
  passthroughBehavior: 'when_no_match' | 'when_no_templates' | 'never';
  requestParameters: Record<string, string>;
  requestTemplates: Record<string, string>;
  responses: IntegrationResponse[];
  timeoutMs: number;
  cacheKeyParameters: string[];
  cacheNamespace?: string;
  /** CONVERT_TO_BINARY / CONVERT_TO_TEXT of the request's body (non-proxy integrations). */
  contentHandling?: ContentHandling;
}

export interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required: boolean;
  schema?: TemplateObject;
}

export interface Operation {
  /** `GET`, `POST`, ... or `ANY`. */
  method: string;
  /** OpenAPI path: `/v1/items/{itemId}`. */
  resourcePath: string;
  operationId?: string;
  apiKeyRequired: boolean;
  authorizer?: Authorizer;
  /** OAuth scopes the method's security requirement names for its authorizer (Cognito: access tokens only then). */
  authorizationScopes: string[];
  /**
   * Set when the method depends on something the runtime does not enforce (a resource policy, an unknown setting):
   * such a method refuses every request rather than fail open, and the reason is logged.
   */
  refusal?: string;
  validateBody: boolean;
  validateParameters: boolean;
  parameters: Parameter[];
  bodyRequired: boolean;
  /** Content type → JSON schema (refs to components.schemas left as `$ref`). */
  bodySchemas: Record<string, TemplateObject>;
  integration: Integration;
}

export interface GatewayResponse {
  statusCode?: number;
  responseParameters: Record<string, string>;
  responseTemplates: Record<string, string>;
}

export interface MethodSetting {
  /** `/*` or a resource path with `~1` for `/`. */
  resourcePath: string;
  httpMethod: string;
  throttlingRateLimit?: number;
  throttlingBurstLimit?: number;
  cachingEnabled?: boolean;
  cacheTtlInSeconds?: number;
  requireAuthorizationForCacheControl?: boolean;
  unauthorizedCacheControlHeaderStrategy?:
    | 'FAIL_WITH_403'
    | 'SUCCEED_WITH_RESPONSE_HEADER'
    | 'SUCCEED_WITHOUT_RESPONSE_HEADER';
}

export interface RestApi {
  logicalId: string;
  id: string;
  stage: string;
  apiKeySource: 'HEADER' | 'AUTHORIZER';
  operations: Operation[];
  schemas: Record<string, TemplateObject>;
  gatewayResponses: Record<string, GatewayResponse>;
  methodSettings: MethodSetting[];
  stageVariables: Record<string, string>;
  cacheClusterEnabled: boolean;
  /** X-Ray tracing of the stage (`TracingEnabled`): its requests get a gateway segment and a sampled trace header. */
  tracingEnabled: boolean;
  /**
   * The stage has a canary (`CanarySetting`, a deployment's `DeploymentCanarySettings`). Locally it takes none of the
   * stage's traffic: every request is served by the stage's own deployment, as a canary at 0% serves them.
   */
  hasCanary: boolean;
  endpointType: 'EDGE' | 'REGIONAL' | 'PRIVATE';
  /** Media types whose payloads are binary (`x-amazon-apigateway-binary-media-types`), lower case. */
  binaryMediaTypes: string[];
}

export class RestModelError extends Error {
  override readonly name = 'RestModelError';
}
const asObject = (value: TemplateValue | undefined): TemplateObject => (isObject(value) ? value : {});
const asStrings = (value: TemplateValue | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(asObject(value)).map(([key, item]) => [key, String(item)]));
const asBoolean = (value: TemplateValue | undefined): boolean | undefined =>
  value === undefined ? undefined : value === true || value === 'true';
const asNumber = (value: TemplateValue | undefined): number | undefined =>
  value === undefined || value === null || value === '' ? undefined : Number(value);

const integrationOf = (where: string, raw: TemplateValue | undefined): Integration => {
  if (!isObject(raw)) throw new RestModelError(`${where}: no x-amazon-apigateway-integration`);
  const type = String(raw.type ?? '').toLowerCase();
  if (!['mock', 'aws', 'aws_proxy', 'http', 'http_proxy'].includes(type)) {
    throw new RestModelError(`${where}: integration type "${raw.type}" is not supported`);
  }
  const responses = Object.entries(asObject(raw.responses)).map(([pattern, response]): IntegrationResponse => {
    const value = asObject(response);
    return {
      // Java's Pattern.matches: the pattern must match the whole string (API Gateway developer guide,
      // "Integration response selection patterns"); a multi-line error message needs [\s\S] to match.
      pattern: pattern === 'default' ? undefined : new RegExp(`^(?:${pattern})$`),
      statusCode: Number(value.statusCode ?? 200),
      responseParameters: asStrings(value.responseParameters),
      responseTemplates: asStrings(value.responseTemplates),
      ...(contentHandlingOf(value.contentHandling)
        ? { contentHandling: contentHandlingOf(value.contentHandling) }
        : {}),
    };
  });
  return {
    type: type as IntegrationType,
    httpMethod: String(raw.httpMethod ?? 'POST').toUpperCase(),
    uri: String(raw.uri ?? ''),
    credentials: raw.credentials === undefined ? undefined : String(raw.credentials),
    passthroughBehavior: String(
      raw.passthroughBehavior ?? 'when_no_match',
    ).toLowerCase() as Integration['passthroughBehavior'],
    requestParameters: asStrings(raw.requestParameters),
    requestTemplates: asStrings(raw.requestTemplates),
    responses,
    // API Gateway's default and maximum integration timeout for REST APIs is 29 s.
    timeoutMs: asNumber(raw.timeoutInMillis) ?? 29_000,
    cacheKeyParameters: Array.isArray(raw.cacheKeyParameters) ? raw.cacheKeyParameters.map(String) : [],
    cacheNamespace: raw.cacheNamespace === undefined ? undefined : String(raw.cacheNamespace),
    ...(contentHandlingOf(raw.contentHandling) ? { contentHandling: contentHandlingOf(raw.contentHandling) } : {}),
  };
};

const authorizersOf = (body: TemplateObject): Record<string, Authorizer | 'api-key'> => {
  const schemes = asObject(asObject(body.components).securitySchemes);
  const byName: Record<string, Authorizer | 'api-key'> = {};
  for (const [name, raw] of Object.entries(schemes)) {
    const scheme = asObject(raw);
    const authType = String(scheme['x-amazon-apigateway-authtype'] ?? '').toLowerCase();
    const authorizer = asObject(scheme['x-amazon-apigateway-authorizer']);
    if (authType === 'awssigv4') {
      byName[name] = { name, type: 'aws_iam', identitySources: [], ttlSeconds: 0, providerArns: [] };
      continue;
    }
    if (!authType && scheme.type === 'apiKey') {
      byName[name] = 'api-key';
      continue;
    }
    const type = String(authorizer.type ?? authType).toLowerCase();
    if (type !== 'token' && type !== 'request' && type !== 'cognito_user_pools') {
      throw new RestModelError(`securitySchemes.${name}: authorizer type "${type}" is not supported`);
    }
    const headerName = typeof scheme.name === 'string' ? scheme.name : 'Authorization';
    const identitySources =
      typeof authorizer.identitySource === 'string'
        ? authorizer.identitySource.split(',').map((source) => source.trim())
        : [`method.request.header.${headerName}`];
    const expression = authorizer.identityValidationExpression;
    byName[name] = {
      name,
      type,
      functionArn: lambdaArnOf(String(authorizer.authorizerUri ?? '')),
      identitySources,
      identityValidationExpression: typeof expression === 'string' ? new RegExp(expression) : undefined,
      // API Gateway's default TTL for Lambda authorizers is 300 s.
      ttlSeconds: asNumber(authorizer.authorizerResultTtlInSeconds) ?? 300,
      providerArns: Array.isArray(authorizer.providerARNs) ? authorizer.providerARNs.map(String) : [],
    };
  }
  return byName;
};

const parametersOf = (raw: TemplateValue | undefined): Parameter[] =>
  (Array.isArray(raw) ? raw : []).filter(isObject).map((parameter) => ({
    in: String(parameter.in) as Parameter['in'],
    name: String(parameter.name),
    required: parameter.required === true,
    schema: isObject(parameter.schema) ? parameter.schema : undefined,
  }));

/** SAM's `EndpointConfiguration: REGIONAL` / `{Type: REGIONAL}`, or a RestApi's `{Types: [REGIONAL]}`; EDGE by default. */
const endpointTypeOf = (value: TemplateValue | undefined): RestApi['endpointType'] => {
  const raw = isObject(value) ? (Array.isArray(value.Types) ? value.Types[0] : value.Type) : value;
  const type = String(raw ?? 'EDGE').toUpperCase();
  return type === 'REGIONAL' || type === 'PRIVATE' ? type : 'EDGE';
};

/** A refusal the template's own tooling put on an operation (see Operation.refusal). */
export const REFUSAL_EXTENSION = 'x-local-runtime-refusal';

/**
 * Reads the resolved OpenAPI 3 (or Swagger 2.0) body of a REST API with the properties of its stage (StageName,
 * MethodSettings, Variables, CacheClusterEnabled — the AWS::Serverless::Api / AWS::ApiGateway::Stage names).
 */
export const restApiOf = (
  logicalId: string,
  id: string,
  properties: TemplateObject,
  definition: TemplateObject,
): RestApi => {
  const body = isSwagger2(definition) ? swagger2ToOpenApi3(definition) : definition;
  const schemes = authorizersOf(body);
  const validators = asObject(body['x-amazon-apigateway-request-validators']);
  const defaultValidator = body['x-amazon-apigateway-request-validator'];
  const rootSecurity = body.security;
  const operations: Operation[] = [];
  for (const [resourcePath, rawPath] of Object.entries(asObject(body.paths))) {
    const pathItem = asObject(rawPath);
    const shared = parametersOf(pathItem.parameters);
    for (const [key, rawOperation] of Object.entries(pathItem)) {
      const method = key === ANY_METHOD ? 'ANY' : HTTP_METHODS.includes(key) ? key.toUpperCase() : undefined;
      if (!method) continue;
      const operation = asObject(rawOperation);
      const where = `paths.${resourcePath}.${key}`;
      const security = (
        Array.isArray(operation.security) ? operation.security : Array.isArray(rootSecurity) ? rootSecurity : []
      )
        .filter(isObject)
        .flatMap((entry) => Object.entries(entry));
      let apiKeyRequired = false;
      let authorizer: Authorizer | undefined;
      let authorizationScopes: string[] = [];
      for (const [name, scopes] of security) {
        const scheme = schemes[name];
        if (!scheme) throw new RestModelError(`${where}: security scheme "${name}" is not declared`);
        if (scheme === 'api-key') apiKeyRequired = true;
        else if (authorizer)
          throw new RestModelError(`${where}: more than one authorizer (${authorizer.name}, ${name})`);
        else {
          authorizer = scheme;
          authorizationScopes = Array.isArray(scopes) ? scopes.map(String) : [];
        }
      }
      const validatorName = operation['x-amazon-apigateway-request-validator'] ?? defaultValidator;
      const validator = typeof validatorName === 'string' ? asObject(validators[validatorName]) : {};
      if (typeof validatorName === 'string' && !isObject(validators[validatorName])) {
        throw new RestModelError(`${where}: request validator "${validatorName}" is not declared`);
      }
      const requestBody = asObject(operation.requestBody);
      const bodySchemas = Object.fromEntries(
        Object.entries(asObject(requestBody.content)).flatMap(([mime, media]) =>
          isObject(asObject(media).schema) ? [[mime, asObject(asObject(media).schema)]] : [],
        ),
      );
      const byKey = new Map<string, Parameter>();
      for (const parameter of [...shared, ...parametersOf(operation.parameters)]) {
        byKey.set(`${parameter.in}:${parameter.name.toLowerCase()}`, parameter);
      }
      operations.push({
        method,
        resourcePath,
        operationId: typeof operation.operationId === 'string' ? operation.operationId : undefined,
        apiKeyRequired,
        authorizer,
        authorizationScopes,
        ...(typeof operation[REFUSAL_EXTENSION] === 'string' ? { refusal: operation[REFUSAL_EXTENSION] } : {}),
        validateBody: asBoolean(validator.validateRequestBody) ?? false,
        validateParameters: asBoolean(validator.validateRequestParameters) ?? false,
        parameters: [...byKey.values()],
        bodyRequired: requestBody.required === true,
        bodySchemas,
        integration: integrationOf(where, operation['x-amazon-apigateway-integration']),
      });
    }
  }
  const gatewayResponses = Object.fromEntries(
    Object.entries(asObject(body['x-amazon-apigateway-gateway-responses'])).map(([type, raw]) => {
      const response = asObject(raw);
      return [
        type,
        {
          statusCode: asNumber(response.statusCode),
          responseParameters: asStrings(response.responseParameters),
          responseTemplates: asStrings(response.responseTemplates),
        },
      ];
    }),
  );
  const methodSettings = (Array.isArray(properties.MethodSettings) ? properties.MethodSettings : [])
    .filter(isObject)
    .map(
      (setting): MethodSetting => ({
        resourcePath: String(setting.ResourcePath ?? '/*'),
        httpMethod: String(setting.HttpMethod ?? '*').toUpperCase(),
        throttlingRateLimit: asNumber(setting.ThrottlingRateLimit),
        throttlingBurstLimit: asNumber(setting.ThrottlingBurstLimit),
        cachingEnabled: asBoolean(setting.CachingEnabled),
        cacheTtlInSeconds: asNumber(setting.CacheTtlInSeconds),
        requireAuthorizationForCacheControl: asBoolean(setting.RequireAuthorizationForCacheControl),
        unauthorizedCacheControlHeaderStrategy:
          setting.UnauthorizedCacheControlHeaderStrategy === undefined
            ? undefined
            : (String(
                setting.UnauthorizedCacheControlHeaderStrategy,
              ) as MethodSetting['unauthorizedCacheControlHeaderStrategy']),
      }),
    );
  return {
    logicalId,
    id,
    stage: String(properties.StageName ?? 'Prod'),
    apiKeySource:
      String(body['x-amazon-apigateway-api-key-source'] ?? 'HEADER').toUpperCase() === 'AUTHORIZER'
        ? 'AUTHORIZER'
        : 'HEADER',
    operations,
    schemas: Object.fromEntries(
      Object.entries(asObject(asObject(body.components).schemas)).map(([name, schema]) => [name, asObject(schema)]),
    ),
    gatewayResponses,
    methodSettings,
    stageVariables: asStrings(properties.Variables),
    cacheClusterEnabled: asBoolean(properties.CacheClusterEnabled) ?? false,
    tracingEnabled: asBoolean(properties.TracingEnabled) ?? false,
    hasCanary: isObject(properties.CanarySetting),
    endpointType: endpointTypeOf(properties.EndpointConfiguration),
    binaryMediaTypes: binaryMediaTypesOf(body),
  };
};
