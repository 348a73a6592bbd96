import type { IncomingMessage } from 'node:http';
import {
  type LocalCredentials,
  rawHeaderPairs,
  type SigV4Failure,
  type SigV4Result,
  verifySigV4,
} from '../../gateway/auth/sigv4.ts';

/**
 * Who may call the local AWS endpoints (and the @connections API): requests signed with SigV4 by one of
 * `credentials` for `region` — the keys the functions get and the banner's `export AWS_...` line shows — or, with
 * `acceptAnySignature` (`--accept-any-signature`), any well-formed SigV4 signature, for tools signed with other
 * credentials. An unsigned request is refused either way.
 */
export interface ServiceAuth {
  credentials: readonly LocalCredentials[];
  region: string;
  acceptAnySignature: boolean;
}

/**
 * The key the runtime's own calls to its endpoints sign with, as the functions do: the first accepted one (with no
 * key to accept, only `acceptAnySignature` lets anything in, and any key does).
 */
export const ownKeyOf = (auth: ServiceAuth): { accessKeyId: string; secretAccessKey: string } => {
  const [own] = auth.credentials;
  return own
    ? { accessKeyId: own.accessKeyId, secretAccessKey: own.secretAccessKey }
    : { accessKeyId: 'local', secretAccessKey: 'local' };
};

/** Checks one request (its body already read) against a service's signing name. */
export type RequestVerifier = (request: IncomingMessage, body: Buffer) => Promise<SigV4Result>;

/** The verifier of one service (`ssm`, `sqs`, `dynamodb`, `states`, `execute-api`): what each front door calls. */
export const requestVerifier =
  (auth: ServiceAuth, service: string): RequestVerifier =>
  (request, body) => {
    const url = request.url ?? '/';
    const queryAt = url.indexOf('?');
    return verifySigV4(
      {
        method: request.method ?? 'GET',
        path: queryAt < 0 ? url : url.slice(0, queryAt),
        query: queryAt < 0 ? '' : url.slice(queryAt + 1),
        headers: rawHeaderPairs(request.rawHeaders),
        body,
      },
      { credentials: auth.credentials, region: auth.region, service, acceptAnySignature: auth.acceptAnySignature },
    );
  };

/**
 * The AWS JSON protocols' answer to a refused signature: HTTP 400 with the error's name in `__type` (DynamoDB
 * developer guide, "Error handling with DynamoDB": IncompleteSignatureException, MissingAuthenticationTokenException,
 * UnrecognizedClientException and InvalidSignatureException are all 400).
 */
export const jsonAuthError = (failure: SigV4Failure, typeOf: (name: string) => string = (name) => name) => ({
  status: 400,
  type: typeOf(failure.errorType),
  message: failure.message,
});
