import type { CallerIdentity, GatewayRequest } from '../gateway/exchange.ts';
import type { IntegrationResult } from '../gateway/integrations/result.ts';
import type { HttpApi, HttpRoute } from './model.ts';

/** What the route's authorizer established, as the integration sees it. */
export type HttpAuthorizerOutcome =
  | { kind: 'jwt'; claims: Record<string, string>; scopes: string[] | null }
  | { kind: 'lambda'; principalId?: string; context: Record<string, unknown>; integrationLatency: number }
  | { kind: 'iam'; identity: CallerIdentity };

/** One request to an HTTP API and what each step learns about it. */
export interface HttpExchange {
  request: GatewayRequest;
  api: HttpApi;
  accountId: string;
  region: string;
  /** The host name the client called (`requestContext.domainName`). */
  domainName: string;
  route?: HttpRoute;
  pathParameters: Record<string, string>;
  authorizer?: HttpAuthorizerOutcome;
}

/**
 * An answer API Gateway gives itself for an HTTP API: `{"message": "..."}` with the status, and nothing else
 * (developer guide, "Troubleshooting issues with HTTP API Lambda integrations" and "... JWT authorizers").
 * `reason` is for the request log only.
 */
export class HttpApiError extends Error {
  override readonly name = 'HttpApiError';
  readonly status: number;
  readonly gatewayMessage: string;
  readonly headers: Record<string, string>;
  readonly reason: string;

  constructor(status: number, message: string, reason: string, headers: Record<string, string> = {}) {
    super(reason);
    this.status = status;
    this.gatewayMessage = message;
    this.reason = reason;
    this.headers = headers;
  }
}

export const notFound = (reason: string) => new HttpApiError(404, 'Not Found', reason);
export const unauthorized = (reason: string, headers: Record<string, string> = {}) =>
  new HttpApiError(401, 'Unauthorized', reason, headers);
export const forbidden = (reason: string, headers: Record<string, string> = {}) =>
  new HttpApiError(403, 'Forbidden', reason, headers);
export const internalError = (reason: string) => new HttpApiError(500, 'Internal Server Error', reason);
export const serviceUnavailable = (reason: string) => new HttpApiError(503, 'Service Unavailable', reason);
export const tooLarge = () => new HttpApiError(413, 'Request Entity Too Large', 'the body is over the 10 MB limit');

export const errorResult = (error: HttpApiError): IntegrationResult => ({
  status: error.status,
  headers: { 'Content-Type': 'application/json', ...error.headers },
  body: Buffer.from(JSON.stringify({ message: error.gatewayMessage })),
});

/** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}{path}`, what authorizer policies are matched to. */
export const routeArn = (exchange: HttpExchange): string => {
  const { api, request } = exchange;
  return `arn:aws:execute-api:${exchange.region}:${exchange.accountId}:${api.id}/${api.stage}/${request.method}${request.path}`;
};
