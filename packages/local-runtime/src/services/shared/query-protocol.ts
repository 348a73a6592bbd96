import type { IncomingMessage } from 'node:http';
import type { SigV4ErrorType, SigV4Failure } from '../../gateway/auth/sigv4.ts';
import { keyed } from '../../shared/client-keyed.ts';
import { requestUrl } from '../../shared/request-url.ts';

/**
 * The AWS query protocol's common parts (SQS, SNS): `Action=...` form-encoded or in the query string, answers in XML
 * (`<ActionResponse><ActionResult>...</ActionResult><ResponseMetadata>...`), or the same document as JSON when the
 * caller sends `Accept: application/json`, as API Gateway's AWS integrations do.
 */
export interface QueryAnswer {
  status: number;
  contentType: string;
  body: string;
}

export const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

/** The request's parameters: the form body's, then the query string's where the body has none of that name. */
export const queryParametersOf = (request: IncomingMessage, body: string): Record<string, string> => {
  const flat = keyed<string>();
  for (const [key, value] of new URLSearchParams(body)) flat[key] = value;
  for (const [key, value] of requestUrl(request.url).searchParams) flat[key] ??= value;
  return flat;
};

/** Whether the caller asked for the JSON rendering of the answer. */
export const wantsJson = (request: IncomingMessage): boolean =>
  String(request.headers.accept ?? '').includes('application/json');

/**
 * A successful answer: `result` is the `<Action>Result` element's XML content, `json` the same as a value (undefined
 * for actions without a result element).
 */
export const queryEnvelope = (
  options: { action: string; namespace: string; requestId: string; json: boolean },
  result: { xml: string; json: unknown } | undefined,
): QueryAnswer => {
  const { action, namespace, requestId } = options;
  if (options.json) {
    const response: Record<string, unknown> = result ? { [`${action}Result`]: result.json } : {};
    response.ResponseMetadata = { RequestId: requestId };
    return { status: 200, contentType: 'application/json', body: JSON.stringify({ [`${action}Response`]: response }) };
  }
  const inner = result ? `<${action}Result>${result.xml}</${action}Result>` : '';
  return {
    status: 200,
    contentType: 'text/xml',
    body: `<?xml version="1.0"?><${action}Response xmlns="${namespace}">${inner}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
  };
};

/** `<ErrorResponse><Error><Type/><Code/><Message/>...` (or its JSON rendering). */
export const queryErrorEnvelope = (
  error: { status: number; fault: 'Sender' | 'Receiver'; code: string; message: string },
  options: { namespace: string; requestId: string; json: boolean },
): QueryAnswer => {
  const { requestId } = options;
  if (options.json) {
    return {
      status: error.status,
      contentType: 'application/json',
      body: JSON.stringify({
        Error: { Type: error.fault, Code: error.code, Message: error.message, Detail: null },
        RequestId: requestId,
      }),
    };
  }
  return {
    status: error.status,
    contentType: 'text/xml',
    body: `<?xml version="1.0"?><ErrorResponse xmlns="${options.namespace}"><Error><Type>${error.fault}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message><Detail/></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
};

/**
 * The query protocol's code and status for each refusal (the "Common Errors" of the query APIs: SQS's, SNS's, STS's):
 * `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>...`, 403 but for IncompleteSignature.
 */
const QUERY_AUTH_ERRORS: Record<SigV4ErrorType, { code: string; status: number }> = {
  MissingAuthenticationTokenException: { code: 'MissingAuthenticationToken', status: 403 },
  IncompleteSignatureException: { code: 'IncompleteSignature', status: 400 },
  InvalidSignatureException: { code: 'SignatureDoesNotMatch', status: 403 },
  UnrecognizedClientException: { code: 'InvalidClientTokenId', status: 403 },
};

export const queryAuthError = (failure: SigV4Failure): { code: string; status: number } =>
  QUERY_AUTH_ERRORS[failure.errorType];
