import { isObject, type TemplateObject, type TemplateValue } from '../../template/load.ts';
import type { LocalStack } from '../../template/stack.ts';
import { mergeBinaryMediaTypes } from '../binary-media.ts';
import { REFUSAL_EXTENSION } from '../model.ts';
import { ANY_METHOD, apiKeyScheme, iamScheme, parameterFromKey } from './openapi-parts.ts';

/**
 * A REST API written as CloudFormation's own resources (`AWS::ApiGateway::RestApi` with `Resource`, `Method`,
 * `Authorizer`, `Model`, `RequestValidator`, `GatewayResponse`, `Deployment` and `Stage`, CloudFormation User Guide,
 * "Amazon API Gateway resource type reference"), or with an OpenAPI `Body`, turned into the OpenAPI definition the
 * REST model reads — one per stage, since each stage carries its own variables, method settings and cache.
 */
export interface RawApiSource {
  logicalId: string;
  /** Stage properties in the names the model reads (StageName, Variables, MethodSettings, CacheClusterEnabled, TracingEnabled,
   * CanarySetting). */
  properties: TemplateObject;
  body: TemplateObject;
}

const asObject = (value: TemplateValue | undefined): TemplateObject => (isObject(value) ? value : {});
const lower = (value: TemplateValue | undefined, fallback: string) => String(value ?? fallback).toLowerCase();

/** Integration (CloudFormation shape) → x-amazon-apigateway-integration (OpenAPI extension shape). */
const integrationOf = (raw: TemplateObject): TemplateObject => {
  const responses: TemplateObject = {};
  for (const item of Array.isArray(raw.IntegrationResponses) ? raw.IntegrationResponses : []) {
    const response = asObject(item);
    const pattern =
      typeof response.SelectionPattern === 'string' && response.SelectionPattern !== ''
        ? response.SelectionPattern
        : 'default';
    responses[pattern] = {
      statusCode: String(response.StatusCode ?? '200'),
      responseParameters: asObject(response.ResponseParameters),
      responseTemplates: asObject(response.ResponseTemplates),
      ...(response.ContentHandling === undefined ? {} : { contentHandling: response.ContentHandling }),
    };
  }
  return {
    type: lower(raw.Type, 'mock'),
    httpMethod: String(raw.IntegrationHttpMethod ?? 'POST'),
    uri: String(raw.Uri ?? ''),
    ...(raw.Credentials === undefined ? {} : { credentials: raw.Credentials }),
    passthroughBehavior: lower(raw.PassthroughBehavior, 'when_no_match'),
    requestParameters: asObject(raw.RequestParameters),
    requestTemplates: asObject(raw.RequestTemplates),
    responses,
    ...(raw.TimeoutInMillis === undefined ? {} : { timeoutInMillis: raw.TimeoutInMillis }),
    ...(Array.isArray(raw.CacheKeyParameters) ? { cacheKeyParameters: raw.CacheKeyParameters } : {}),
    ...(raw.CacheNamespace === undefined ? {} : { cacheNamespace: raw.CacheNamespace }),
    ...(raw.ContentHandling === undefined ? {} : { contentHandling: raw.ContentHandling }),
  };
};

/** Every problem found (a setting read but not applied, a method that cannot be served) goes to `problems`. */
export const rawRestApiSources = (stack: LocalStack, problems: string[]): RawApiSource[] =>
  stack.ofType('AWS::ApiGateway::RestApi').flatMap((api) => {
    const apiId = stack.ref(api.logicalId);
    const belongs = (properties: TemplateObject) => String(properties.RestApiId ?? '') === apiId;
    const of = (type: string) =>
      stack
        .ofType(type)
        .map((resource) => ({ logicalId: resource.logicalId, properties: stack.properties(resource.logicalId) }))
        .filter((resource) => belongs(resource.properties));
    const apiProperties = stack.properties(api.logicalId);
    if (apiProperties.BodyS3Location !== undefined) {
      problems.push(
        `${api.logicalId}.BodyS3Location: an OpenAPI file in S3 is not read (use Body, inline or AWS::Include)`,
      );
    }
    let body: TemplateObject;
    if (isObject(apiProperties.Body)) body = structuredClone(apiProperties.Body);
    else {
      body = {
        openapi: '3.0.1',
        info: { title: String(apiProperties.Name ?? api.logicalId), version: '1.0' },
        paths: {},
      };
      const rootId = stack.getAtt(api.logicalId, 'RootResourceId');
      const resources = of('AWS::ApiGateway::Resource');
      const pathOf = new Map<string, string>([[rootId, '/']]);
      const resolvePath = (id: string, seen = new Set<string>()): string | undefined => {
        const known = pathOf.get(id);
        if (known) return known;
        const resource = resources.find((candidate) => stack.ref(candidate.logicalId) === id);
        if (!resource || seen.has(id)) return undefined;
        seen.add(id);
        const parent = resolvePath(String(resource.properties.ParentId ?? ''), seen);
        if (!parent) return undefined;
        const path = `${parent === '/' ? '' : parent}/${String(resource.properties.PathPart)}`;
        pathOf.set(id, path);
        return path;
      };
      const authorizers = new Map(
        of('AWS::ApiGateway::Authorizer').map((authorizer) => [stack.ref(authorizer.logicalId), authorizer]),
      );
      const schemes: TemplateObject = { api_key: apiKeyScheme() };
      for (const { logicalId, properties } of authorizers.values()) {
        const type = lower(properties.Type, 'token');
        const source = String(properties.IdentitySource ?? 'method.request.header.Authorization');
        const header =
          /^method\.request\.header\.(.+)$/.exec(source.split(',')[0]?.trim() ?? '')?.[1] ?? 'Authorization';
        schemes[logicalId] = {
          type: 'apiKey',
          name: header,
          in: 'header',
          'x-amazon-apigateway-authtype': type === 'cognito_user_pools' ? 'cognito_user_pools' : 'custom',
          'x-amazon-apigateway-authorizer': {
            type,
            ...(properties.AuthorizerUri === undefined ? {} : { authorizerUri: properties.AuthorizerUri }),
            identitySource: source,
            ...(properties.IdentityValidationExpression === undefined
              ? {}
              : { identityValidationExpression: properties.IdentityValidationExpression }),
            ...(properties.AuthorizerResultTtlInSeconds === undefined
              ? {}
              : { authorizerResultTtlInSeconds: properties.AuthorizerResultTtlInSeconds }),
            ...(Array.isArray(properties.ProviderARNs) ? { providerARNs: properties.ProviderARNs } : {}),
          },
        };
        if (type !== 'token' && type !== 'request' && type !== 'cognito_user_pools')
          problems.push(`${logicalId}: authorizer type ${properties.Type} is not run`);
      }
      schemes.AWS_IAM = iamScheme();
      const models = of('AWS::ApiGateway::Model');
      const schemas = Object.fromEntries(
        models.map((model) => [String(stack.ref(model.logicalId)), asObject(model.properties.Schema)]),
      );
      const validators = Object.fromEntries(
        of('AWS::ApiGateway::RequestValidator').map((validator) => [
          stack.ref(validator.logicalId),
          {
            validateRequestBody:
              validator.properties.ValidateRequestBody === true || validator.properties.ValidateRequestBody === 'true',
            validateRequestParameters:
              validator.properties.ValidateRequestParameters === true ||
              validator.properties.ValidateRequestParameters === 'true',
          },
        ]),
      );
      const paths: Record<string, TemplateObject> = {};
      for (const { logicalId, properties } of of('AWS::ApiGateway::Method')) {
        const path = resolvePath(String(properties.ResourceId ?? ''));
        if (!path) {
          problems.push(`${logicalId}: ResourceId is not a resource of ${api.logicalId}; the method is not served`);
          continue;
        }
        const method = lower(properties.HttpMethod, 'get');
        const key = method === 'any' ? ANY_METHOD : method;
        const authorization = String(properties.AuthorizationType ?? 'NONE').toUpperCase();
        const requirement: TemplateObject = {};
        if (authorization === 'AWS_IAM') requirement.AWS_IAM = [];
        if (authorization === 'CUSTOM' || authorization === 'COGNITO_USER_POOLS') {
          const id = String(properties.AuthorizerId ?? '');
          if (authorizers.has(id)) {
            requirement[authorizers.get(id)?.logicalId ?? id] = Array.isArray(properties.AuthorizationScopes)
              ? properties.AuthorizationScopes
              : [];
          } else problems.push(`${logicalId}: AuthorizerId does not name an authorizer of ${api.logicalId}`);
        }
        if (properties.ApiKeyRequired === true || properties.ApiKeyRequired === 'true') requirement.api_key = [];
        const parameters = Object.entries(asObject(properties.RequestParameters)).flatMap(([name, required]) => {
          const parameter = parameterFromKey(name, required);
          return parameter ? [parameter] : [];
        });
        const requestModels = asObject(properties.RequestModels);
        const validatorId =
          properties.RequestValidatorId === undefined ? undefined : String(properties.RequestValidatorId);
        const operation: TemplateObject = {
          security: Object.keys(requirement).length > 0 ? [requirement] : [],
          ...(properties.OperationName === undefined ? {} : { operationId: properties.OperationName }),
          ...(parameters.length > 0 ? { parameters } : {}),
          ...(Object.keys(requestModels).length > 0
            ? {
                requestBody: {
                  content: Object.fromEntries(
                    Object.entries(requestModels).map(([type, model]) => [
                      type,
                      { schema: { $ref: `#/components/schemas/${String(model)}` } },
                    ]),
                  ),
                },
              }
            : {}),
          ...(validatorId ? { 'x-amazon-apigateway-request-validator': validatorId } : {}),
          'x-amazon-apigateway-integration': integrationOf(asObject(properties.Integration)),
        };
        if (authorization === 'CUSTOM' && !authorizers.has(String(properties.AuthorizerId ?? ''))) {
          operation[REFUSAL_EXTENSION] = `${logicalId}: an AuthorizerId that names no authorizer`;
        }
        paths[path] = { ...asObject(paths[path]), [key]: operation };
      }
      body.paths = paths;
      body.components = { securitySchemes: schemes, schemas };
      if (Object.keys(validators).length > 0) body['x-amazon-apigateway-request-validators'] = validators;
      if (apiProperties.ApiKeySourceType !== undefined)
        body['x-amazon-apigateway-api-key-source'] = apiProperties.ApiKeySourceType;
    }
    const responses = of('AWS::ApiGateway::GatewayResponse');
    if (responses.length > 0) {
      body['x-amazon-apigateway-gateway-responses'] = {
        ...asObject(body['x-amazon-apigateway-gateway-responses']),
        ...Object.fromEntries(
          responses.map(({ properties }) => [
            String(properties.ResponseType),
            {
              ...(properties.StatusCode === undefined ? {} : { statusCode: properties.StatusCode }),
              responseParameters: asObject(properties.ResponseParameters),
              responseTemplates: asObject(properties.ResponseTemplates),
            },
          ]),
        ),
      };
    }
    mergeBinaryMediaTypes(body, apiProperties.BinaryMediaTypes);
    // A stage comes from an AWS::ApiGateway::Stage, or from a Deployment's StageName (with its StageDescription).
    const stages = of('AWS::ApiGateway::Stage').map(({ properties }) => ({
      StageName: properties.StageName,
      Variables: properties.Variables,
      MethodSettings: properties.MethodSettings,
      CacheClusterEnabled: properties.CacheClusterEnabled,
      TracingEnabled: properties.TracingEnabled,
      CanarySetting: properties.CanarySetting,
    }));
    for (const { properties } of of('AWS::ApiGateway::Deployment')) {
      if (properties.StageName === undefined || stages.some((stage) => stage.StageName === properties.StageName))
        continue;
      const description = asObject(properties.StageDescription);
      stages.push({
        StageName: properties.StageName,
        Variables: description.Variables,
        MethodSettings: description.MethodSettings,
        CacheClusterEnabled: description.CacheClusterEnabled,
        TracingEnabled: description.TracingEnabled,
        // The canary a deployment makes on the stage it creates, or the stage's own.
        CanarySetting: properties.DeploymentCanarySettings ?? description.CanarySetting,
      });
    }
    if (stages.length === 0) {
      problems.push(`${api.logicalId}: no AWS::ApiGateway::Stage or Deployment StageName, so no stage serves it`);
    }
    return stages.map((stage) => ({
      logicalId: api.logicalId,
      properties: Object.fromEntries(
        Object.entries({ ...stage, EndpointConfiguration: apiProperties.EndpointConfiguration }).filter(
          ([, value]) => value !== undefined,
        ),
      ) as TemplateObject,
      body,
    }));
  });
