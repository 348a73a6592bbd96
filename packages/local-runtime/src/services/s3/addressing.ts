import { decodedPathPart } from '../../shared/request-url.ts';
import { S3Error } from './errors.ts';

/** What a request names: a bucket (none for the service itself: ListBuckets) and a key within it (none for the bucket). */
export interface S3Address {
  bucket?: string;
  key?: string;
  query: URLSearchParams;
}

// Virtual-hosted style ("Virtual hosting of general purpose buckets"): `<bucket>.s3.<region>.amazonaws.com`,
// `<bucket>.s3.amazonaws.com`, and locally `<bucket>.localhost` (which resolves to loopback).
const VIRTUAL_HOST = /^(.+?)\.(?:s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com|localhost)(?::\d+)?$/i;

const invalidUri = () => new S3Error(400, 'InvalidURI', "Couldn't parse the specified URI.");

const decoded = (text: string): string => {
  const value = decodedPathPart(text);
  if (value === undefined) throw invalidUri();
  return value;
};

/**
 * The bucket and key of a request, path-style (`/<bucket>/<key>`) or virtual-hosted. The path is read as sent: a key
 * may hold `..`, `//` or a trailing `/`, which URL parsing would rewrite, and S3 signs the path as sent too.
 */
export const s3AddressOf = (target: string, host: string): S3Address => {
  if (!target.startsWith('/')) throw invalidUri();
  const queryAt = target.indexOf('?');
  const path = queryAt < 0 ? target : target.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1));
  const virtual = VIRTUAL_HOST.exec(host);
  if (virtual?.[1]) {
    const rest = path.slice(1);
    return { bucket: virtual[1].toLowerCase(), ...(rest ? { key: decoded(rest) } : {}), query };
  }
  const slash = path.indexOf('/', 1);
  const bucket = decoded(slash < 0 ? path.slice(1) : path.slice(1, slash));
  if (!bucket) return { query };
  const key = slash < 0 ? '' : path.slice(slash + 1);
  return { bucket, ...(key ? { key: decoded(key) } : {}), query };
};
