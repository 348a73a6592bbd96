import { functionOfUri, type HttpApi, type HttpIntegration, httpApisOf } from '../http-api/model.ts';
import { type Integration, type RestApi, streamingLambdaArnOf } from '../rest/model.ts';
import type { LocalStack } from '../template/stack.ts';
import { type WebSocketApi, webSocketApisOf } from '../websocket/model.ts';
import { restApisOf } from './rest-apis.ts';

/**
 * Every route the runtime serves, one line each, in values that do not depend on how the template was written: a
 * function is named by its logical id (`lambda:MyFunction`, `lambda:MyFunction:live` for an alias), not by the ARN
 * its `Fn::GetAtt` or `!Sub` resolves to. A SAM template and the CloudFormation the SAM translator makes of it give
 * the same table (tests/template/sam-translator-oracle.test.ts checks it on the translator's own fixtures).
 */
export interface RouteEntry {
  /** The API's logical id. */
  api: string;
  kind: 'REST' | 'HTTP' | 'WEBSOCKET';
  stage: string;
  /** `GET /items/{id}` (`ANY` for any method), a route key such as `$default` or `$connect`. */
  route: string;
  /** `aws_proxy lambda:MyFunction`, `mock`, `http_proxy GET https://...`, `aws sqs`... */
  integration: string;
  /** `<name> (<type>)`: `MyCognitoAuth (cognito_user_pools)`, `AWS_IAM (aws_iam)`, `MyJwt (jwt)`. */
  authorizer?: string;
  scopes: string[];
  apiKeyRequired: boolean;
  /** REST request validation: `body`, `parameters`, `body+parameters`. */
  validator?: string;
  /** An OPTIONS preflight answers for this path (REST: an OPTIONS method; HTTP: the API's CORS configuration). */
  corsPreflight: boolean;
  /** The route answers an error instead of being served (see the start-up report for why). */
  refused: boolean;
}

/** `arn:...:function:<name>[:qualifier]` → `lambda:<LogicalId>[:qualifier]` when it is one of the stack's functions. */
const functionNamer = (stack: LocalStack): ((arn: string) => string) => {
  const byArn = new Map<string, string>();
  for (const resource of stack.ofType('AWS::Serverless::Function', 'AWS::Lambda::Function')) {
    try {
      byArn.set(stack.getAtt(resource.logicalId, 'Arn'), resource.logicalId);
    } catch {
      // A function whose name cannot be resolved is named by its ARN.
    }
  }
  return (arn) => {
    const known = byArn.get(arn);
    if (known) return `lambda:${known}`;
    for (const [functionArn, logicalId] of byArn) {
      if (arn.startsWith(`${functionArn}:`)) return `lambda:${logicalId}:${arn.slice(functionArn.length + 1)}`;
    }
    return `lambda:${arn}`;
  };
};

const validatorOf = (body: boolean, parameters: boolean): string | undefined =>
  body && parameters ? 'body+parameters' : body ? 'body' : parameters ? 'parameters' : undefined;

const restIntegration = (integration: Integration, lambda: (arn: string) => string): string => {
  const functionArn = functionOfUri(integration.uri) ?? streamingLambdaArnOf(integration.uri);
  if (functionArn) return `${integration.type} ${lambda(functionArn)}`;
  if (integration.type === 'mock') return 'mock';
  if (integration.type === 'aws') return `aws ${integration.httpMethod} ${integration.uri}`;
  return `${integration.type} ${integration.httpMethod} ${integration.uri}`;
};

const httpIntegration = (integration: HttpIntegration | undefined, lambda: (arn: string) => string): string => {
  if (!integration) return 'none';
  if (integration.kind === 'lambda') return `aws_proxy ${lambda(integration.functionArn)} ${integration.payloadFormat}`;
  if (integration.kind === 'aws') return `aws ${integration.subtype}`;
  return `http_proxy ${integration.method} ${integration.uri}`;
};

const byRoute = (a: RouteEntry, b: RouteEntry) =>
  `${a.api} ${a.stage} ${a.route}`.localeCompare(`${b.api} ${b.stage} ${b.route}`);

/** The route table of the APIs the runtime serves (as given: after `--disable-authorizer`, say). */
export const routeTableOf = (
  stack: LocalStack,
  apis: { rest: RestApi[]; http: HttpApi[]; webSocket: WebSocketApi[] },
): RouteEntry[] => {
  const lambda = functionNamer(stack);
  const rest = apis.rest.flatMap((api) => {
    const preflight = new Set(
      api.operations.filter((operation) => operation.method === 'OPTIONS').map((operation) => operation.resourcePath),
    );
    return api.operations.map((operation): RouteEntry => {
      const validator = validatorOf(operation.validateBody, operation.validateParameters);
      return {
        api: api.logicalId,
        kind: 'REST',
        stage: api.stage,
        route: `${operation.method} ${operation.resourcePath}`,
        integration: restIntegration(operation.integration, lambda),
        ...(operation.authorizer ? { authorizer: `${operation.authorizer.name} (${operation.authorizer.type})` } : {}),
        scopes: [...operation.authorizationScopes].sort(),
        apiKeyRequired: operation.apiKeyRequired,
        ...(validator ? { validator } : {}),
        corsPreflight: preflight.has(operation.resourcePath),
        refused: operation.refusal !== undefined,
      };
    });
  });
  const http = apis.http.flatMap((api) =>
    api.routes.map(
      (route): RouteEntry => ({
        api: api.logicalId,
        kind: 'HTTP',
        stage: api.stage,
        route: route.routeKey,
        integration: httpIntegration(route.integration, lambda),
        ...(route.authorizer ? { authorizer: `${route.authorizer.name} (${route.authorizer.kind})` } : {}),
        scopes: [...route.scopes].sort(),
        apiKeyRequired: false,
        corsPreflight: api.cors !== undefined,
        refused: route.refusal !== undefined,
      }),
    ),
  );
  const webSocket = apis.webSocket.flatMap((api) =>
    [...api.routes.values()].map((route): RouteEntry => {
      const backend = route.integration?.backend;
      const integration =
        backend === undefined
          ? route.integrationType.toLowerCase()
          : backend.kind === 'lambda_proxy' || backend.kind === 'lambda'
            ? `${route.integrationType.toLowerCase()} ${lambda(backend.functionArn)}`
            : backend.kind === 'aws'
              ? `aws ${backend.target.service}`
              : backend.kind === 'mock'
                ? 'mock'
                : `${backend.kind} ${backend.method} ${backend.uri}`;
      return {
        api: api.logicalId,
        kind: 'WEBSOCKET',
        stage: api.stage,
        route: route.routeKey,
        integration,
        ...(route.authorizer ? { authorizer: `${route.authorizer.name} (lambda)` } : {}),
        scopes: [],
        apiKeyRequired: false,
        corsPreflight: false,
        refused: route.problem !== undefined,
      };
    }),
  );
  return [...rest, ...http, ...webSocket].sort(byRoute);
};

/** The route table of a stack read on its own (no runtime started): what the template's APIs would serve. */
export const stackRouteTable = (stack: LocalStack): RouteEntry[] =>
  routeTableOf(stack, { rest: restApisOf(stack).apis, http: httpApisOf(stack), webSocket: webSocketApisOf(stack) });
