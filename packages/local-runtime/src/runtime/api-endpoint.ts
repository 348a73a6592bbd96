import type { GatewayAnswer, GatewayRequest } from '../gateway/exchange.ts';

/**
 * One deployed stage of one API, as the HTTP front of the runtime sees it: REST APIs (RestGateway) and HTTP APIs
 * both implement it, and the dispatcher routes each request to one of them by host or by stage path prefix.
 */
export interface ApiEndpoint {
  /** `URL`: a Lambda function URL (function-url/gateway.ts), served alone on its own port. */
  readonly kind: 'REST' | 'HTTP' | 'URL';
  readonly logicalId: string;
  /** The API id (what `Ref` of the API gives, and the first label of its execute-api host name). */
  readonly apiId: string;
  /** `$default` (HTTP APIs) has no path prefix: the path is the route path. */
  readonly stage: string;
  handle(request: GatewayRequest): Promise<GatewayAnswer>;
  /** Whether a route (a method of a resource, for REST) takes `method path`, the path below the stage. */
  hasRoute(method: string, path: string): boolean;
  /** The answer for a request the server refused before routing it (a body over the payload limit). */
  reject(request: GatewayRequest, type: 'REQUEST_TOO_LARGE'): GatewayAnswer;
}
