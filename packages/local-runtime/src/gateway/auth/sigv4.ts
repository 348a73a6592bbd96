import { createHash, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { stableId } from '../../template/physical-ids.ts';
import type { CallerIdentity } from '../exchange.ts';
import { Sha256 } from './sigv4-hash.ts';

/**
 * Verifies an AWS Signature Version 4 the way AWS's front doors do (IAM user guide, "Signature Version 4 signing" and
 * "Create a canonical request"; the error types and messages are those DynamoDB and API Gateway answer, as recorded in
 * dynalite's sources): the signature is recomputed with @smithy/signature-v4 (the SDK's own signer) over exactly the
 * headers the client listed, with the secret of the access key it names. The one place every local front door
 * (AWS_IAM routes, the @connections API, the local AWS endpoints) checks a signature.
 */
export interface LocalCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  userName: string;
}

export interface SignedRequest {
  method: string;
  /** The path as sent, still URL-encoded, without the query. */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  /** Every header line as sent, in order: a repeated header is joined as SigV4 joins it, with commas. */
  headers: Iterable<readonly [string, string]>;
  body: Buffer;
}

export type SigV4ErrorType =
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'InvalidSignatureException'
  | 'UnrecognizedClientException';

export type SigV4Failure = { ok: false; errorType: SigV4ErrorType; message: string };
export type SigV4Result = { ok: true; identity: CallerIdentity } | SigV4Failure;

export interface SigV4Options {
  /** The keys whose signatures are accepted. */
  credentials: readonly LocalCredentials[];
  /** The region and service the credential scope must name. */
  region: string;
  service: string;
  /**
   * Any well-formed signature passes, whatever key, secret or region made it (tools signed with other credentials);
   * the request must still be signed, with a SigV4 whose parts and dates are valid.
   */
  acceptAnySignature?: boolean;
  now?: Date;
}

export const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const ALGORITHM = 'AWS4-HMAC-SHA256';
// IAM allows five minutes of clock skew either way.
const SKEW_MS = 5 * 60 * 1000;
// "Authenticating Requests: Using Query Parameters": X-Amz-Expires is 1 to 604800 seconds (seven days).
const MAX_EXPIRES_SECONDS = 604_800;
const QUERY_PARAMETERS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
] as const;

const fail = (errorType: SigV4ErrorType, message: string): SigV4Failure => ({ ok: false, errorType, message });
const incomplete = (message: string) => fail('IncompleteSignatureException', message);
const invalid = (message: string) => fail('InvalidSignatureException', message);

const amzDate = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
const parseAmzDate = (text: string): Date | undefined => {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  return amzDate(date) === text ? date : undefined;
};

/** Lower-case name → its values in the order sent. */
const headerLines = (headers: Iterable<readonly [string, string]>): Map<string, string[]> => {
  const lines = new Map<string, string[]>();
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    const values = lines.get(key);
    if (values) values.push(value);
    else lines.set(key, [value]);
  }
  return lines;
};

// "Create a canonical request": each value trimmed, runs of spaces made one, a repeated header's values joined by
// commas in the order they came.
const canonicalValue = (values: string[]) => values.map((value) => value.trim().replace(/\s+/g, ' ')).join(',');

interface Parsed {
  accessKeyId: string;
  credential: string;
  signedHeaders: string[];
  signature: string;
  dateText: string;
  /** Presigned URLs only. */
  expires?: number;
}

const parseAuthorization = (authorization: string, dateText: string | undefined): Parsed | SigV4Failure => {
  const [algorithm = '', ...rest] = authorization.trim().split(/\s+/);
  if (algorithm !== ALGORITHM)
    return incomplete(`Unsupported AWS 'algorithm': '${algorithm}' (only ${ALGORITHM} for now). `);
  const fields = new Map<string, string>();
  for (const part of rest
    .join(' ')
    .split(',')
    .map((text) => text.trim())
    .filter(Boolean)) {
    const equals = part.indexOf('=');
    if (equals < 0) {
      return incomplete(
        `'${part}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`,
      );
    }
    const name = part.slice(0, equals).trim();
    // One signature, one scope, one list: a second value for any of them is a different request.
    if (fields.has(name)) return incomplete(`Authorization header has '${name}' more than once: '${authorization}'.`);
    fields.set(name, part.slice(equals + 1).trim());
  }
  let message = ['Credential', 'Signature', 'SignedHeaders']
    .filter((name) => !fields.get(name))
    .map((name) => `Authorization header requires '${name}' parameter. `)
    .join('');
  if (!dateText) message += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  if (message) return incomplete(`${message}Authorization=${authorization}`);
  const credential = fields.get('Credential') ?? '';
  return {
    accessKeyId: credential.split('/')[0] ?? '',
    credential,
    signedHeaders: (fields.get('SignedHeaders') ?? '').split(';'),
    signature: fields.get('Signature') ?? '',
    dateText: dateText ?? '',
  };
};

const parseQuery = (query: URLSearchParams): Parsed | SigV4Failure => {
  const missing = QUERY_PARAMETERS.filter((name) => !query.get(name));
  if (missing.length > 0) {
    return incomplete(
      `${missing.map((name) => `AWS query-string parameters must include '${name}'. `).join('')}Re-examine the query-string parameters.`,
    );
  }
  const repeated = QUERY_PARAMETERS.find((name) => query.getAll(name).length > 1);
  if (repeated) return incomplete(`AWS query-string parameter '${repeated}' must be given once, not more.`);
  const algorithm = query.get('X-Amz-Algorithm') ?? '';
  if (algorithm !== ALGORITHM)
    return incomplete(`Unsupported AWS 'algorithm': '${algorithm}' (only ${ALGORITHM} for now). `);
  const expiresText = query.get('X-Amz-Expires') ?? '';
  const expires = Number(expiresText);
  if (!/^\d{1,7}$/.test(expiresText) || expires < 1 || expires > MAX_EXPIRES_SECONDS) {
    return incomplete(
      `X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_EXPIRES_SECONDS} (a week), not '${expiresText}'.`,
    );
  }
  const credential = query.get('X-Amz-Credential') ?? '';
  return {
    accessKeyId: credential.split('/')[0] ?? '',
    credential,
    signedHeaders: (query.get('X-Amz-SignedHeaders') ?? '').split(';'),
    signature: query.get('X-Amz-Signature') ?? '',
    dateText: query.get('X-Amz-Date') ?? '',
    expires,
  };
};

/** The scope's own rules, then the region and service (unless any signature is accepted). */
const checkScope = (parsed: Parsed, options: SigV4Options): SigV4Failure | undefined => {
  const scope = parsed.credential.split('/');
  if (scope.length !== 5) {
    return incomplete(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${parsed.credential}'`,
    );
  }
  const [, date = '', region = '', service = '', terminator = ''] = scope;
  const problems: string[] = [];
  if (!options.acceptAnySignature && region !== options.region)
    problems.push(`Credential should be scoped to a valid region, not '${region}'. `);
  if (!options.acceptAnySignature && service !== options.service)
    problems.push(`Credential should be scoped to correct service: '${options.service}'. `);
  if (terminator !== 'aws4_request')
    problems.push(`Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `);
  if (date !== parsed.dateText.slice(0, 8)) {
    problems.push(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${parsed.dateText.slice(0, 8)}', from '${parsed.dateText}'.`,
    );
  }
  return problems.length > 0 ? invalid(problems.join('').trim()) : undefined;
};

const checkTime = (parsed: Parsed, date: Date, now: Date): SigV4Failure | undefined => {
  const lifetime = parsed.expires === undefined ? SKEW_MS : parsed.expires * 1000;
  if (now.getTime() - date.getTime() > lifetime) {
    const minutes = lifetime / 60000;
    return invalid(
      `Signature expired: ${parsed.dateText} is now earlier than ${amzDate(new Date(now.getTime() - lifetime))} (${amzDate(now)} - ${Number.isInteger(minutes) ? minutes : minutes.toFixed(2)} min.)`,
    );
  }
  if (date.getTime() - now.getTime() > SKEW_MS) {
    return invalid(
      `Signature not yet current: ${parsed.dateText} is still later than ${amzDate(new Date(now.getTime() + SKEW_MS))} (${amzDate(now)} + 5 min.)`,
    );
  }
  return undefined;
};

const queryRecord = (query: URLSearchParams, drop: ReadonlySet<string>): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of query) {
    if (drop.has(name)) continue;
    const existing = out[name];
    out[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return out;
};

const signatureOf = (signed: HttpRequest, presigned: boolean): string => {
  if (presigned) return String(signed.query?.['X-Amz-Signature'] ?? '');
  return /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization ?? ''))?.[1] ?? '';
};

const sameText = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1'));

const identityOf = (owner: LocalCredentials): CallerIdentity => {
  const principal = `AIDA${stableId(`${owner.accountId}/${owner.userName}`, 17).toUpperCase()}`;
  return {
    accessKey: owner.accessKeyId,
    accountId: owner.accountId,
    caller: principal,
    user: principal,
    userArn: `arn:aws:iam::${owner.accountId}:user/${owner.userName}`,
  };
};

// One signer per key, region and service, made on first use (only a scope checkScope let through gets one).
const signers = new Map<string, SignatureV4>();
const signerOf = (owner: LocalCredentials, region: string, service: string): SignatureV4 => {
  const name = [owner.accessKeyId, owner.secretAccessKey, region, service].join('\n');
  let signer = signers.get(name);
  if (!signer) {
    signer = new SignatureV4({
      credentials: { accessKeyId: owner.accessKeyId, secretAccessKey: owner.secretAccessKey },
      region,
      service,
      sha256: Sha256,
      // Sign exactly the headers the client listed: the signer must not add x-amz-content-sha256 of its own
      // (curl --aws-sigv4 and other clients leave it out).
      applyChecksum: false,
      // "Create a canonical request": every service but S3 encodes each path segment twice; S3 signs the path as sent.
      uriEscapePath: service !== 's3',
    });
    signers.set(name, signer);
  }
  return signer;
};

/** The signature the request should carry, computed over the headers it says it signed. */
const expectedSignature = async (
  request: SignedRequest,
  lines: Map<string, string[]>,
  query: URLSearchParams,
  parsed: Parsed,
  owner: LocalCredentials,
  date: Date,
): Promise<string> => {
  const [, , region = '', service = ''] = parsed.credential.split('/');
  const signer = signerOf(owner, region, service);
  const wanted = new Set(parsed.signedHeaders);
  const headers: Record<string, string> = Object.create(null);
  for (const name of wanted) {
    const values = lines.get(name);
    if (values) headers[name] = canonicalValue(values);
  }
  const presigned = parsed.expires !== undefined;
  const base: HttpRequest = {
    method: request.method,
    protocol: 'https:',
    hostname: headers.host ?? '',
    path: request.path,
    headers,
    // A presigned URL's own parameters are made again by the signer; the rest (X-Amz-Security-Token too) are signed.
    query: queryRecord(query, presigned ? new Set(QUERY_PARAMETERS) : new Set()),
    body: request.body,
  };
  const signed = presigned
    ? await signer.presign(base, {
        signingDate: date,
        expiresIn: parsed.expires,
        signableHeaders: wanted,
        unhoistableHeaders: wanted,
      })
    : await signer.sign(base, { signingDate: date, signableHeaders: wanted });
  return signatureOf(signed, presigned);
};

export const verifySigV4 = async (request: SignedRequest, options: SigV4Options): Promise<SigV4Result> => {
  const now = options.now ?? new Date();
  const query = new URLSearchParams(request.query);
  const lines = headerLines(request.headers);
  const authorizations = lines.get('authorization') ?? [];
  const presigned = query.has('X-Amz-Algorithm') || query.has('X-Amz-Signature');
  if (authorizations.length > 0 && presigned) {
    return invalid("Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
  }
  // An Authorization header that is not SigV4 at all (a bearer token) is no signature, as for an unsigned request.
  if (!presigned && !authorizations.some((value) => value.trim().startsWith('AWS4-'))) {
    return fail('MissingAuthenticationTokenException', 'Request is missing Authentication Token');
  }
  if (authorizations.length > 1) return incomplete('A request must carry one Authorization header, not several.');
  const dates = lines.get('x-amz-date');
  const parsed = presigned
    ? parseQuery(query)
    : parseAuthorization(authorizations[0] ?? '', dates ? canonicalValue(dates) : undefined);
  if ('ok' in parsed) return parsed;
  const date = parseAmzDate(parsed.dateText);
  if (!date) {
    return incomplete(
      `Date must be in ISO-8601 'basic format'. Got '${parsed.dateText}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  const scopeProblem = checkScope(parsed, options);
  if (scopeProblem) return scopeProblem;
  // The host names what is called: a signature that leaves it out could be replayed against any host.
  // Over HTTP/2 the host is the `:authority` pseudo-header, which the AWS SDK for JavaScript v3 signs under that name
  // (its Kinesis client speaks HTTP/2); an HTTP/1.1 request cannot carry a header named so.
  if (!parsed.signedHeaders.includes('host') && !parsed.signedHeaders.includes(':authority'))
    return invalid("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  const timeProblem = checkTime(parsed, date, now);
  if (timeProblem) return timeProblem;
  if (!/^[0-9a-f]{64}$/.test(parsed.signature)) return invalid(SIGNATURE_MISMATCH);
  const contentHash = lines.get('x-amz-content-sha256');
  // S3 alone lets a signature leave the payload out ("Signature Calculations for the Authorization Header": the
  // header's value is then UNSIGNED-PAYLOAD, or STREAMING-... for an aws-chunked body); the header is still signed as
  // given. The local S3 refuses the chunk-signed streams, whose chunk signatures it does not check.
  const hashValue = contentHash ? canonicalValue(contentHash) : undefined;
  const payloadLeftOut =
    options.service === 's3' && (hashValue === 'UNSIGNED-PAYLOAD' || hashValue?.startsWith('STREAMING-') === true);
  if (
    hashValue !== undefined &&
    !payloadLeftOut &&
    hashValue !== createHash('sha256').update(request.body).digest('hex')
  ) {
    return invalid("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const owner = options.credentials.find((candidate) => candidate.accessKeyId === parsed.accessKeyId);
  if (options.acceptAnySignature)
    return { ok: true, identity: owner ? identityOf(owner) : { accessKey: parsed.accessKeyId } };
  if (!owner) return fail('UnrecognizedClientException', 'The security token included in the request is invalid.');
  let expected: string;
  try {
    expected = await expectedSignature(request, lines, query, parsed, owner, date);
  } catch {
    return incomplete(SIGNATURE_MISMATCH);
  }
  if (!sameText(expected, parsed.signature)) return invalid(SIGNATURE_MISMATCH);
  return { ok: true, identity: identityOf(owner) };
};

/** A request's header lines as node:http read them (`rawHeaders` is name, value, name, value...). */
export function* rawHeaderPairs(rawHeaders: readonly string[]): Generator<readonly [string, string]> {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) yield [rawHeaders[i] as string, rawHeaders[i + 1] as string];
}
