import { isObject, type TemplateObject, type TemplateValue } from '../../template/load.ts';
import { eventFunctionArn } from '../../template/sam-implicit.ts';
import type { LocalStack } from '../../template/stack.ts';
import { mergeBinaryMediaTypes } from '../binary-media.ts';
import { REFUSAL_EXTENSION } from '../model.ts';
import {
  ANY_METHOD,
  apiKeyScheme,
  iamScheme,
  lambdaInvocationUri,
  OPERATION_KEYS,
  parameterFromKey,
  refuseForPolicy,
} from './openapi-parts.ts';
import { isSwagger2, swagger2ToOpenApi3 } from './swagger2.ts';

/**
 * What the SAM translator makes of an `AWS::Serverless::Api` and the `Api` events of functions (SAM developer guide,
 * "AWS::Serverless::Api", "Api" event source, "ApiAuth", "ApiFunctionAuth", "CorsConfiguration", "ApiUsagePlan"):
 * an OpenAPI definition with one aws_proxy method per event, the authorizers of `Auth`, API keys, models, request
 * validators, CORS preflight methods and gateway responses — read by the REST model exactly as a hand-written
 * definition would be. `Globals.Api` applies under every API's own properties, the implicit one included.
 */
export interface SamApiSource {
  logicalId: string;
  properties: TemplateObject;
  body: TemplateObject;
  /** The usage plan `Auth.UsagePlan` creates (PER_API, or the SHARED one), with its generated API key. */
  usagePlan?: SamUsagePlan;
}

export interface SamUsagePlan {
  logicalId: string;
  keyLogicalId: string;
  name: string;
  throttle?: TemplateObject;
  quota?: TemplateObject;
}

type Methods = Record<string, TemplateObject>;

const asObject = (value: TemplateValue | undefined): TemplateObject => (isObject(value) ? value : {});
const asList = (value: TemplateValue | undefined): TemplateValue[] => (Array.isArray(value) ? value : []);

/** Globals.Api under the API's own properties; maps merged one level deep, as SAM merges Globals. */
const apiProperties = (stack: LocalStack, logicalId: string): TemplateObject => {
  const globals = stack.globals('Api', 'AWS::Serverless::Api');
  const own = stack.properties(logicalId);
  const merged: TemplateObject = { ...globals };
  for (const [key, value] of Object.entries(own)) {
    const base = merged[key];
    merged[key] = isObject(base) && isObject(value) ? { ...base, ...value } : value;
  }
  return merged;
};

/** `Identity` of a Lambda REQUEST authorizer → `identitySource` (SAM: "LambdaRequestAuthorizationIdentity"). */
const requestIdentitySource = (identity: TemplateObject): string =>
  [
    ...asList(identity.Headers).map((name) => `method.request.header.${name}`),
    ...asList(identity.QueryStrings).map((name) => `method.request.querystring.${name}`),
    ...asList(identity.StageVariables).map((name) => `stageVariables.${name}`),
    ...asList(identity.Context).map((name) => `context.${name}`),
  ].join(', ');

const securitySchemesOf = (region: string, auth: TemplateObject, where: string, problems: string[]): TemplateObject => {
  const schemes: TemplateObject = {
    api_key: apiKeyScheme(),
    AWS_IAM: iamScheme(),
  };
  for (const [name, raw] of Object.entries(asObject(auth.Authorizers))) {
    const authorizer = asObject(raw);
    const identity = asObject(authorizer.Identity);
    const ttl: TemplateObject =
      identity.ReauthorizeEvery === undefined ? {} : { authorizerResultTtlInSeconds: identity.ReauthorizeEvery };
    const validation: TemplateObject =
      identity.ValidationExpression === undefined
        ? {}
        : { identityValidationExpression: identity.ValidationExpression };
    if (authorizer.UserPoolArn !== undefined) {
      const header = String(identity.Header ?? 'Authorization');
      const arns = Array.isArray(authorizer.UserPoolArn) ? authorizer.UserPoolArn : [authorizer.UserPoolArn];
      schemes[name] = {
        type: 'apiKey',
        name: header,
        in: 'header',
        'x-amazon-apigateway-authtype': 'cognito_user_pools',
        'x-amazon-apigateway-authorizer': {
          type: 'cognito_user_pools',
          providerARNs: arns,
          identitySource: `method.request.header.${header}`,
          ...ttl,
          ...validation,
        },
      };
    } else if (authorizer.FunctionArn !== undefined) {
      const payload = String(authorizer.FunctionPayloadType ?? 'TOKEN').toUpperCase();
      const header = String(identity.Header ?? 'Authorization');
      schemes[name] = {
        type: 'apiKey',
        name: header,
        in: 'header',
        'x-amazon-apigateway-authtype': 'custom',
        'x-amazon-apigateway-authorizer': {
          type: payload === 'REQUEST' ? 'request' : 'token',
          authorizerUri: lambdaInvocationUri(region, String(authorizer.FunctionArn)),
          identitySource: payload === 'REQUEST' ? requestIdentitySource(identity) : `method.request.header.${header}`,
          ...ttl,
          ...validation,
        },
      };
    } else {
      problems.push(`${where}.Auth.Authorizers.${name}: neither FunctionArn nor UserPoolArn; methods using it refuse`);
    }
  }
  return schemes;
};

const corsOrigin = (value: TemplateValue | undefined) => (typeof value === 'string' ? value : undefined);

/** SAM's preflight method: a MOCK answering 200 with the Access-Control-* headers (SAM: "CorsConfiguration"). */
const corsMethod = (cors: TemplateValue, methods: string[], security: TemplateValue[] | undefined): TemplateObject => {
  const config: TemplateObject = typeof cors === 'string' ? { AllowOrigin: cors } : asObject(cors);
  const allowMethods =
    corsOrigin(config.AllowMethods) ??
    `'${[...new Set([...methods.map((method) => (method === 'any' ? 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT' : method.toUpperCase())), 'OPTIONS'])].sort().join(',')}'`;
  const headers: Record<string, string> = {
    'method.response.header.Access-Control-Allow-Origin': corsOrigin(config.AllowOrigin) ?? "'*'",
    'method.response.header.Access-Control-Allow-Methods': allowMethods,
  };
  if (config.AllowHeaders !== undefined)
    headers['method.response.header.Access-Control-Allow-Headers'] = String(config.AllowHeaders);
  if (config.MaxAge !== undefined) headers['method.response.header.Access-Control-Max-Age'] = String(config.MaxAge);
  if (config.AllowCredentials === true || config.AllowCredentials === 'true')
    headers['method.response.header.Access-Control-Allow-Credentials'] = "'true'";
  return {
    ...(security ? { security } : {}),
    'x-amazon-apigateway-integration': {
      type: 'mock',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      responses: {
        default: { statusCode: '200', responseParameters: headers, responseTemplates: { 'application/json': '{}' } },
      },
      passthroughBehavior: 'when_no_match',
    },
  };
};

/** `GatewayResponses` (SAM: "GatewayResponse") → `x-amazon-apigateway-gateway-responses`. */
const gatewayResponsesOf = (raw: TemplateObject): TemplateObject =>
  Object.fromEntries(
    Object.entries(raw).map(([type, value]) => {
      const response = asObject(value);
      const parameters = asObject(response.ResponseParameters);
      const responseParameters: Record<string, string> = {};
      for (const [kind, prefix] of [
        ['Headers', 'header'],
        ['Paths', 'path'],
        ['QueryStrings', 'querystring'],
      ] as const) {
        for (const [name, item] of Object.entries(asObject(parameters[kind]))) {
          responseParameters[`gatewayresponse.${prefix}.${name}`] = String(item);
        }
      }
      return [
        type,
        {
          ...(response.StatusCode === undefined ? {} : { statusCode: response.StatusCode }),
          responseParameters,
          ...(isObject(response.ResponseTemplates) ? { responseTemplates: response.ResponseTemplates } : {}),
        },
      ];
    }),
  );

interface EventRoute {
  /** The function, or the state machine, whose `Api` event this is. */
  functionId: string;
  stateMachine: boolean;
  eventName: string;
  path: string;
  method: string;
  properties: TemplateObject;
}

const eventRoutesOf = (stack: LocalStack, apiLogicalId: string, implicit: boolean): EventRoute[] =>
  stack.ofType('AWS::Serverless::Function', 'AWS::Serverless::StateMachine').flatMap((fn) => {
    const raw = asObject(asObject(fn.raw.Properties).Events);
    return Object.entries(raw).flatMap(([eventName, event]) => {
      const value = asObject(event);
      if (value.Type !== 'Api') return [];
      const properties = asObject(stack.resolve(asObject(value.Properties)));
      const restApiId = asObject(value.Properties).RestApiId;
      const target = restApiId === undefined ? undefined : refTarget(restApiId);
      if (implicit ? restApiId !== undefined : target !== apiLogicalId) return [];
      return [
        {
          functionId: fn.logicalId,
          stateMachine: fn.type === 'AWS::Serverless::StateMachine',
          eventName,
          path: String(properties.Path ?? '/'),
          method: String(properties.Method ?? 'get').toLowerCase(),
          properties,
        },
      ];
    });
  });

/**
 * A state machine's `Api` event: an AWS integration to Step Functions StartExecution with the event's role, the
 * request body as the execution's input (SAM developer guide, "Api" event source of AWS::Serverless::StateMachine;
 * the template as the translator writes it, `UnescapeMappingTemplate` undoing escapeJavaScript's `\'`).
 */
const startExecution = (stack: LocalStack, route: EventRoute): TemplateObject => {
  const undoEscapes = route.properties.UnescapeMappingTemplate === true ? `.replaceAll("\\'","'")` : '';
  return {
    type: 'aws',
    httpMethod: 'POST',
    uri: `arn:aws:apigateway:${stack.region}:states:action/StartExecution`,
    credentials: stack.getAtt(`${route.functionId}${route.eventName}Role`, 'Arn'),
    requestTemplates: {
      'application/json': `{"input": "$util.escapeJavaScript($input.json('$'))${undoEscapes}", "stateMachineArn": "${stack.ref(route.functionId)}"}`,
    },
    responses: { '200': { statusCode: '200' }, '400': { statusCode: '400' } },
  };
};

/** The logical id a `RestApiId` names: `!Ref MyApi` (or the plain logical id SAM also accepts). */
const refTarget = (value: TemplateValue): string | undefined => {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.Ref === 'string') return value.Ref;
  return undefined;
};

const VALIDATORS: Record<string, { validateRequestBody: boolean; validateRequestParameters: boolean }> = {
  'body-and-params': { validateRequestBody: true, validateRequestParameters: true },
  'body-only': { validateRequestBody: true, validateRequestParameters: false },
  'params-only': { validateRequestBody: false, validateRequestParameters: true },
};

const requestParametersOf = (raw: TemplateValue | undefined, where: string, problems: string[]) => {
  const parameters: TemplateObject[] = [];
  const cacheKeys: string[] = [];
  for (const item of asList(raw)) {
    const entries: [string, TemplateObject][] =
      typeof item === 'string'
        ? [[item, {}]]
        : Object.entries(asObject(item)).map(([key, value]) => [key, asObject(value)]);
    for (const [key, options] of entries) {
      const parameter = parameterFromKey(key, options.Required === true);
      if (!parameter) {
        problems.push(`${where}.RequestParameters: "${key}" is not method.request.(header|querystring|path).<name>`);
        continue;
      }
      parameters.push(parameter);
      if (options.Caching === true) cacheKeys.push(key);
    }
  }
  return { parameters, cacheKeys };
};

/**
 * `Auth.DefaultAuthorizer` and `Auth.ApiKeyRequired` on a template's own definition: SAM puts them on every method of
 * every path (`set_path_default_authorizer`, `set_path_default_apikey_required`) that does not already name one of
 * the API's authorizers, the preflight `options` too unless AddDefaultAuthorizerToCorsPreflight is false.
 */
const applyDefaultAuth = (body: TemplateObject, auth: TemplateObject, schemes: TemplateObject): void => {
  const defaultAuthorizer = typeof auth.DefaultAuthorizer === 'string' ? auth.DefaultAuthorizer : undefined;
  const apiKey = auth.ApiKeyRequired === true || auth.ApiKeyRequired === 'true';
  if ((!defaultAuthorizer || defaultAuthorizer === 'NONE') && !apiKey) return;
  const authorizerNames = new Set([...Object.keys(asObject(auth.Authorizers)), 'AWS_IAM']);
  for (const pathItem of Object.values(asObject(body.paths)).filter(isObject)) {
    for (const [key, value] of Object.entries(pathItem)) {
      if (!OPERATION_KEYS.includes(key) || !isObject(value)) continue;
      const preflight = key === 'options';
      const existing = asList(value.security).filter(isObject);
      const named = existing.some((requirement) => Object.keys(requirement).some((name) => authorizerNames.has(name)));
      const addAuthorizer =
        defaultAuthorizer &&
        defaultAuthorizer !== 'NONE' &&
        schemes[defaultAuthorizer] !== undefined &&
        !named &&
        !(preflight && auth.AddDefaultAuthorizerToCorsPreflight === false);
      const addKey = apiKey && !(preflight && auth.AddApiKeyRequiredToCorsPreflight === false);
      if (!addAuthorizer && !addKey) continue;
      const extra: TemplateObject = {
        ...(addAuthorizer && defaultAuthorizer ? { [defaultAuthorizer]: [] } : {}),
        ...(addKey ? { api_key: [] } : {}),
      };
      value.security = (existing.length > 0 ? existing : [{}]).map((requirement) => ({ ...requirement, ...extra }));
    }
  }
};

/** Resolves which security requirement a method gets from the API's Auth and the event's own Auth. */
const securityOf = (
  apiAuth: TemplateObject,
  eventAuth: TemplateObject,
  schemes: TemplateObject,
  where: string,
): { security: TemplateValue[]; refusal?: string } => {
  const authorizer =
    eventAuth.Authorizer !== undefined
      ? String(eventAuth.Authorizer)
      : (apiAuth.DefaultAuthorizer as string | undefined);
  const requirement: TemplateObject = {};
  let refusal: string | undefined;
  if (authorizer && authorizer !== 'NONE') {
    if (schemes[authorizer]) {
      const scopes = asList(
        eventAuth.AuthorizationScopes ?? asObject(asObject(apiAuth.Authorizers)[authorizer]).AuthorizationScopes,
      );
      requirement[authorizer] = scopes.map(String);
    } else refusal = `${where}: Auth.Authorizer "${authorizer}" is not one of the API's Authorizers`;
  }
  const apiKey = eventAuth.ApiKeyRequired ?? apiAuth.ApiKeyRequired;
  if (apiKey === true || apiKey === 'true') requirement.api_key = [];
  if (eventAuth.ResourcePolicy !== undefined || apiAuth.ResourcePolicy !== undefined) {
    refusal = `${where}: Auth.ResourcePolicy (a resource policy)`;
  }
  // One requirement object holding every scheme: all of them apply to the method (AND), as SAM writes it.
  return { security: Object.keys(requirement).length > 0 ? [requirement] : [], ...(refusal ? { refusal } : {}) };
};

/** Settings read but not applied, and methods that refuse because of them, are named in `problems`. */
export const serverlessApiSources = (stack: LocalStack, problems: string[]): SamApiSource[] =>
  stack.ofType('AWS::Serverless::Api').map((resource) => {
    const { logicalId } = resource;
    const implicit = isObject(resource.raw.Metadata) && resource.raw.Metadata.SamImplicit === true;
    const properties = apiProperties(stack, logicalId);
    const definition = isObject(properties.DefinitionBody) ? properties.DefinitionBody : undefined;
    if (properties.DefinitionUri !== undefined && !definition) {
      problems.push(
        `${logicalId}.DefinitionUri: an OpenAPI file in S3 or on disk is not read (use DefinitionBody with AWS::Include)`,
      );
    }
    const body: TemplateObject = definition
      ? structuredClone(isSwagger2(definition) ? swagger2ToOpenApi3(definition) : definition)
      : { openapi: '3.0.1', info: { title: logicalId, version: '1.0' }, paths: {} };
    const auth = asObject(properties.Auth);
    const components = asObject(body.components);
    const schemes = {
      ...securitySchemesOf(stack.region, auth, logicalId, problems),
      ...asObject(components.securitySchemes),
    };
    const models = Object.fromEntries(
      Object.entries(asObject(properties.Models)).map(([name, schema]) => [name, asObject(schema)]),
    );
    body.components = {
      ...components,
      securitySchemes: schemes,
      schemas: { ...asObject(components.schemas), ...models },
    };
    const paths = asObject(body.paths);
    body.paths = paths;
    const validators = asObject(body['x-amazon-apigateway-request-validators']);
    // SAM adds the `Api` events' methods only to a definition it generates; with the template's own DefinitionBody the
    // events only grant invoke permissions, and the body is served as written (SAM: `__MANAGE_SWAGGER`).
    if (definition) applyDefaultAuth(body, auth, schemes);
    let eventPolicy = false;
    // With DefinitionUri the definition is a file SAM uploads as it is: the events' methods are not added to it either.
    // MergeDefinitions writes the events' methods into the DefinitionBody (SAM developer guide, "AWS::Serverless::Api":
    // MergeDefinitions), over what the body says of the same method — when the body is one SAM can edit (it has
    // `paths`, as samtranslator's SwaggerEditor.is_valid requires).
    const merged =
      isObject(definition?.paths) && (properties.MergeDefinitions === true || properties.MergeDefinitions === 'true');
    const written = (definition !== undefined && !merged) || properties.DefinitionUri !== undefined;
    // On a DefinitionBody SAM leaves alone, an event with Auth.OverrideApiAuth still sets its method's auth (SAM
    // developer guide, "ApiFunctionAuth": OverrideApiAuth).
    if (definition && !merged) {
      for (const route of eventRoutesOf(stack, logicalId, implicit)) {
        const eventAuth = asObject(route.properties.Auth);
        if (eventAuth.OverrideApiAuth !== true && eventAuth.OverrideApiAuth !== 'true') continue;
        const operation = asObject(paths[route.path])[route.method === 'any' ? ANY_METHOD : route.method];
        if (!isObject(operation)) continue;
        const where = `${route.functionId}.Events.${route.eventName}`;
        const { security, refusal } = securityOf(auth, eventAuth, schemes, where);
        operation.security = security;
        if (refusal) {
          operation[REFUSAL_EXTENSION] = refusal;
          problems.push(`${refusal}: not enforced locally, so the method refuses every request`);
        }
      }
    }
    for (const route of written ? [] : eventRoutesOf(stack, logicalId, implicit)) {
      const where = `${route.functionId}.Events.${route.eventName}`;
      const methods: Methods = asObject(paths[route.path]) as Methods;
      paths[route.path] = methods;
      const key = route.method === 'any' ? ANY_METHOD : route.method;
      const existing = asObject(methods[key]);
      const eventAuth = asObject(route.properties.Auth);
      const { security, refusal } = securityOf(auth, eventAuth, schemes, where);
      if (eventAuth.ResourcePolicy !== undefined) eventPolicy = true;
      const operation: TemplateObject = { ...existing };
      if (security.length > 0 || existing.security === undefined) operation.security = security;
      if (refusal) {
        operation[REFUSAL_EXTENSION] = refusal;
        problems.push(`${refusal}: not enforced locally, so the method refuses every request`);
      }
      const { parameters, cacheKeys } = requestParametersOf(route.properties.RequestParameters, where, problems);
      if (parameters.length > 0) operation.parameters = [...asList(existing.parameters), ...parameters];
      const model = asObject(route.properties.RequestModel);
      if (typeof model.Model === 'string') {
        if (!(model.Model in asObject(asObject(body.components).schemas))) {
          problems.push(`${where}.RequestModel: model "${model.Model}" is not in the API's Models`);
        }
        operation.requestBody = {
          required: model.Required === true,
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${model.Model}` } } },
        };
        const body_ = model.ValidateBody === true;
        const params = model.ValidateParameters === true;
        const validator =
          body_ && params ? 'body-and-params' : body_ ? 'body-only' : params ? 'params-only' : undefined;
        if (validator) {
          validators[validator] = VALIDATORS[validator] ?? {};
          operation['x-amazon-apigateway-request-validator'] = validator;
        }
      }
      operation['x-amazon-apigateway-integration'] = {
        ...asObject(existing['x-amazon-apigateway-integration']),
        ...(route.stateMachine
          ? startExecution(stack, route)
          : route.properties.ResponseTransferMode === 'RESPONSE_STREAM'
            ? {
                // As the translator writes a streamed method (the REST model refuses it: not run locally).
                type: 'aws_proxy',
                httpMethod: 'POST',
                responseTransferMode: 'STREAM',
                uri: `arn:aws:apigateway:${stack.region}:lambda:path/2021-11-15/functions/${eventFunctionArn(stack, route.functionId)}/response-streaming-invocations`,
              }
            : {
                type: 'aws_proxy',
                httpMethod: 'POST',
                uri: lambdaInvocationUri(stack.region, eventFunctionArn(stack, route.functionId)),
              }),
        ...(route.properties.TimeoutInMillis === undefined
          ? {}
          : { timeoutInMillis: route.properties.TimeoutInMillis }),
        ...(cacheKeys.length > 0 ? { cacheKeyParameters: cacheKeys } : {}),
      };
      methods[key] = operation;
    }
    if (Object.keys(validators).length > 0) body['x-amazon-apigateway-request-validators'] = validators;
    if (properties.Cors !== undefined) {
      const defaultAuthorizer = typeof auth.DefaultAuthorizer === 'string' ? auth.DefaultAuthorizer : undefined;
      // SAM puts the default authorizer on the preflight too unless AddDefaultAuthorizerToCorsPreflight is false, and
      // the API's ApiKeyRequired unless AddApiKeyRequiredToCorsPreflight is false (SAM developer guide, "ApiAuth").
      const requirement: TemplateObject = {
        ...(defaultAuthorizer && defaultAuthorizer !== 'NONE' && auth.AddDefaultAuthorizerToCorsPreflight !== false
          ? { [defaultAuthorizer]: [] }
          : {}),
        ...((auth.ApiKeyRequired === true || auth.ApiKeyRequired === 'true') &&
        auth.AddApiKeyRequiredToCorsPreflight !== false
          ? { api_key: [] }
          : {}),
      };
      const preflightAuth = Object.keys(requirement).length > 0 ? [requirement] : [];
      for (const methods of Object.values(paths).filter(isObject)) {
        if (methods.options !== undefined) continue;
        methods.options = corsMethod(properties.Cors ?? null, Object.keys(methods), preflightAuth);
      }
    }
    // An event's own Auth.ResourcePolicy joins the API's one policy, which covers every method.
    const policy =
      auth.ResourcePolicy !== undefined || eventPolicy
        ? 'Auth.ResourcePolicy (a resource policy)'
        : body['x-amazon-apigateway-policy'] !== undefined
          ? 'x-amazon-apigateway-policy (a resource policy)'
          : undefined;
    if (policy) {
      refuseForPolicy(body, `${logicalId}: ${policy}`);
      problems.push(`${logicalId}: ${policy}: not enforced locally, so every method refuses every request`);
    }
    if (isObject(properties.GatewayResponses)) {
      body['x-amazon-apigateway-gateway-responses'] = {
        ...asObject(body['x-amazon-apigateway-gateway-responses']),
        ...gatewayResponsesOf(properties.GatewayResponses),
      };
    }
    mergeBinaryMediaTypes(body, properties.BinaryMediaTypes);
    const plan = asObject(auth.UsagePlan);
    const create = String(plan.CreateUsagePlan ?? 'NONE').toUpperCase();
    const usagePlan: SamUsagePlan | undefined =
      create === 'PER_API'
        ? {
            logicalId: `${logicalId}UsagePlan`,
            keyLogicalId: `${logicalId}ApiKey`,
            name: String(plan.UsagePlanName ?? `${logicalId}UsagePlan`),
          }
        : create === 'SHARED'
          ? {
              logicalId: 'ServerlessUsagePlan',
              keyLogicalId: 'ServerlessApiKey',
              name: String(plan.UsagePlanName ?? 'ServerlessUsagePlan'),
            }
          : undefined;
    if (usagePlan) {
      if (isObject(plan.Throttle)) usagePlan.throttle = plan.Throttle;
      if (isObject(plan.Quota)) usagePlan.quota = plan.Quota;
    }
    return {
      logicalId,
      properties: { ...properties, StageName: properties.StageName ?? 'Prod' },
      body,
      ...(usagePlan ? { usagePlan } : {}),
    };
  });
