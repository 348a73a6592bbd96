import { escapeXml } from '../shared/query-protocol.ts';
import { invalidArgument } from './errors.ts';
import type { Bucket, S3Object } from './store.ts';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

const element = (name: string, value: string | number | boolean) => `<${name}>${escapeXml(String(value))}</${name}>`;

/** ListObjectsV2 (`list-type=2`) and ListObjects (its first version, with markers) over one bucket's keys. */
export const listObjects = (bucket: Bucket, query: URLSearchParams): string => {
  const v2 = query.get('list-type') === '2';
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const maxKeysText = query.get('max-keys') ?? '1000';
  // "ListObjectsV2": MaxKeys is at most 1000; a larger number returns 1000, a non-number is refused.
  if (!/^\d+$/.test(maxKeysText))
    throw invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', maxKeysText);
  const maxKeys = Math.min(Number(maxKeysText), 1000);
  const urlEncoded = query.get('encoding-type') === 'url';
  const show = (key: string) => (urlEncoded ? encodeURIComponent(key).replace(/%2F/g, '/') : key);
  const token = query.get('continuation-token');
  let after = v2 ? (query.get('start-after') ?? '') : (query.get('marker') ?? '');
  // A marker that is a common prefix (the NextMarker of a page that ended on one) skips every key under it.
  if (!v2 && delimiter && after.endsWith(delimiter)) after = `${after}\u{10FFFF}`;
  if (v2 && token !== null) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    if (!decoded.startsWith('k:'))
      throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
    after = decoded.slice(2);
  }
  const keys = [...bucket.objects.keys()].filter((key) => key.startsWith(prefix) && key > after).sort();
  const contents: S3Object[] = [];
  const prefixes: string[] = [];
  let truncated = false;
  let last = '';
  for (const key of keys) {
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    const common = cut >= 0 ? key.slice(0, cut + delimiter.length) : undefined;
    // The keys under a common prefix already given count once.
    if (common !== undefined && prefixes.at(-1) === common) continue;
    if (contents.length + prefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (common !== undefined) {
      prefixes.push(common);
      // The next page starts after every key under this prefix.
      last = `${common}\u{10FFFF}`;
    } else {
      const object = bucket.objects.get(key);
      if (object) contents.push(object);
      last = key;
    }
  }
  const parts = [
    element('Name', bucket.name),
    element('Prefix', show(prefix)),
    ...(delimiter ? [element('Delimiter', show(delimiter))] : []),
    element('MaxKeys', maxKeys),
    ...(urlEncoded ? [element('EncodingType', 'url')] : []),
    element('IsTruncated', truncated),
  ];
  if (v2) {
    parts.push(element('KeyCount', contents.length + prefixes.length));
    if (token !== null) parts.push(element('ContinuationToken', token));
    if (query.has('start-after')) parts.push(element('StartAfter', show(query.get('start-after') ?? '')));
    if (truncated) parts.push(element('NextContinuationToken', Buffer.from(`k:${last}`).toString('base64url')));
  } else {
    parts.push(element('Marker', show(query.get('marker') ?? '')));
    // "ListObjects": NextMarker is returned only when a delimiter is given.
    if (truncated && delimiter) parts.push(element('NextMarker', show(last.replace(/\u{10FFFF}$/u, ''))));
  }
  for (const object of contents) {
    parts.push(
      `<Contents>${element('Key', show(object.key))}${element('LastModified', object.lastModified.toISOString())}${element('ETag', object.etag)}${element('Size', object.body.length)}${element('StorageClass', 'STANDARD')}</Contents>`,
    );
  }
  for (const common of prefixes) parts.push(`<CommonPrefixes>${element('Prefix', show(common))}</CommonPrefixes>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="${S3_NAMESPACE}">${parts.join('')}</ListBucketResult>`;
};

export const listBuckets = (buckets: Bucket[], owner: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult xmlns="${S3_NAMESPACE}"><Owner>${element('ID', owner)}</Owner><Buckets>${buckets
    .map(
      (bucket) =>
        `<Bucket>${element('Name', bucket.name)}${element('CreationDate', bucket.created.toISOString())}</Bucket>`,
    )
    .join('')}</Buckets></ListAllMyBucketsResult>`;

export const xmlElement = element;
