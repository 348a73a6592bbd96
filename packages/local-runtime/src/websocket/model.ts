import { lambdaArnOf } from '../rest/model.ts';
import type { LocalStack } from '../template/stack.ts';

export interface WsAuthorizer {
  name: string;
  functionArn: string;
  /** `route.request.querystring.token`, `route.request.header.Auth`, ... */
  identitySources: string[];
}

export interface WsRoute {
  routeKey: string;
  /** The Lambda function behind the route (AWS_PROXY integrations only). */
  functionArn?: string;
  integrationType: string;
  authorizer?: WsAuthorizer;
  /** `$default` makes the integration's answer go back to the client (two-way route). */
  routeResponseSelectionExpression?: string;
}

export interface WebSocketApi {
  logicalId: string;
  id: string;
  name: string;
  stage: string;
  routeSelectionExpression: string;
  routes: Map<string, WsRoute>;
}

export class WsModelError extends Error {
  override readonly name = 'WsModelError';
}

/**
 * The template's WebSocket APIs (`AWS::ApiGatewayV2::Api` with ProtocolType WEBSOCKET), assembled from their Route,
 * Integration, Authorizer and Stage resources. A route whose target or authorizer is not in the template is an error
 * naming it.
 */
export const webSocketApisOf = (stack: LocalStack): WebSocketApi[] =>
  stack
    .ofType('AWS::ApiGatewayV2::Api')
    .filter((api) => stack.properties(api.logicalId).ProtocolType === 'WEBSOCKET')
    .map((api) => {
      const id = stack.ref(api.logicalId);
      const properties = stack.properties(api.logicalId);
      const belongs = (logicalId: string) => stack.properties(logicalId).ApiId === id;
      const integrations = new Map(
        stack
          .ofType('AWS::ApiGatewayV2::Integration')
          .filter((integration) => belongs(integration.logicalId))
          .map((integration) => {
            const values = stack.properties(integration.logicalId);
            return [stack.ref(integration.logicalId), values] as const;
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
      const routes = new Map<string, WsRoute>();
      for (const route of stack.ofType('AWS::ApiGatewayV2::Route').filter((r) => belongs(r.logicalId))) {
        const values = stack.properties(route.logicalId);
        const routeKey = String(values.RouteKey);
        const target = /^integrations\/(.+)$/.exec(String(values.Target ?? ''))?.[1];
        const integration = target ? integrations.get(target) : undefined;
        if (target && !integration)
          throw new WsModelError(`${route.logicalId}: Target ${values.Target} is not an integration`);
        const authorizerId = values.AuthorizationType === 'CUSTOM' ? String(values.AuthorizerId ?? '') : undefined;
        const authorizer = authorizerId ? authorizers.get(authorizerId) : undefined;
        if (authorizerId && !authorizer)
          throw new WsModelError(`${route.logicalId}: AuthorizerId ${authorizerId} is unknown`);
        const functionArn = integration ? lambdaArnOf(String(integration.IntegrationUri ?? '')) : undefined;
        routes.set(routeKey, {
          routeKey,
          integrationType: String(integration?.IntegrationType ?? 'NONE'),
          ...(functionArn ? { functionArn } : {}),
          ...(authorizer ? { authorizer } : {}),
          ...(typeof values.RouteResponseSelectionExpression === 'string'
            ? { routeResponseSelectionExpression: values.RouteResponseSelectionExpression }
            : {}),
        });
      }
      const stage = stack.ofType('AWS::ApiGatewayV2::Stage').find((candidate) => belongs(candidate.logicalId));
      return {
        logicalId: api.logicalId,
        id,
        name: String(properties.Name ?? api.logicalId),
        stage: stage ? String(stack.properties(stage.logicalId).StageName) : '$default',
        routeSelectionExpression: String(properties.RouteSelectionExpression ?? '$request.body.action'),
        routes,
      };
    });
