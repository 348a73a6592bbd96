import { lambdaArnOf } from '../gateway/integrations/lambda-invoke.ts';
import { isObject, type TemplateObject, type TemplateValue } from '../template/load.ts';
import { eventFunctionArn } from '../template/sam-implicit.ts';
import type { LocalStack } from '../template/stack.ts';

/**
 * The template's HTTP APIs as the local gateway serves them: `AWS::Serverless::HttpApi` (with or without
 * DefinitionBody, the implicit `ServerlessHttpApi` included), the `HttpApi` events of functions, and
 * `AWS::ApiGatewayV2::Api` with `ProtocolType: HTTP` with its Route, Integration, Authorizer and Stage resources
 * (or its quick-create `Target`). What the runtime does not run is listed in `problems`; a route that depends on it
 * carries a `refusal` and is answered with an error, never served without it.
 */
export type PayloadFormat = '1.0' | '2.0';

export interface JwtAuthorizer {
  kind: 'jwt';
  name: string;
  /** `$request.header.Authorization`, ... */
  identitySources: string[];
  issuer: string;
  audience: string[];
}

export interface LambdaAuthorizerModel {
  kind: 'lambda';
  name: string;
  identitySources: string[];
  functionArn: string;
  payloadFormat: PayloadFormat;
  simpleResponses: boolean;
  ttlSeconds: number;
}

export interface IamAuthorizerModel {
  kind: 'iam';
  name: 'AWS_IAM';
  identitySources: string[];
}

export type HttpAuthorizer = JwtAuthorizer | LambdaAuthorizerModel | IamAuthorizerModel;

export type AwsSubtype =
  | 'SQS-SendMessage'
  | 'SQS-ReceiveMessage'
  | 'SQS-DeleteMessage'
  | 'SQS-PurgeQueue'
  | 'StepFunctions-StartExecution'
  | 'StepFunctions-StartSyncExecution'
  | 'StepFunctions-StopExecution'
  | 'EventBridge-PutEvents'
  | 'Kinesis-PutRecord';

export const AWS_SUBTYPES: readonly string[] = [
  'SQS-SendMessage',
  'SQS-ReceiveMessage',
  'SQS-DeleteMessage',
  'SQS-PurgeQueue',
  'StepFunctions-StartExecution',
  'StepFunctions-StartSyncExecution',
  'StepFunctions-StopExecution',
  'EventBridge-PutEvents',
  'Kinesis-PutRecord',
];

export type HttpIntegration =
  | { kind: 'lambda'; functionArn: string; payloadFormat: PayloadFormat; timeoutMs: number }
  | { kind: 'http_proxy'; uri: string; method: string; timeoutMs: number; requestParameters: Record<string, string> }
  | { kind: 'aws'; subtype: AwsSubtype; requestParameters: Record<string, string>; timeoutMs: number };

export interface HttpRoute {
  /** `GET /items/{id}`, `ANY /{proxy+}` or `$default`. */
  routeKey: string;
  /** Upper case, `ANY` for any method; undefined for `$default`. */
  method?: string;
  path?: string;
  integration?: HttpIntegration;
  authorizer?: HttpAuthorizer;
  scopes: string[];
  /** Why the route is answered with an error instead of being served (a setting the runtime cannot honour). */
  refusal?: string;
  /** Where the route comes from (`MyFunction.Events.Get`, `paths./items.get`, `MyRoute`), for messages. */
  source: string;
}

export interface HttpCors {
  allowOrigins: string[];
  allowHeaders: string[];
  allowMethods: string[];
  exposeHeaders: string[];
  allowCredentials: boolean;
  maxAge?: number;
}

export interface HttpApi {
  logicalId: string;
  id: string;
  stage: string;
  routes: HttpRoute[];
  cors?: HttpCors;
  stageVariables: Record<string, string>;
  /** Settings and constructs of this API the runtime does not run, one line each. */
  problems: string[];
}

/** HTTP APIs' integration timeout: 30 s by default and at most (developer guide, "Amazon API Gateway quotas"). */
const MAX_TIMEOUT_MS = 30_000;

const asObject = (value: TemplateValue | undefined): TemplateObject => (isObject(value) ? value : {});
const asStrings = (value: TemplateValue | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(asObject(value)).map(([key, item]) => [key, String(item)]));
const list = (value: TemplateValue | undefined): string[] =>
  Array.isArray(value)
    ? value.map(String)
    : typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : [];
const bool = (value: TemplateValue | undefined): boolean => value === true || value === 'true';
const timeoutOf = (value: TemplateValue | undefined): number => {
  const ms = Number(value);
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_TIMEOUT_MS) : MAX_TIMEOUT_MS;
};
// An unquoted `2.0` in YAML (or JSON) is the number 2; SAM passes it on and API Gateway takes it as "2.0" (the
// survey's apigw-sqs-lambda-ddb authorizer, deployed with simple responses, writes it so).
const formatOf = (value: TemplateValue | undefined, fallback: PayloadFormat): PayloadFormat =>
  value === undefined ? fallback : String(value) === '2.0' || value === 2 ? '2.0' : '1.0';

/** A Lambda function ARN (or name) from an integration URI: the apigateway invocations form or the ARN itself. */
export const functionOfUri = (uri: string): string | undefined => {
  const invoked = lambdaArnOf(uri);
  if (invoked) return invoked;
  if (/^arn:[^:]+:lambda:/.test(uri)) return uri;
  return undefined;
};

/** `GET /items/{id}` → method and path; `$default` → neither. */
export const parseRouteKey = (routeKey: string): { method?: string; path?: string } | undefined => {
  if (routeKey === '$default') return {};
  const match = /^([A-Za-z]+)\s+(\/\S*)$/.exec(routeKey.trim());
  if (!match?.[1] || !match[2]) return undefined;
  return { method: match[1].toUpperCase(), path: match[2] };
};

const routeOf = (
  routeKey: string,
  source: string,
  parts: Omit<HttpRoute, 'routeKey' | 'method' | 'path' | 'source'>,
): HttpRoute => {
  const parsed = parseRouteKey(routeKey);
  if (!parsed) return { routeKey, source, ...parts, refusal: `route key "${routeKey}" is not METHOD /path` };
  return { routeKey, ...parsed, source, ...parts };
};

export const corsOf = (raw: TemplateValue | undefined, keys: 'Pascal' | 'camel'): HttpCors | undefined => {
  if (raw === undefined || raw === false || raw === 'false') return undefined;
  // SAM's `CorsConfiguration: true` allows every origin, header and method.
  if (raw === true || raw === 'true') {
    return {
      allowOrigins: ['*'],
      allowHeaders: ['*'],
      allowMethods: ['*'],
      exposeHeaders: [],
      allowCredentials: false,
    };
  }
  const value = asObject(raw);
  const get = (name: string) => value[keys === 'Pascal' ? name : name[0]?.toLowerCase() + name.slice(1)];
  const maxAge = Number(get('MaxAge'));
  return {
    allowOrigins: list(get('AllowOrigins')),
    allowHeaders: list(get('AllowHeaders')).map((header) => header.toLowerCase()),
    allowMethods: list(get('AllowMethods')).map((method) => method.toUpperCase()),
    exposeHeaders: list(get('ExposeHeaders')),
    allowCredentials: bool(get('AllowCredentials')),
    ...(Number.isFinite(maxAge) && get('MaxAge') !== undefined ? { maxAge } : {}),
  };
};

/** SAM's `Globals.HttpApi` under an HttpApi's own properties (maps merged, other values replaced). */
const withGlobals = (stack: LocalStack, properties: TemplateObject): TemplateObject => {
  const resolved = stack.globals('HttpApi', 'AWS::Serverless::HttpApi');
  if (Object.keys(resolved).length === 0) return properties;
  const merged: TemplateObject = { ...resolved };
  for (const [key, value] of Object.entries(properties)) {
    const global = resolved[key];
    merged[key] = isObject(global) && isObject(value) ? { ...global, ...value } : value;
  }
  return merged;
};

// ---------------------------------------------------------------------------------------------------------------
// Authorizers
// ---------------------------------------------------------------------------------------------------------------

interface AuthorizerTable {
  byName: Map<string, HttpAuthorizer>;
  /** Default scopes of SAM's JWT authorizers (`Auth.Authorizers.X.AuthorizationScopes`). */
  defaultScopes: Map<string, string[]>;
}

/** SAM `Auth.Authorizers` of an AWS::Serverless::HttpApi. */
const samAuthorizers = (auth: TemplateObject, problems: string[], where: string): AuthorizerTable => {
  const byName = new Map<string, HttpAuthorizer>();
  const defaultScopes = new Map<string, string[]>();
  for (const [name, raw] of Object.entries(asObject(auth.Authorizers))) {
    const value = asObject(raw);
    if (isObject(value.JwtConfiguration)) {
      const jwt = value.JwtConfiguration;
      byName.set(name, {
        kind: 'jwt',
        name,
        identitySources: list(value.IdentitySource ?? '$request.header.Authorization'),
        issuer: String(jwt.issuer ?? jwt.Issuer ?? ''),
        audience: list(jwt.audience ?? jwt.Audience),
      });
      // The translator writes a method's `AWS_IAM` requirement without scopes, whatever the authorizer of that name
      // declares (its fixture http_api_custom_iam_auth).
      if (name !== 'AWS_IAM') defaultScopes.set(name, list(value.AuthorizationScopes));
    } else if (value.FunctionArn !== undefined) {
      const identity = asObject(value.Identity);
      const sources = [
        ...list(identity.Headers).map((header) => `$request.header.${header}`),
        ...list(identity.QueryStrings).map((query) => `$request.querystring.${query}`),
        ...list(identity.Context).map((context) => `$context.${context}`),
        ...list(identity.StageVariables).map((variable) => `$stageVariables.${variable}`),
      ];
      if (value.AuthorizerPayloadFormatVersion === undefined) {
        problems.push(`${where}.Auth.Authorizers.${name}: AuthorizerPayloadFormatVersion is required; 2.0 is assumed`);
      }
      byName.set(name, {
        kind: 'lambda',
        name,
        identitySources: sources,
        functionArn: String(value.FunctionArn),
        payloadFormat: formatOf(value.AuthorizerPayloadFormatVersion, '2.0'),
        simpleResponses: bool(value.EnableSimpleResponses),
        ttlSeconds: Number(identity.ReauthorizeEvery ?? 0) || 0,
      });
    } else {
      problems.push(`${where}.Auth.Authorizers.${name}: neither JwtConfiguration nor FunctionArn; its routes refuse`);
    }
  }
  if (bool(auth.EnableIamAuthorizer)) byName.set('AWS_IAM', { kind: 'iam', name: 'AWS_IAM', identitySources: [] });
  return { byName, defaultScopes };
};

/** `components.securitySchemes` of an OpenAPI body with `x-amazon-apigateway-authorizer` (or awsSigv4). */
const openApiAuthorizers = (body: TemplateObject, problems: string[], where: string): AuthorizerTable => {
  const byName = new Map<string, HttpAuthorizer>();
  const schemes = asObject(asObject(body.components).securitySchemes);
  for (const [name, raw] of Object.entries(schemes)) {
    const scheme = asObject(raw);
    if (String(scheme['x-amazon-apigateway-authtype'] ?? '').toLowerCase() === 'awssigv4') {
      byName.set(name, { kind: 'iam', name: 'AWS_IAM', identitySources: [] });
      continue;
    }
    const authorizer = asObject(scheme['x-amazon-apigateway-authorizer']);
    const type = String(authorizer.type ?? '').toLowerCase();
    const sources = list(authorizer.identitySource);
    if (type === 'jwt') {
      const jwt = asObject(authorizer.jwtConfiguration);
      byName.set(name, {
        kind: 'jwt',
        name,
        identitySources: sources.length > 0 ? sources : ['$request.header.Authorization'],
        issuer: String(jwt.issuer ?? ''),
        audience: list(jwt.audience),
      });
    } else if (type === 'request') {
      const functionArn = functionOfUri(String(authorizer.authorizerUri ?? ''));
      if (!functionArn) {
        problems.push(`${where}: securitySchemes.${name}: authorizerUri is not a Lambda function; its routes refuse`);
        continue;
      }
      byName.set(name, {
        kind: 'lambda',
        name,
        identitySources: sources,
        functionArn,
        payloadFormat: formatOf(authorizer.authorizerPayloadFormatVersion, '1.0'),
        simpleResponses: bool(authorizer.enableSimpleResponses),
        ttlSeconds: Number(authorizer.authorizerResultTtlInSeconds ?? 0) || 0,
      });
    } else {
      problems.push(
        `${where}: securitySchemes.${name}: authorizer type "${type || '?'}" is not run; its routes refuse`,
      );
    }
  }
  return { byName, defaultScopes: new Map() };
};

// ---------------------------------------------------------------------------------------------------------------
// Integrations
// ---------------------------------------------------------------------------------------------------------------

const integrationFrom = (
  fields: {
    type: string;
    uri: string;
    subtype?: string;
    method?: string;
    payloadFormat?: TemplateValue;
    timeout?: TemplateValue;
    requestParameters?: TemplateValue;
    connectionType?: string;
  },
  fallbackFormat: PayloadFormat,
): HttpIntegration | string => {
  const type = fields.type.toUpperCase();
  if (fields.connectionType && fields.connectionType.toUpperCase() === 'VPC_LINK') {
    return 'VPC_LINK integrations (private integrations) are not run locally';
  }
  const timeoutMs = timeoutOf(fields.timeout);
  if (fields.subtype) {
    if (!AWS_SUBTYPES.includes(fields.subtype)) {
      return `integration subtype ${fields.subtype} is not run locally`;
    }
    return {
      kind: 'aws',
      subtype: fields.subtype as AwsSubtype,
      requestParameters: asStrings(fields.requestParameters),
      timeoutMs,
    };
  }
  if (type === 'AWS_PROXY') {
    const functionArn = functionOfUri(fields.uri);
    if (!functionArn) return `AWS_PROXY integration URI ${fields.uri || '(none)'} is not a Lambda function`;
    return { kind: 'lambda', functionArn, payloadFormat: formatOf(fields.payloadFormat, fallbackFormat), timeoutMs };
  }
  if (type === 'HTTP_PROXY') {
    if (!/^https?:\/\//.test(fields.uri)) return `HTTP_PROXY integration URI ${fields.uri || '(none)'} is not a URL`;
    return {
      kind: 'http_proxy',
      uri: fields.uri,
      method: (fields.method ?? 'ANY').toUpperCase(),
      timeoutMs,
      requestParameters: asStrings(fields.requestParameters),
    };
  }
  return `integration type ${type || '(none)'} is not supported by HTTP APIs`;
};

/** One OpenAPI operation's `x-amazon-apigateway-integration`. */
const openApiIntegration = (raw: TemplateValue | undefined): HttpIntegration | string => {
  if (!isObject(raw)) return 'no x-amazon-apigateway-integration';
  return integrationFrom(
    {
      type: String(raw.type ?? ''),
      uri: String(raw.uri ?? ''),
      ...(raw.integrationSubtype === undefined ? {} : { subtype: String(raw.integrationSubtype) }),
      ...(raw.httpMethod === undefined ? {} : { method: String(raw.httpMethod) }),
      payloadFormat: raw.payloadFormatVersion,
      timeout: raw.timeoutInMillis,
      requestParameters: raw.requestParameters,
      ...(raw.connectionType === undefined ? {} : { connectionType: String(raw.connectionType) }),
    },
    '1.0',
  );
};

// ---------------------------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------------------------

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/**
 * The security of one body operation. With SAM's `Auth.DefaultAuthorizer`, SAM writes the default authorizer into every
 * operation of the body that has an integration, is not OPTIONS and has no `security` of its own (an empty list counts
 * as none) — samtranslator `OpenApiEditor.set_path_default_authorizer`. Reading the body without it would serve those
 * routes unauthenticated: fail open.
 */
const operationSecurity = (
  operation: TemplateObject,
  method: string,
  rootSecurity: TemplateValue | undefined,
  defaultAuthorizer: { name: string; scopes: string[] } | undefined,
): TemplateValue[] => {
  const own = Array.isArray(operation.security) ? operation.security : undefined;
  if (defaultAuthorizer && method !== 'OPTIONS' && isObject(operation['x-amazon-apigateway-integration'])) {
    if (!own || own.length === 0) return [{ [defaultAuthorizer.name]: defaultAuthorizer.scopes }];
  }
  return own ?? (Array.isArray(rootSecurity) ? rootSecurity : []);
};

/**
 * Routes of an OpenAPI body (`/$default` with `x-amazon-apigateway-any-method` is the `$default` route).
 * `defaultAuthorizer`: SAM's `Auth.DefaultAuthorizer` of an `AWS::Serverless::HttpApi` (none for a raw `Body`).
 */
const openApiRoutes = (
  body: TemplateObject,
  authorizers: AuthorizerTable,
  where: string,
  defaultAuthorizer?: string,
): HttpRoute[] => {
  const routes: HttpRoute[] = [];
  const rootSecurity = body.security;
  for (const [path, rawPath] of Object.entries(asObject(body.paths))) {
    for (const [key, rawOperation] of Object.entries(asObject(rawPath))) {
      const method =
        key === 'x-amazon-apigateway-any-method' ? 'ANY' : METHODS.includes(key) ? key.toUpperCase() : undefined;
      if (!method) continue;
      const operation = asObject(rawOperation);
      const source = `${where}: paths.${path}.${key}`;
      const routeKey = path === '/$default' || path === '$default' ? '$default' : `${method} ${path}`;
      const security = operationSecurity(
        operation,
        method,
        rootSecurity,
        defaultAuthorizer && defaultAuthorizer !== 'NONE'
          ? { name: defaultAuthorizer, scopes: authorizers.defaultScopes.get(defaultAuthorizer) ?? [] }
          : undefined,
      ).filter(isObject);
      let authorizer: HttpAuthorizer | undefined;
      let scopes: string[] = [];
      let refusal: string | undefined;
      for (const entry of security) {
        for (const [name, requested] of Object.entries(entry)) {
          // SAM writes `NONE` for a route's `Auth.Authorizer: NONE` (no authorization), as API Gateway reads it.
          if (name === 'NONE' && !authorizers.byName.has(name)) continue;
          const found = authorizers.byName.get(name);
          if (!found) refusal = `security scheme "${name}" is not an authorizer the runtime runs`;
          else if (authorizer) refusal = `more than one authorizer (${authorizer.name}, ${name})`;
          else {
            authorizer = found;
            scopes = list(requested);
          }
        }
      }
      const integration = openApiIntegration(operation['x-amazon-apigateway-integration']);
      routes.push(
        routeOf(routeKey, source, {
          scopes,
          ...(authorizer ? { authorizer } : {}),
          ...(typeof integration === 'string' ? { refusal: refusal ?? integration } : { integration }),
          ...(refusal ? { refusal } : {}),
        }),
      );
    }
  }
  return routes;
};

interface HttpApiEvent {
  functionId: string;
  name: string;
  properties: TemplateObject;
}

/** Every `Type: HttpApi` event of the template's functions, resolved. */
const httpApiEvents = (stack: LocalStack): HttpApiEvent[] =>
  stack.ofType('AWS::Serverless::Function').flatMap((fn) =>
    Object.entries(asObject(stack.properties(fn.logicalId).Events)).flatMap(([name, raw]) => {
      const event = asObject(raw);
      return event.Type === 'HttpApi'
        ? [{ functionId: fn.logicalId, name, properties: asObject(event.Properties) }]
        : [];
    }),
  );

const eventRoute = (
  stack: LocalStack,
  event: HttpApiEvent,
  authorizers: AuthorizerTable,
  defaultAuthorizer: string | undefined,
): HttpRoute => {
  const { properties } = event;
  const source = `${event.functionId}.Events.${event.name}`;
  const path = properties.Path === undefined ? undefined : String(properties.Path);
  const method = String(properties.Method ?? 'ANY').toUpperCase();
  // SAM writes the event under the path `/$default` of the API's definition, which is its `$default` route.
  const routeKey =
    path === undefined || path === '$default' || path === '/$default'
      ? '$default'
      : `${method === 'X-AMAZON-APIGATEWAY-ANY-METHOD' ? 'ANY' : method} ${path}`;
  const auth = asObject(properties.Auth);
  const authorizerName = auth.Authorizer === undefined ? defaultAuthorizer : String(auth.Authorizer);
  let authorizer: HttpAuthorizer | undefined;
  let refusal: string | undefined;
  if (authorizerName && authorizerName !== 'NONE') {
    authorizer = authorizers.byName.get(authorizerName);
    if (!authorizer) refusal = `Auth.Authorizer "${authorizerName}" is not an authorizer of the API the runtime runs`;
  }
  const scopes =
    auth.AuthorizationScopes !== undefined
      ? list(auth.AuthorizationScopes)
      : authorizerName
        ? (authorizers.defaultScopes.get(authorizerName) ?? [])
        : [];
  const integration: HttpIntegration = {
    kind: 'lambda',
    functionArn: eventFunctionArn(stack, event.functionId),
    payloadFormat: formatOf(properties.PayloadFormatVersion, '2.0'),
    timeoutMs: timeoutOf(properties.TimeoutInMillis),
  };
  return routeOf(routeKey, source, {
    integration,
    scopes,
    ...(authorizer ? { authorizer } : {}),
    ...(refusal ? { refusal } : {}),
  });
};

const SAM_IGNORED: Record<string, string> = {
  Domain: 'custom domains are not served',
  AccessLogSettings: 'the runtime prints one log line per request instead',
  DefaultRouteSettings: 'throttling is not applied to HTTP APIs locally',
  RouteSettings: 'throttling is not applied to HTTP APIs locally',
  DefinitionUri: 'an OpenAPI file in S3 is not read (use DefinitionBody, inline or AWS::Include)',
  DisableExecuteApiEndpoint: 'the local endpoint is always served',
};

/** Routes by key: a route declared twice keeps the first, as SAM rejects a template that clashes. */
const uniqueRoutes = (routes: HttpRoute[], problems: string[], where: string): HttpRoute[] => {
  const byKey = new Map<string, HttpRoute>();
  for (const route of routes) {
    if (byKey.has(route.routeKey))
      problems.push(`${where}: route ${route.routeKey} is declared twice (${route.source})`);
    else byKey.set(route.routeKey, route);
  }
  return [...byKey.values()];
};

const serverlessHttpApi = (stack: LocalStack, logicalId: string, events: HttpApiEvent[]): HttpApi => {
  const properties = withGlobals(stack, stack.properties(logicalId));
  const id = stack.ref(logicalId);
  const problems: string[] = [];
  for (const [property, why] of Object.entries(SAM_IGNORED)) {
    if (property in properties) problems.push(`${logicalId}.${property}: ${why}`);
  }
  const body = isObject(properties.DefinitionBody) ? properties.DefinitionBody : undefined;
  const auth = asObject(properties.Auth);
  const sam = samAuthorizers(auth, problems, logicalId);
  const fromBody = body ? openApiAuthorizers(body, problems, logicalId) : undefined;
  const authorizers: AuthorizerTable = {
    byName: new Map([...(fromBody?.byName ?? []), ...sam.byName]),
    defaultScopes: sam.defaultScopes,
  };
  const defaultAuthorizer = auth.DefaultAuthorizer === undefined ? undefined : String(auth.DefaultAuthorizer);
  const mine = events.filter((event) =>
    event.properties.ApiId === undefined
      ? logicalId === 'ServerlessHttpApi'
      : // `ApiId: !Ref MyApi`, or the logical id written plainly, which SAM also takes.
        String(event.properties.ApiId) === id || String(event.properties.ApiId) === logicalId,
  );
  // With DefinitionUri the definition is a file SAM uploads as it is, without the events' routes.
  const eventRoutes =
    properties.DefinitionUri !== undefined && !body
      ? []
      : mine.map((event) => eventRoute(stack, event, authorizers, defaultAuthorizer));
  // An event on a path and method the DefinitionBody declares gives that operation its integration and auth: SAM
  // writes the event into the body's operation rather than beside it.
  const evented = new Set(eventRoutes.map((route) => route.routeKey));
  const routes = [
    ...(body ? openApiRoutes(body, authorizers, logicalId, defaultAuthorizer) : []).filter(
      (route) => !evented.has(route.routeKey),
    ),
    ...eventRoutes,
    ...v2Routes(stack, id, problems),
  ];
  const cors = corsOf(properties.CorsConfiguration, 'Pascal') ?? corsOf(body?.['x-amazon-apigateway-cors'], 'camel');
  return {
    logicalId,
    id,
    stage: String(properties.StageName ?? '$default'),
    routes: uniqueRoutes(routes, problems, logicalId),
    ...(cors ? { cors } : {}),
    stageVariables: asStrings(properties.StageVariables),
    problems,
  };
};

const V2_API_IGNORED: Record<string, string> = {
  BodyS3Location: 'an OpenAPI file in S3 is not read (use Body)',
  DisableExecuteApiEndpoint: 'the local endpoint is always served',
  CredentialsArn: 'the role is not assumed (the local services do not check IAM)',
};

const v2Authorizers = (stack: LocalStack, apiId: string, problems: string[]): Map<string, HttpAuthorizer> => {
  const byRef = new Map<string, HttpAuthorizer>();
  for (const resource of stack.ofType('AWS::ApiGatewayV2::Authorizer')) {
    const values = stack.properties(resource.logicalId);
    if (String(values.ApiId) !== apiId) continue;
    const name = String(values.Name ?? resource.logicalId);
    const type = String(values.AuthorizerType ?? '').toUpperCase();
    const sources = list(values.IdentitySource);
    if (type === 'JWT') {
      const jwt = asObject(values.JwtConfiguration);
      byRef.set(stack.ref(resource.logicalId), {
        kind: 'jwt',
        name,
        identitySources: sources.length > 0 ? sources : ['$request.header.Authorization'],
        issuer: String(jwt.Issuer ?? ''),
        audience: list(jwt.Audience),
      });
    } else if (type === 'REQUEST') {
      const functionArn = functionOfUri(String(values.AuthorizerUri ?? ''));
      if (!functionArn) {
        problems.push(`${resource.logicalId}: AuthorizerUri is not a Lambda function; its routes refuse`);
        continue;
      }
      byRef.set(stack.ref(resource.logicalId), {
        kind: 'lambda',
        name,
        identitySources: sources,
        functionArn,
        payloadFormat: formatOf(values.AuthorizerPayloadFormatVersion, '1.0'),
        simpleResponses: bool(values.EnableSimpleResponses),
        ttlSeconds: Number(values.AuthorizerResultTtlInSeconds ?? 0) || 0,
      });
    } else problems.push(`${resource.logicalId}: authorizer type ${type || '?'} is not run; its routes refuse`);
  }
  return byRef;
};

const v2Integrations = (stack: LocalStack, apiId: string): Map<string, HttpIntegration | string> => {
  const byRef = new Map<string, HttpIntegration | string>();
  for (const resource of stack.ofType('AWS::ApiGatewayV2::Integration')) {
    const values = stack.properties(resource.logicalId);
    if (String(values.ApiId) !== apiId) continue;
    byRef.set(
      stack.ref(resource.logicalId),
      integrationFrom(
        {
          type: String(values.IntegrationType ?? ''),
          uri: String(values.IntegrationUri ?? ''),
          ...(values.IntegrationSubtype === undefined ? {} : { subtype: String(values.IntegrationSubtype) }),
          ...(values.IntegrationMethod === undefined ? {} : { method: String(values.IntegrationMethod) }),
          payloadFormat: values.PayloadFormatVersion,
          timeout: values.TimeoutInMillis,
          requestParameters: values.RequestParameters,
          ...(values.ConnectionType === undefined ? {} : { connectionType: String(values.ConnectionType) }),
        },
        '1.0',
      ),
    );
  }
  return byRef;
};

/**
 * The raw `AWS::ApiGatewayV2::Route` resources of an API (with their Integration and Authorizer resources): on an
 * `AWS::ApiGatewayV2::Api`, and on an `AWS::Serverless::HttpApi` too, which SAM turns into an `AWS::ApiGatewayV2::Api`
 * with the same `Ref`.
 */
const v2Routes = (stack: LocalStack, id: string, problems: string[]): HttpRoute[] => {
  const routes: HttpRoute[] = [];
  const integrations = v2Integrations(stack, id);
  const authorizers = v2Authorizers(stack, id, problems);
  for (const resource of stack.ofType('AWS::ApiGatewayV2::Route')) {
    const values = stack.properties(resource.logicalId);
    if (String(values.ApiId) !== id) continue;
    const target = /^integrations\/(.+)$/.exec(String(values.Target ?? ''))?.[1];
    const integration = target ? integrations.get(target) : undefined;
    const authorizationType = String(values.AuthorizationType ?? 'NONE').toUpperCase();
    let authorizer: HttpAuthorizer | undefined;
    let refusal: string | undefined;
    if (authorizationType === 'AWS_IAM') authorizer = { kind: 'iam', name: 'AWS_IAM', identitySources: [] };
    else if (authorizationType === 'JWT' || authorizationType === 'CUSTOM') {
      authorizer = authorizers.get(String(values.AuthorizerId ?? ''));
      if (!authorizer) refusal = `AuthorizerId ${values.AuthorizerId} is not an authorizer the runtime runs`;
    } else if (authorizationType !== 'NONE') refusal = `AuthorizationType ${authorizationType} is not supported`;
    if (!target) refusal ??= 'the route has no Target integration';
    else if (integration === undefined) refusal ??= `Target ${values.Target} is not an integration of the API`;
    else if (typeof integration === 'string') refusal ??= integration;
    routes.push(
      routeOf(String(values.RouteKey ?? ''), resource.logicalId, {
        scopes: list(values.AuthorizationScopes),
        ...(authorizer ? { authorizer } : {}),
        ...(integration && typeof integration !== 'string' ? { integration } : {}),
        ...(refusal ? { refusal } : {}),
      }),
    );
  }
  return routes;
};

const v2HttpApi = (stack: LocalStack, logicalId: string): HttpApi | undefined => {
  const properties = stack.properties(logicalId);
  const id = stack.ref(logicalId);
  const problems: string[] = [];
  for (const [property, why] of Object.entries(V2_API_IGNORED)) {
    if (property in properties && !(property === 'CredentialsArn' && properties.Target !== undefined)) {
      problems.push(`${logicalId}.${property}: ${why}`);
    }
  }
  const body = isObject(properties.Body) ? properties.Body : undefined;
  const fromBody = body ? openApiAuthorizers(body, problems, logicalId) : undefined;
  const routes: HttpRoute[] = body
    ? openApiRoutes(body, fromBody ?? { byName: new Map(), defaultScopes: new Map() }, logicalId)
    : [];
  const stages = stack
    .ofType('AWS::ApiGatewayV2::Stage')
    .map((stage) => stack.properties(stage.logicalId))
    .filter((stage) => String(stage.ApiId) === id);
  if (properties.Target !== undefined) {
    // Quick create: one route (RouteKey, `$default` unless given) to the target, on an auto-deployed `$default` stage
    // (API reference, "Api": Target). A Lambda target gets a proxy integration with payload format 2.0.
    const target = String(properties.Target);
    const integration = integrationFrom(
      { type: functionOfUri(target) ? 'AWS_PROXY' : 'HTTP_PROXY', uri: target, payloadFormat: '2.0' },
      '2.0',
    );
    routes.push(
      routeOf(String(properties.RouteKey ?? '$default'), `${logicalId}.Target`, {
        scopes: [],
        ...(typeof integration === 'string' ? { refusal: integration } : { integration }),
      }),
    );
    stages.unshift({ StageName: '$default' });
  }
  routes.push(...v2Routes(stack, id, problems));
  const stage = stages.find((candidate) => candidate.StageName === '$default') ?? stages[0];
  if (!stage) {
    problems.push(`${logicalId}: no AWS::ApiGatewayV2::Stage deploys it, so it is not served (as on AWS)`);
    return undefined;
  }
  if (stages.length > 1) {
    problems.push(
      `${logicalId}: only stage ${stage.StageName} is served (of ${stages.map((s) => String(s.StageName)).join(', ')})`,
    );
  }
  const cors = corsOf(properties.CorsConfiguration, 'Pascal') ?? corsOf(body?.['x-amazon-apigateway-cors'], 'camel');
  return {
    logicalId,
    id,
    stage: String(stage.StageName ?? '$default'),
    routes: uniqueRoutes(routes, problems, logicalId),
    ...(cors ? { cors } : {}),
    stageVariables: asStrings(stage.StageVariables),
    problems,
  };
};

/**
 * Every HTTP API of the template. `problems` of each name what is not run; routes whose refusal is set are answered
 * with 500 Internal Server Error and a log line, never served without what they need.
 */
export const httpApisOf = (stack: LocalStack): HttpApi[] => {
  const events = httpApiEvents(stack);
  const apis: HttpApi[] = stack
    .ofType('AWS::Serverless::HttpApi')
    .map((resource) => serverlessHttpApi(stack, resource.logicalId, events));
  for (const resource of stack.ofType('AWS::ApiGatewayV2::Api')) {
    const { ProtocolType: protocol, Body: body } = stack.properties(resource.logicalId);
    // A `Body` without ProtocolType is an import, and API Gateway imports only HTTP APIs (API reference, "Api": Body).
    const http = protocol === undefined ? body !== undefined : String(protocol).toUpperCase() === 'HTTP';
    if (!http) continue;
    const api = v2HttpApi(stack, resource.logicalId);
    if (api) apis.push(api);
  }
  const known = new Set(apis.flatMap((api) => [api.id, api.logicalId]));
  for (const event of events) {
    const apiId = event.properties.ApiId;
    if (apiId !== undefined && !known.has(String(apiId))) {
      const first = apis[0];
      const line = `${event.functionId}.Events.${event.name}: ApiId ${String(apiId)} is not an HTTP API of the template`;
      if (first) first.problems.push(line);
    }
  }
  return apis;
};

/** Every HTTP API's problems and refused routes, for the start-up report. */
export const httpApiReport = (apis: HttpApi[]): string[] =>
  apis.flatMap((api) => [
    ...api.problems,
    ...api.routes.flatMap((route) =>
      route.refusal ? [`${api.logicalId} ${route.routeKey} (${route.source}): ${route.refusal}; answered 500`] : [],
    ),
  ]);
