import { type CallerIdentity, type Exchange, headerOf } from '../exchange.ts';
import { GatewayError, missingAuthenticationToken } from '../gateway-error.ts';
import { type LocalCredentials, verifySigV4 } from './sigv4.ts';

/**
 * AWS_IAM: the request must carry a SigV4 signature (service `execute-api`) made with one of the local
 * credentials, which stand in for an IAM user allowed to invoke the API. No signature → 403 Missing
 * Authentication Token; a wrong one → 403 with SigV4's own message.
 */
export class IamAuthorizer {
  private readonly credentials: LocalCredentials[];
  private readonly region: string;

  constructor(credentials: LocalCredentials[], region: string) {
    this.credentials = credentials;
    this.region = region;
  }

  authorize(exchange: Exchange): CallerIdentity {
    const { request } = exchange;
    if (!headerOf(request, 'authorization') && !request.query['X-Amz-Signature']) throw missingAuthenticationToken();
    const result = verifySigV4(
      {
        method: request.method,
        path: `/${exchange.stage}${request.path}${request.rawQuery ? `?${request.rawQuery}` : ''}`,
        headers: request.headers,
        body: request.body,
      },
      this.credentials,
      this.region,
    );
    if (!result.ok) {
      const type = /signature|expired/i.test(result.message) ? 'INVALID_SIGNATURE' : 'MISSING_AUTHENTICATION_TOKEN';
      throw new GatewayError(type === 'INVALID_SIGNATURE' ? 'INVALID_SIGNATURE' : 'ACCESS_DENIED', result.message, {
        status: 403,
      });
    }
    return result.identity;
  }
}
