import type { IncomingHttpHeaders } from 'node:http';
import { keyed } from '../../shared/client-keyed.ts';
import { checksumHeaders } from './checksums.ts';
import { S3Error } from './errors.ts';
import type { S3Object } from './store.ts';

/** An answer of the local S3: its status, headers and body (none for HEAD). */
export interface S3Answer {
  status: number;
  headers: Record<string, string>;
  body?: Buffer | string;
}

// The representation headers PutObject keeps and GetObject / HeadObject give back ("PutObject": Cache-Control,
// Content-Disposition, Content-Encoding, Content-Language, Expires), with the user's `x-amz-meta-*`.
const KEPT = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];

/** The headers of a PutObject (or a CopyObject that replaces them) kept with the object, and its Content-Type. */
export const objectHeadersOf = (
  headers: IncomingHttpHeaders,
): { contentType: string; kept: Record<string, string> } => {
  const kept = keyed<string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(',') : value;
    if (name.startsWith('x-amz-meta-') || KEPT.includes(name)) kept[name] = text;
  }
  // The SDK's chunked upload names its own encoding, which is not the object's.
  const encoding = kept['content-encoding']
    ?.split(',')
    .map((part) => part.trim())
    .filter((part) => part !== 'aws-chunked')
    .join(',');
  if (encoding) kept['content-encoding'] = encoding;
  else delete kept['content-encoding'];
  // S3 stores an object sent with no Content-Type as binary/octet-stream.
  const contentType = typeof headers['content-type'] === 'string' ? headers['content-type'] : 'binary/octet-stream';
  return { contentType, kept };
};

const RANGE = /^bytes=(\d*)-(\d*)$/;

/** The bytes a `Range: bytes=a-b` asks for (one range; S3 serves only the first of several), or undefined for all. */
const rangeOf = (header: string | undefined, size: number): { start: number; end: number } | undefined => {
  const match = header ? RANGE.exec(header.trim()) : null;
  if (!match) return undefined;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return undefined;
  const range =
    from === ''
      ? { start: Math.max(0, size - Number(to)), end: size - 1 }
      : { start: Number(from), end: to === '' ? size - 1 : Math.min(Number(to), size - 1) };
  if (range.start >= size || range.start > range.end || (from === '' && Number(to) === 0)) {
    throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', {
      RangeRequested: header ?? '',
      ActualObjectSize: String(size),
    });
  }
  return range;
};

// "GetObject": `response-content-type` and the like set those headers of this one answer.
const OVERRIDES = [
  'content-type',
  'content-language',
  'expires',
  'cache-control',
  'content-disposition',
  'content-encoding',
];

/**
 * GetObject / HeadObject: the object with its headers (those the query's `response-*` parameters override replaced),
 * or the part a Range asks for (206).
 */
export const objectAnswer = (
  object: S3Object,
  request: { range: string | undefined; query: URLSearchParams; checksumMode: boolean },
  withBody: boolean,
): S3Answer => {
  const headers: Record<string, string> = keyed<string>();
  Object.assign(headers, object.headers, {
    'content-type': object.contentType,
    etag: object.etag,
    'last-modified': object.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
    'x-amz-server-side-encryption': 'AES256',
  });
  for (const name of OVERRIDES) {
    const value = request.query.get(`response-${name}`);
    if (value !== null) headers[name] = value;
  }
  const { range } = request;
  const part = rangeOf(range, object.body.length);
  const body = part ? object.body.subarray(part.start, part.end + 1) : object.body;
  if (part) headers['content-range'] = `bytes ${part.start}-${part.end}/${object.body.length}`;
  headers['content-length'] = String(body.length);
  // "GetObject": the checksum of a whole object, when asked for (the SDKs ask: x-amz-checksum-mode: ENABLED).
  if (request.checksumMode && !part) Object.assign(headers, checksumHeaders(object.checksum));
  return { status: part ? 206 : 200, headers, ...(withBody ? { body } : {}) };
};

/**
 * The payload of an `aws-chunked` upload (what the SDKs send for a stream of unknown length: `<hex size>[;ext]\r\n
 * <bytes>\r\n`..., a zero-size chunk, then trailers such as a checksum), as one buffer, and its trailers.
 */
export const dechunked = (body: Buffer): { payload: Buffer; trailers: Record<string, string> } => {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    const size = lineEnd < 0 ? Number.NaN : Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isInteger(size) || size < 0 || lineEnd + 2 + size > body.length) {
      throw new S3Error(400, 'IncompleteBody', 'The request body terminated unexpectedly');
    }
    if (size === 0) {
      const trailers = keyed<string>();
      for (const line of body
        .subarray(lineEnd + 2)
        .toString('latin1')
        .split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      return { payload: Buffer.concat(parts), trailers };
    }
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
};
