import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { stableId } from '../../template/physical-ids.ts';
import type { CallerIdentity } from '../exchange.ts';

/**
 * Verifies an AWS Signature Version 4 the way IAM does for execute-api: the signature is recomputed with
 * @smithy/signature-v4 (the SDK's own signer) over exactly the headers the client listed, with the secret of the
 * access key it names. Errors carry IAM's status, type and message (IAM "Signature Version 4 signing process"
 * troubleshooting, and API Gateway's answers to unsigned or mis-signed requests).
 */
export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  userName: string;
}

export interface SignedRequest {
  method: string;
  host: string;
  /** The path as sent, still URL-encoded, without the query. */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  headers: Record<string, string>;
  body: Buffer;
}

export type SigV4Result =
  | { ok: true; identity: CallerIdentity }
  | { ok: false; status: number; errorType: string; message: string };

const refuse = (errorType: string, message: string): SigV4Result => ({ ok: false, status: 403, errorType, message });
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
// IAM allows five minutes of clock skew either way.
const SKEW_MS = 5 * 60 * 1000;

const amzDate = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
const parseAmzDate = (text: string): Date | undefined => {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match;
  return new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
};

interface Parsed {
  accessKeyId: string;
  scope: string[];
  signedHeaders: string[];
  signature: string;
  date?: Date;
  dateText: string;
  expires?: number;
  presigned: boolean;
}

const headerValue = (headers: Record<string, string>, name: string): string | undefined => {
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
};

const parse = (request: SignedRequest, query: URLSearchParams): Parsed | SigV4Result => {
  const authorization = headerValue(request.headers, 'authorization');
  if (authorization) {
    const fields = Object.fromEntries(
      authorization
        .replace(/^AWS4-HMAC-SHA256\s+/, '')
        .split(/,\s*/)
        .map((part) => [part.slice(0, part.indexOf('=')).trim(), part.slice(part.indexOf('=') + 1).trim()]),
    );
    const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !fields[name]);
    if (!authorization.startsWith('AWS4-HMAC-SHA256 ') || missing.length > 0) {
      return refuse(
        'IncompleteSignatureException',
        `${missing.map((name) => `Authorization header requires '${name}' parameter.`).join(' ')} Authorization=${authorization}`.trim(),
      );
    }
    const dateText = headerValue(request.headers, 'x-amz-date') ?? '';
    if (!dateText) {
      return refuse(
        'IncompleteSignatureException',
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      );
    }
    const [accessKeyId = '', ...scope] = String(fields.Credential).split('/');
    return {
      accessKeyId,
      scope,
      signedHeaders: String(fields.SignedHeaders).split(';'),
      signature: String(fields.Signature),
      date: parseAmzDate(dateText),
      dateText,
      presigned: false,
    };
  }
  const credential = query.get('X-Amz-Credential') ?? '';
  const [accessKeyId = '', ...scope] = credential.split('/');
  const dateText = query.get('X-Amz-Date') ?? '';
  return {
    accessKeyId,
    scope,
    signedHeaders: (query.get('X-Amz-SignedHeaders') ?? 'host').split(';'),
    signature: query.get('X-Amz-Signature') ?? '',
    date: parseAmzDate(dateText),
    dateText,
    expires: Number(query.get('X-Amz-Expires') ?? 900),
    presigned: true,
  };
};

const queryRecord = (query: URLSearchParams, drop: (name: string) => boolean): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of query) {
    if (drop(name)) continue;
    const existing = out[name];
    out[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return out;
};

const signatureOf = (signed: HttpRequest, presigned: boolean): string => {
  if (presigned) return String(signed.query?.['X-Amz-Signature'] ?? '');
  const authorization = headerValue(signed.headers, 'authorization') ?? '';
  return /Signature=([0-9a-f]+)/.exec(authorization)?.[1] ?? '';
};

export const verifySigV4 = async (
  request: SignedRequest,
  credentials: LocalCredentials[],
  region: string,
  options: { service?: string; now?: Date } = {},
): Promise<SigV4Result> => {
  const service = options.service ?? 'execute-api';
  const now = options.now ?? new Date();
  const query = new URLSearchParams(request.query);
  const parsed = parse(request, query);
  if ('ok' in parsed) return parsed;
  const [scopeDate, scopeRegion, scopeService, terminator] = parsed.scope;
  if (terminator !== 'aws4_request' || !scopeDate) {
    return refuse(
      'IncompleteSignatureException',
      `Credential should be scoped to a valid date and terminated with aws4_request: ${parsed.scope.join('/')}`,
    );
  }
  if (scopeRegion !== region)
    return refuse('InvalidSignatureException', `Credential should be scoped to a valid region, not '${scopeRegion}'.`);
  if (scopeService !== service)
    return refuse('InvalidSignatureException', `Credential should be scoped to correct service: '${service}'.`);
  const date = parsed.date;
  if (!date)
    return refuse('IncompleteSignatureException', `Date must be in ISO-8601 'basic format'. Got '${parsed.dateText}'.`);
  const lifetime = parsed.presigned ? (parsed.expires ?? 900) * 1000 : SKEW_MS;
  if (now.getTime() - date.getTime() > lifetime) {
    return refuse(
      'InvalidSignatureException',
      `Signature expired: ${parsed.dateText} is now earlier than ${amzDate(new Date(now.getTime() - lifetime))} (${amzDate(now)} - ${lifetime / 60000} min.)`,
    );
  }
  if (date.getTime() - now.getTime() > SKEW_MS) {
    return refuse(
      'InvalidSignatureException',
      `Signature not yet current: ${parsed.dateText} is still later than ${amzDate(new Date(now.getTime() + SKEW_MS))} (${amzDate(now)} + 5 min.)`,
    );
  }
  const owner = credentials.find((candidate) => candidate.accessKeyId === parsed.accessKeyId);
  if (!owner) return refuse('UnrecognizedClientException', 'The security token included in the request is invalid.');

  const signer = new SignatureV4({
    credentials: { accessKeyId: owner.accessKeyId, secretAccessKey: owner.secretAccessKey },
    region,
    service,
    sha256: Hash.bind(null, 'sha256'),
    // Sign exactly the headers the client listed: the signer must not add x-amz-content-sha256 of its own
    // (curl --aws-sigv4 and other clients leave it out).
    applyChecksum: false,
  });
  const wanted = new Set(parsed.signedHeaders.map((name) => name.toLowerCase()));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (wanted.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  if (wanted.has('host') && !headers.host) headers.host = request.host;
  const base: HttpRequest = {
    method: request.method,
    protocol: 'https:',
    hostname: headers.host ?? request.host,
    path: request.path,
    headers,
    query: queryRecord(query, (name) => parsed.presigned && name.startsWith('X-Amz-')),
    body: request.body,
  };
  let expected: string;
  try {
    const signed = parsed.presigned
      ? await signer.presign(base, { signingDate: date, expiresIn: parsed.expires })
      : await signer.sign(base, { signingDate: date });
    expected = signatureOf(signed, parsed.presigned);
  } catch {
    return refuse('IncompleteSignatureException', MISMATCH);
  }
  if (expected !== parsed.signature) return refuse('InvalidSignatureException', MISMATCH);
  const principal = `AIDA${stableId(`${owner.accountId}/${owner.userName}`, 17).toUpperCase()}`;
  return {
    ok: true,
    identity: {
      accessKey: owner.accessKeyId,
      accountId: owner.accountId,
      caller: principal,
      user: principal,
      userArn: `arn:aws:iam::${owner.accountId}:user/${owner.userName}`,
    },
  };
};
