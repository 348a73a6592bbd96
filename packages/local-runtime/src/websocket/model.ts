import { HOSTED_SERVICES, type ServiceTarget, serviceTargetOf } from '../gateway/integrations/aws-service.ts';
import { lambdaArnOf } from '../gateway/integrations/lambda-invoke.ts';
import { isObject, type TemplateValue } from '../template/load.ts';
import type { LocalStack } from '../template/stack.ts';

export interface WsAuthorizer {
  name: string;
  functionArn: string;
  /** `route.request.querystring.token`, `route.request.header.Auth`, ... */
  identitySources: string[];
}

/** An `AWS::ApiGatewayV2::IntegrationResponse`: picked by its key, then its template by the selection expression. */
export interface WsIntegrationResponse {
  /** `$default`, or a pattern written `/2\d\d/` (matched against the whole status code or error message). */
  key: string;
  pattern?: RegExp;
  templateSelectionExpression?: string;
  responseTemplates: Record<string, string>;
}

export type WsPassthrough = 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';

/** What a route's integration calls. */
export type WsBackend =
  | { kind: 'lambda_proxy'; functionArn: string }
  /** An `AWS` integration to `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations`. */
  | { kind: 'lambda'; functionArn: string }
  | { kind: 'aws'; target: ServiceTarget }
  | { kind: 'http'; uri: string; method: string }
  | { kind: 'http_proxy'; uri: string; method: string }
  | { kind: 'mock' };

/** An `AWS::ApiGatewayV2::Integration` of a WebSocket API. */
export interface WsIntegration {
  logicalId: string;
  type: string;
  backend: WsBackend;
  requestTemplates: Record<string, string>;
  templateSelectionExpression?: string;
  passthroughBehavior: WsPassthrough;
  /** `integration.request.header.X` → `route.request.header.Y`, `context.connectionId`, `'static'`, ... */
  requestParameters: Record<string, string>;
  timeoutMs: number;
  responses: WsIntegrationResponse[];
}

export interface WsRoute {
  routeKey: string;
  /** The Lambda function behind the route (AWS_PROXY integrations only). */
  functionArn?: string;
  integrationType: string;
  /** The integration the route runs; absent when it has none or the local runtime cannot run it (see `problem`). */
  integration?: WsIntegration;
  /** Why the route's integration is not run locally; a request that meets the route gets API Gateway's 500. */
  problem?: string;
  authorizer?: WsAuthorizer;
  /** `$default` makes the integration's answer go back to the client (two-way route). */
  routeResponseSelectionExpression?: string;
}

export interface WebSocketApi {
  logicalId: string;
  id: string;
  name: string;
  stage: string;
  stageVariables: Record<string, string>;
  routeSelectionExpression: string;
  routes: Map<string, WsRoute>;
  /** Constructs of this API the local runtime does not run, one line each, for the start-up report. */
  problems: string[];
}

export class WsModelError extends Error {
  override readonly name = 'WsModelError';
}

const strings = (value: TemplateValue | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(isObject(value) ? value : {}).map(([key, item]) => [key, String(item)]));

// The default and the quota of WebSocket integrations (developer guide, "Amazon API Gateway quotas for configuring
// and running a WebSocket API": integration timeout 50 milliseconds - 29 seconds).
const DEFAULT_TIMEOUT_MS = 29_000;

/** The response key as API Gateway reads it: `$default`, or `/pattern/` matched against the whole value. */
const responseKeyPattern = (key: string): RegExp | undefined => {
  const pattern = /^\/(.*)\/$/s.exec(key)?.[1];
  return pattern === undefined ? undefined : new RegExp(`^(?:${pattern})$`);
};

const backendOf = (values: Record<string, TemplateValue>): WsBackend | string => {
  const type = String(values.IntegrationType ?? '').toUpperCase();
  const uri = String(values.IntegrationUri ?? '');
  const method = String(values.IntegrationMethod ?? 'POST').toUpperCase();
  if (String(values.ConnectionType ?? '').toUpperCase() === 'VPC_LINK') {
    return 'VPC_LINK integrations (private integrations) are not run locally';
  }
  switch (type) {
    case 'AWS_PROXY': {
      const functionArn = lambdaArnOf(uri);
      return functionArn
        ? { kind: 'lambda_proxy', functionArn }
        : `AWS_PROXY integration URI ${uri} is not a Lambda function`;
    }
    case 'AWS': {
      const functionArn = lambdaArnOf(uri);
      if (functionArn) return { kind: 'lambda', functionArn };
      const target = serviceTargetOf(uri);
      if (!target)
        return `AWS integration URI ${uri || '(none)'} is not an arn:aws:apigateway:{region}:{service}:... URI`;
      if (!HOSTED_SERVICES.includes(target.service)) {
        return `AWS integration to ${target.service} is not run locally (the runtime hosts ${HOSTED_SERVICES.join(', ')})`;
      }
      return { kind: 'aws', target };
    }
    case 'HTTP':
    case 'HTTP_PROXY':
      if (!/^https?:\/\//.test(uri)) return `${type} integration URI ${uri || '(none)'} is not a URL`;
      return { kind: type === 'HTTP' ? 'http' : 'http_proxy', uri, method };
    case 'MOCK':
      return { kind: 'mock' };
    default:
      return `integration type ${type || '(none)'} is not supported by WebSocket APIs`;
  }
};

const passthroughOf = (value: TemplateValue | undefined): WsPassthrough => {
  const behavior = String(value ?? 'WHEN_NO_MATCH').toUpperCase();
  return behavior === 'NEVER' || behavior === 'WHEN_NO_TEMPLATES' ? behavior : 'WHEN_NO_MATCH';
};

/**
 * The template's WebSocket APIs (`AWS::ApiGatewayV2::Api` with ProtocolType WEBSOCKET), assembled from their Route,
 * Integration, IntegrationResponse, RouteResponse, Authorizer and Stage resources. A route whose target or authorizer
 * is not in the template is an error naming it; an integration the local runtime cannot run is named in `problems`.
 */
export const webSocketApisOf = (stack: LocalStack): WebSocketApi[] =>
  stack
    .ofType('AWS::ApiGatewayV2::Api')
    .filter((api) => stack.properties(api.logicalId).ProtocolType === 'WEBSOCKET')
    .map((api) => {
      const id = stack.ref(api.logicalId);
      const properties = stack.properties(api.logicalId);
      const problems: string[] = [];
      const belongs = (logicalId: string) => stack.properties(logicalId).ApiId === id;
      const responsesOf = (integrationId: string): WsIntegrationResponse[] =>
        stack
          .ofType('AWS::ApiGatewayV2::IntegrationResponse')
          .filter((response) => belongs(response.logicalId))
          .map((response) => stack.properties(response.logicalId))
          .filter((values) => String(values.IntegrationId) === integrationId)
          .map((values) => {
            const key = String(values.IntegrationResponseKey ?? '$default');
            const pattern = responseKeyPattern(key);
            return {
              key,
              ...(pattern ? { pattern } : {}),
              ...(typeof values.TemplateSelectionExpression === 'string'
                ? { templateSelectionExpression: values.TemplateSelectionExpression }
                : {}),
              responseTemplates: strings(values.ResponseTemplates),
            };
          });
      const integrations = new Map(
        stack
          .ofType('AWS::ApiGatewayV2::Integration')
          .filter((integration) => belongs(integration.logicalId))
          .map((integration) => {
            const values = stack.properties(integration.logicalId);
            const integrationId = stack.ref(integration.logicalId);
            const backend = backendOf(values);
            const built: WsIntegration | string =
              typeof backend === 'string'
                ? backend
                : {
                    logicalId: integration.logicalId,
                    type: String(values.IntegrationType).toUpperCase(),
                    backend,
                    requestTemplates: strings(values.RequestTemplates),
                    ...(typeof values.TemplateSelectionExpression === 'string'
                      ? { templateSelectionExpression: values.TemplateSelectionExpression }
                      : {}),
                    passthroughBehavior: passthroughOf(values.PassthroughBehavior),
                    requestParameters: strings(values.RequestParameters),
                    timeoutMs: Number(values.TimeoutInMillis ?? DEFAULT_TIMEOUT_MS),
                    responses: responsesOf(integrationId),
                  };
            return [integrationId, { logicalId: integration.logicalId, values, built }] as const;
          }),
      );
      const authorizers = new Map(
        stack
          .ofType('AWS::ApiGatewayV2::Authorizer')
          .filter((authorizer) => belongs(authorizer.logicalId))
          .map((authorizer) => {
            const values = stack.properties(authorizer.logicalId);
            const functionArn = lambdaArnOf(String(values.AuthorizerUri ?? ''));
            if (!functionArn) throw new WsModelError(`${authorizer.logicalId}: AuthorizerUri is not a Lambda function`);
            const sources = Array.isArray(values.IdentitySource) ? values.IdentitySource.map(String) : [];
            return [
              stack.ref(authorizer.logicalId),
              { name: String(values.Name ?? authorizer.logicalId), functionArn, identitySources: sources },
            ] as const;
          }),
      );
      const routeResponses = new Set(
        stack
          .ofType('AWS::ApiGatewayV2::RouteResponse')
          .filter((response) => belongs(response.logicalId))
          .map((response) => String(stack.properties(response.logicalId).RouteId)),
      );
      const routes = new Map<string, WsRoute>();
      for (const route of stack.ofType('AWS::ApiGatewayV2::Route').filter((r) => belongs(r.logicalId))) {
        const values = stack.properties(route.logicalId);
        const routeKey = String(values.RouteKey);
        const target = /^integrations\/(.+)$/.exec(String(values.Target ?? ''))?.[1];
        const found = target ? integrations.get(target) : undefined;
        if (target && !found)
          throw new WsModelError(`${route.logicalId}: Target ${values.Target} is not an integration`);
        const authorizerId = values.AuthorizationType === 'CUSTOM' ? String(values.AuthorizerId ?? '') : undefined;
        const authorizer = authorizerId ? authorizers.get(authorizerId) : undefined;
        if (authorizerId && !authorizer)
          throw new WsModelError(`${route.logicalId}: AuthorizerId ${authorizerId} is unknown`);
        const integration = found && typeof found.built !== 'string' ? found.built : undefined;
        const problem = found && typeof found.built === 'string' ? found.built : undefined;
        if (problem) problems.push(`${route.logicalId} (${routeKey}) → ${found?.logicalId}: ${problem}`);
        if (String(values.AuthorizationType ?? 'NONE').toUpperCase() === 'AWS_IAM') {
          problems.push(`${route.logicalId} (${routeKey}): AWS_IAM authorization is not checked on WebSocket routes`);
        }
        const backend = integration?.backend;
        // A route answers its caller when it has a RouteResponseSelectionExpression (developer guide, "Set up a
        // route response for a WebSocket API"); a RouteResponse alone stands for the same intent.
        const selection =
          typeof values.RouteResponseSelectionExpression === 'string'
            ? values.RouteResponseSelectionExpression
            : routeResponses.has(stack.ref(route.logicalId))
              ? '$default'
              : undefined;
        routes.set(routeKey, {
          routeKey,
          integrationType: String(found?.values.IntegrationType ?? 'NONE').toUpperCase(),
          ...(backend?.kind === 'lambda_proxy' ? { functionArn: backend.functionArn } : {}),
          ...(integration ? { integration } : {}),
          ...(problem ? { problem } : {}),
          ...(authorizer ? { authorizer } : {}),
          ...(selection !== undefined ? { routeResponseSelectionExpression: selection } : {}),
        });
      }
      const stage = stack.ofType('AWS::ApiGatewayV2::Stage').find((candidate) => belongs(candidate.logicalId));
      const stageProperties = stage ? stack.properties(stage.logicalId) : {};
      return {
        logicalId: api.logicalId,
        id,
        name: String(properties.Name ?? api.logicalId),
        stage: stage ? String(stageProperties.StageName) : '$default',
        stageVariables: strings(stageProperties.StageVariables),
        routeSelectionExpression: String(properties.RouteSelectionExpression ?? '$request.body.action'),
        routes,
        problems,
      };
    });

/** The functions the API's routes and authorizers call, for checking them against the template's functions. */
export const webSocketFunctions = (api: WebSocketApi): { routeKey: string; functionArn: string; role: string }[] =>
  [...api.routes.values()].flatMap((route) => {
    const backend = route.integration?.backend;
    const calls: { routeKey: string; functionArn: string; role: string }[] = [];
    if (backend?.kind === 'lambda_proxy' || backend?.kind === 'lambda') {
      calls.push({ routeKey: route.routeKey, functionArn: backend.functionArn, role: 'integration' });
    }
    if (route.authorizer) {
      calls.push({ routeKey: route.routeKey, functionArn: route.authorizer.functionArn, role: 'authorizer' });
    }
    return calls;
  });

/**
 * What the start-up report says of the WebSocket APIs: each integration the runtime does not run, and each route or
 * authorizer whose function is not one of the template's (such a route answers API Gateway's 500, with a log line).
 */
export const webSocketProblems = (apis: WebSocketApi[], functionExists: (functionArn: string) => boolean): string[] =>
  apis.flatMap((api) => [
    ...api.problems.map((problem) => `${api.logicalId}: ${problem}`),
    ...webSocketFunctions(api)
      .filter((call) => !functionExists(call.functionArn))
      .map(
        (call) =>
          `${api.logicalId} ${call.routeKey}: the ${call.role} function ${call.functionArn} is not in the template (the route answers 500)`,
      ),
  ]);
