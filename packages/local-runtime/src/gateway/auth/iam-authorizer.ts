import { type CallerIdentity, type Exchange, type GatewayRequest, headerOf } from '../exchange.ts';
import { GatewayError, missingAuthenticationToken } from '../gateway-error.ts';
import { type LocalCredentials, type SignedRequest, verifySigV4 } from './sigv4.ts';

/** True when the request carries a SigV4 signature, in the Authorization header or presigned in the query. */
export const isSigned = (exchange: Exchange): boolean =>
  /^AWS4-HMAC-SHA256\s/.test(headerOf(exchange.request, 'authorization') ?? '') ||
  exchange.request.query['X-Amz-Signature'] !== undefined;

/** A gateway request as the signature covers it: every header line the client sent, repeated ones included. */
export const signedRequestOf = (request: GatewayRequest): SignedRequest => ({
  method: request.method,
  path: request.rawPath,
  query: request.rawQuery,
  headers: Object.entries(request.multiHeaders).flatMap(([name, values]) =>
    values.map((value): [string, string] => [name, value]),
  ),
  body: request.body,
});

/**
 * AWS_IAM: the request must carry a SigV4 signature (service `execute-api`) made with one of the local
 * credentials, which stand in for an IAM user allowed to invoke the API. No signature → 403 Missing
 * Authentication Token; a bad one → 403 with SigV4's own error type and message.
 */
export class IamAuthorizer {
  readonly credentials: LocalCredentials[];
  private readonly region: string;

  constructor(credentials: LocalCredentials[], region: string) {
    this.credentials = credentials;
    this.region = region;
  }

  async authorize(exchange: Exchange): Promise<CallerIdentity> {
    const result = await verifySigV4(signedRequestOf(exchange.request), {
      credentials: this.credentials,
      region: this.region,
      service: 'execute-api',
    });
    if (result.ok) return result.identity;
    if (result.errorType === 'MissingAuthenticationTokenException') throw missingAuthenticationToken();
    throw new GatewayError(
      result.errorType === 'InvalidSignatureException' ? 'INVALID_SIGNATURE' : 'ACCESS_DENIED',
      result.message,
      { status: 403, errorType: result.errorType },
    );
  }
}
