import { type CallerIdentity, type Exchange, headerOf } from '../exchange.ts';
import { GatewayError, missingAuthenticationToken } from '../gateway-error.ts';
import { type LocalCredentials, verifySigV4 } from './sigv4.ts';

/** True when the request carries a SigV4 signature, in the Authorization header or presigned in the query. */
export const isSigned = (exchange: Exchange): boolean =>
  /^AWS4-HMAC-SHA256\s/.test(headerOf(exchange.request, 'authorization') ?? '') ||
  exchange.request.query['X-Amz-Signature'] !== undefined;

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
    if (!isSigned(exchange)) throw missingAuthenticationToken();
    const { request } = exchange;
    const result = await verifySigV4(
      {
        method: request.method,
        host: headerOf(request, 'host') ?? '',
        path: request.rawPath,
        query: request.rawQuery,
        headers: request.headers,
        body: request.body,
      },
      this.credentials,
      this.region,
    );
    if (!result.ok) {
      throw new GatewayError(
        result.errorType === 'InvalidSignatureException' ? 'INVALID_SIGNATURE' : 'ACCESS_DENIED',
        result.message,
        {
          status: result.status,
          errorType: result.errorType,
        },
      );
    }
    return result.identity;
  }
}
