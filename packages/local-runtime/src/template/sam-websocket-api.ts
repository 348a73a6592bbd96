import { isObject, type TemplateObject, type TemplateValue } from './load.ts';
import { isIntrinsic, mergeGlobals } from './nested-stacks.ts';

/**
 * `AWS::Serverless::WebSocketApi` (SAM translator v1.109+) expanded into the resources the translator v1.110.0
 * makes of it (samtranslator/model/api/websocket_api_generator.py), with the logical ids it gives them: the
 * `AWS::ApiGatewayV2::Api` keeps the SAM resource's id; per route `<Api><Key>Route`, `<Api><Key>Integration`
 * (AWS_PROXY) and `<Api><Key>Permission` (`$connect` → `Connect`, `subscribe` → `Subscribe`); the stage
 * `<Api><StageName>Stage` (`<Api>Stage` for an intrinsic name, `<Api>DefaultStage` for the default `default`), with
 * AutoDeploy and no Deployment; the `$connect` REQUEST authorizer `<Api>ConnectAuthorizer` and its
 * `<Api>AuthorizerPermission`. The WebSocket model then serves them as it serves a template that declares them.
 */
export interface WebSocketApiExpansion {
  /** The template's resources with each SAM WebSocket API replaced, in place, by what the translator makes of it. */
  resources: TemplateObject;
  /** SAM's referable properties: `Api.Stage` → the generated stage's logical id. */
  referable: Map<string, string>;
  /** What the runtime does not run of the SAM resources (a custom domain, a dropped Condition), for start-up. */
  notes: string[];
}

export class SamWebSocketApiError extends Error {
  override readonly name = 'SamWebSocketApiError';
}

const TYPE = 'AWS::Serverless::WebSocketApi';
const DEFAULT_STAGE = 'default';
const SPECIAL_ROUTES = ['$connect', '$disconnect', '$default'];
const AUTH_TYPES = ['NONE', 'AWS_IAM', 'CUSTOM'];
const INVOCATIONS = 'arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/';
const EXECUTE_API = 'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:';

const objectOf = (value: TemplateValue | undefined): TemplateObject => (isObject(value) ? value : {});
const defined = (entries: Record<string, TemplateValue | undefined>): TemplateObject =>
  Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined)) as TemplateObject;

/** The translator's `_sanitize_route_key`: special keys lose their `$`; others must be alphanumeric. */
type Kind = 'map' | 'string' | 'boolean' | 'string or map';
/** SamWebSocketApi.property_types, in the translator's order (it reports the first property that fails). */
const PROPERTY_TYPES: [string, Kind, boolean][] = [
  ['ApiKeySelectionExpression', 'string', false],
  ['AccessLogSettings', 'map', false],
  ['Auth', 'map', false],
  ['DefaultRouteSettings', 'map', false],
  ['Description', 'string', false],
  ['DisableExecuteApiEndpoint', 'boolean', false],
  ['Domain', 'map', false],
  ['DisableSchemaValidation', 'boolean', false],
  ['FailOnWarnings', 'boolean', false],
  ['IpAddressType', 'string', false],
  ['Name', 'string', false],
  ['PropagateTags', 'boolean', false],
  ['Routes', 'map', true],
  ['RouteSettings', 'map', false],
  ['RouteSelectionExpression', 'string', true],
  ['StageName', 'string or map', false],
  ['StageVariables', 'map', false],
  ['Tags', 'map', false],
];

/** The translator's validate_properties: a missing required property or a value of the wrong type. */
const checkProperties = (apiId: string, properties: TemplateObject): void => {
  for (const [name, kind, required] of PROPERTY_TYPES) {
    const value = properties[name];
    if (isIntrinsic(value)) continue;
    if (value === undefined || value === null) {
      if (required) throw new SamWebSocketApiError(`${apiId}: Missing required property '${name}'.`);
      continue;
    }
    const ok =
      kind === 'map'
        ? isObject(value)
        : kind === 'string'
          ? typeof value === 'string'
          : kind === 'boolean'
            ? typeof value === 'boolean'
            : typeof value === 'string' || isObject(value);
    if (ok) continue;
    throw new SamWebSocketApiError(
      kind === 'string or map'
        ? `${apiId}: Type of property '${name}' is invalid.`
        : `${apiId}: Property '${name}' should be a ${kind}.`,
    );
  }
};

const routeIdPart = (apiId: string, routeKey: string): string => {
  const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
  if (SPECIAL_ROUTES.includes(routeKey)) return capitalized(routeKey.slice(1));
  if (/^[A-Za-z0-9]+$/.test(routeKey)) return capitalized(routeKey);
  throw new SamWebSocketApiError(
    `${apiId}: Route key '${routeKey}' must be alphanumeric. Only $connect, $disconnect, and $default special routes are supported.`,
  );
};

/**
 * The translator's auth validation, word for word where it refuses. One construct it accepts is refused here:
 * an AuthType it only matches case-insensitively (`custom`) validates, then translates to an open `$connect`
 * (AuthorizationType NONE, no authorizer); the runtime does not serve an API whose author asked for auth it drops.
 */
const checkAuth = (apiId: string, auth: TemplateObject, routes: TemplateObject): void => {
  if (!('$connect' in routes)) {
    throw new SamWebSocketApiError(`${apiId}: Authorization is only available if there is a $connect route.`);
  }
  const authType = auth.AuthType;
  if (authType === undefined) {
    throw new SamWebSocketApiError(`${apiId}: AuthType must be specified for additional auth configurations.`);
  }
  const upper = String(authType).toUpperCase();
  if (!AUTH_TYPES.includes(upper)) {
    throw new SamWebSocketApiError(`${apiId}: AuthType is not one of AWS_IAM, CUSTOM or NONE.`);
  }
  if (upper === 'CUSTOM' && !auth.AuthArn) {
    throw new SamWebSocketApiError(`${apiId}: AuthArn must be specified if AuthType is CUSTOM.`);
  }
  if ((upper === 'AWS_IAM' || upper === 'NONE') && Object.keys(auth).length > 1) {
    throw new SamWebSocketApiError(`${apiId}: No additional configurations supported for AuthType ${upper}.`);
  }
  if (authType !== upper) {
    throw new SamWebSocketApiError(
      `${apiId}: Auth.AuthType "${String(authType)}": the SAM translator v1.110.0 accepts it but gives $connect no authorization (it matches ${upper} case-sensitively); the local runtime refuses it: write ${upper}`,
    );
  }
};

const expandOne = (
  apiId: string,
  resource: TemplateObject,
  globals: TemplateObject,
  referable: Map<string, string>,
  notes: string[],
): TemplateObject => {
  const properties = objectOf(
    isObject(globals.WebSocketApi)
      ? mergeGlobals(globals.WebSocketApi, objectOf(resource.Properties))
      : resource.Properties,
  );
  checkProperties(apiId, properties);
  const routes = objectOf(properties.Routes);
  if (Object.keys(routes).length === 0) {
    throw new SamWebSocketApiError(`${apiId}: WebSocket API must have at least one route.`);
  }
  const stageName = properties.StageName ?? DEFAULT_STAGE;
  if (stageName === '$default') {
    throw new SamWebSocketApiError(`${apiId}: Stages cannot be named $default for WebSocket APIs.`);
  }
  // An empty Auth is no Auth to the translator (`if self.auth_config`).
  const auth = isObject(properties.Auth) && Object.keys(properties.Auth).length > 0 ? properties.Auth : undefined;
  if (auth) checkAuth(apiId, auth, routes);
  const ipAddressType = properties.IpAddressType;
  if (typeof ipAddressType === 'string' && ipAddressType !== 'ipv4' && ipAddressType !== 'dualstack') {
    throw new SamWebSocketApiError(`${apiId}: IpAddressType must be 'ipv4' or 'dualstack'.`);
  }
  const domain = objectOf(properties.Domain);
  if (Array.isArray(domain.BasePath) && domain.BasePath.some((path) => typeof path !== 'string')) {
    throw new SamWebSocketApiError(`${apiId}: Basepath must be a string.`);
  }
  if (domain.MutualTlsAuthentication) {
    throw new SamWebSocketApiError(`${apiId}: Mutual TLS domain name association is not supported for Websocket APIs.`);
  }
  if (typeof resource.Condition === 'string') {
    // The translator v1.110.0 passes no resource attribute but DependsOn to what it generates.
    notes.push(
      `${apiId}: Condition ${resource.Condition} is not carried by the SAM translator v1.110.0 to the resources it generates: they exist whatever its value`,
    );
  }
  if (isObject(properties.Domain)) {
    notes.push(
      `${apiId}.Domain (${JSON.stringify(domain.DomainName ?? '?')}): the custom domain, its API mappings and Route53 records are not served locally; the API is served on the runtime's WebSocket port`,
    );
  }
  const tag = { 'websocketapi:createdBy': 'SAM' };
  const out: TemplateObject = {};
  out[apiId] = {
    Type: 'AWS::ApiGatewayV2::Api',
    ...(resource.DependsOn !== undefined ? { DependsOn: resource.DependsOn } : {}),
    Properties: defined({
      ApiKeySelectionExpression: properties.ApiKeySelectionExpression,
      Description: properties.Description,
      DisableExecuteApiEndpoint: properties.DisableExecuteApiEndpoint,
      DisableSchemaValidation: properties.DisableSchemaValidation,
      IpAddressType: properties.IpAddressType,
      Name: properties.Name ?? apiId,
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: properties.RouteSelectionExpression,
      Tags: { ...objectOf(properties.Tags), ...tag },
    }),
  };
  const authorizerId = `${apiId}ConnectAuthorizer`;
  let authorized = false;
  for (const [routeKey, rawSpec] of Object.entries(routes)) {
    const spec = objectOf(rawSpec);
    const part = routeIdPart(apiId, routeKey);
    if (spec.FunctionArn === undefined)
      throw new SamWebSocketApiError(`${apiId}: Route must have associated function.`);
    if (spec.RequestParameters && routeKey !== '$connect') {
      throw new SamWebSocketApiError(
        `${apiId}: Request parameters are only supported for the $connect route in WebSocket APIs.`,
      );
    }
    const routeAuth: TemplateObject =
      auth && routeKey === '$connect'
        ? auth.AuthType === 'CUSTOM'
          ? { AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } }
          : { AuthorizationType: auth.AuthType === 'AWS_IAM' ? 'AWS_IAM' : 'NONE' }
        : {};
    if (routeAuth.AuthorizationType === 'CUSTOM') authorized = true;
    out[`${apiId}${part}Route`] = {
      Type: 'AWS::ApiGatewayV2::Route',
      Properties: defined({
        ApiId: { Ref: apiId },
        ApiKeyRequired: spec.ApiKeyRequired,
        ModelSelectionExpression: spec.ModelSelectionExpression,
        OperationName: spec.OperationName,
        RequestModels: spec.RequestModels,
        RequestParameters: spec.RequestParameters || undefined,
        RouteResponseSelectionExpression: spec.RouteResponseSelectionExpression,
        RouteKey: routeKey,
        Target: { 'Fn::Join': ['/', ['integrations', { Ref: `${apiId}${part}Integration` }]] },
        ...routeAuth,
      }),
    };
    out[`${apiId}${part}Integration`] = {
      Type: 'AWS::ApiGatewayV2::Integration',
      Properties: defined({
        ApiId: { Ref: apiId },
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: { 'Fn::Sub': [`${INVOCATIONS}\${FunctionArn}/invocations`, { FunctionArn: spec.FunctionArn }] },
        TimeoutInMillis: spec.IntegrationTimeout,
      }),
    };
    const sourceArn =
      typeof stageName === 'string'
        ? { 'Fn::Sub': `${EXECUTE_API}\${${apiId}.ApiId}/${stageName}/${routeKey}` }
        : {
            'Fn::Sub': [`${EXECUTE_API}\${${apiId}.ApiId}/\${__StageName__}/${routeKey}`, { __StageName__: stageName }],
          };
    out[`${apiId}${part}Permission`] = {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: spec.FunctionArn,
        Principal: 'apigateway.amazonaws.com',
        SourceArn: sourceArn,
      },
    };
  }
  const stageId =
    typeof stageName !== 'string'
      ? `${apiId}Stage`
      : stageName === DEFAULT_STAGE
        ? `${apiId}DefaultStage`
        : `${apiId}${stageName}Stage`;
  referable.set(`${apiId}.Stage`, stageId);
  const routeIds = Object.keys(out).filter((id) => (out[id] as TemplateObject).Type === 'AWS::ApiGatewayV2::Route');
  out[stageId] = {
    Type: 'AWS::ApiGatewayV2::Stage',
    // Route settings name route keys: the stage waits for its routes.
    ...(properties.RouteSettings ? { DependsOn: routeIds } : {}),
    Properties: defined({
      ApiId: { Ref: apiId },
      StageName: stageName,
      StageVariables: properties.StageVariables,
      AccessLogSettings: properties.AccessLogSettings,
      DefaultRouteSettings: properties.DefaultRouteSettings,
      // PropagateTags gives the stage the API's Tags (the translator's propagate_tags replaces the stage's own).
      Tags:
        properties.PropagateTags === true && Object.keys(objectOf(properties.Tags)).length > 0
          ? { ...objectOf(properties.Tags), ...tag }
          : tag,
      AutoDeploy: true,
      RouteSettings: properties.RouteSettings,
    }),
  };
  if (auth && authorized) {
    out[authorizerId] = {
      Type: 'AWS::ApiGatewayV2::Authorizer',
      Properties: defined({
        ApiId: { Ref: apiId },
        AuthorizerCredentialsArn: auth.InvokeRole,
        AuthorizerType: 'REQUEST',
        AuthorizerUri: { 'Fn::Sub': [`${INVOCATIONS}\${AuthArn}/invocations`, { AuthArn: auth.AuthArn ?? '' }] },
        IdentitySource: auth.IdentitySource,
        Name: auth.Name || authorizerId,
      }),
    };
    if (!auth.InvokeRole) {
      out[`${apiId}AuthorizerPermission`] = {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: auth.AuthArn ?? '',
          Principal: 'apigateway.amazonaws.com',
          SourceArn: { 'Fn::Sub': [`${EXECUTE_API}\${__ApiId__}/authorizers/*`, { __ApiId__: { Ref: apiId } }] },
        },
      };
    }
  }
  return out;
};

export const expandWebSocketApis = (resources: TemplateObject, globals: TemplateObject): WebSocketApiExpansion => {
  const referable = new Map<string, string>();
  const notes: string[] = [];
  const expanded: TemplateObject = {};
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (isObject(resource) && resource.Type === TYPE) {
      for (const [id, generated] of Object.entries(expandOne(logicalId, resource, globals, referable, notes))) {
        if (id !== logicalId && id in resources) {
          throw new SamWebSocketApiError(`${logicalId}: the generated ${id} is a logical id the template declares`);
        }
        expanded[id] = generated;
      }
    } else {
      expanded[logicalId] = resource as TemplateValue;
    }
  }
  return { resources: expanded, referable, notes };
};
