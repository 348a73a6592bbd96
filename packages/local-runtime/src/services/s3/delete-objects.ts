import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { checksumOf } from './checksums.ts';
import { S3Error } from './errors.ts';
import { S3_NAMESPACE, xmlElement } from './listing.ts';
import type { BucketStore } from './store.ts';

// "DeleteObjects": at most 1000 keys in one request.
const MAX_KEYS = 1000;

const malformed = () =>
  new S3Error(
    400,
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
  );

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** A character XML allows (XML 1.0, "Characters"): a reference to any other makes the document not well-formed. */
const isXmlCharacter = (code: number): boolean =>
  code === 0x9 ||
  code === 0xa ||
  code === 0xd ||
  (code >= 0x20 && code <= 0xd7ff) ||
  (code >= 0xe000 && code <= 0xfffd) ||
  (code >= 0x10000 && code <= 0x10ffff);

const unescapeXml = (text: string): string =>
  text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (entity, name: string) => {
    if (!name.startsWith('#')) return ENTITIES[name] ?? entity;
    const code =
      name.startsWith('#x') || name.startsWith('#X') ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    if (!isXmlCharacter(code)) throw malformed();
    return String.fromCodePoint(code);
  });

/**
 * The text of each `<name>...</name>` element in `body`, found with indexOf (linear in the body's size:
 * a lazy regular expression rescans the rest of the body for each unclosed element, quadratic on a body of 16 MiB).
 */
const elementTexts = (body: string, name: string): string[] => {
  const open = `<${name}>`;
  const close = `</${name}>`;
  const texts: string[] = [];
  for (let at = body.indexOf(open); at >= 0; at = body.indexOf(open, at)) {
    const end = body.indexOf(close, at + open.length);
    if (end < 0) throw malformed();
    texts.push(body.slice(at + open.length, end));
    if (texts.length > MAX_KEYS) throw malformed();
    at = end + close.length;
  }
  return texts;
};

/** The keys of a `<Delete>` document, and whether it asks for the quiet answer. */
const requestedKeys = (body: string): { keys: string[]; quiet: boolean } => {
  if (!/<Delete[\s>]/.test(body)) throw malformed();
  const keys: string[] = [];
  for (const object of elementTexts(body, 'Object')) {
    const [key] = elementTexts(object, 'Key');
    if (key === undefined) throw malformed();
    keys.push(unescapeXml(key));
  }
  if (keys.length === 0 || keys.length > MAX_KEYS) throw malformed();
  return { keys, quiet: /<Quiet>\s*true\s*<\/Quiet>/i.test(body) };
};

/**
 * The body's integrity, which DeleteObjects requires ("DeleteObjects": "The Content-MD5 or x-amz-sdk-checksum-algorithm
 * header is required"): a Content-MD5 or an `x-amz-checksum-*` that matches it.
 */
const checkIntegrity = async (headers: IncomingHttpHeaders, body: Buffer): Promise<void> => {
  const md5 = headers['content-md5'];
  const sent: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-checksum-') && typeof value === 'string') sent[name] = value;
  }
  if (typeof md5 === 'string') {
    if (createHash('md5').update(body).digest('base64') !== md5.trim()) {
      throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
  } else if (Object.keys(sent).length > 0) await checksumOf(body, sent);
  else throw new S3Error(400, 'InvalidRequest', 'Missing required header for this request: Content-MD5');
};

/**
 * DeleteObjects (`POST /<bucket>?delete`): each key removed (a key that is not there counts as deleted, as for
 * DeleteObject), `removed` told of each object that was there; the answer lists them unless Quiet.
 */
export const deleteObjects = async (
  store: BucketStore,
  bucket: string,
  request: { headers: IncomingHttpHeaders; body: Buffer },
  removed: (key: string) => void,
): Promise<string> => {
  store.bucket(bucket);
  await checkIntegrity(request.headers, request.body);
  const { keys, quiet } = requestedKeys(request.body.toString('utf8'));
  const deleted: string[] = [];
  for (const key of keys) {
    if (store.delete(bucket, key)) removed(key);
    if (!quiet) deleted.push(`<Deleted>${xmlElement('Key', key)}</Deleted>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="${S3_NAMESPACE}">${deleted.join('')}</DeleteResult>`;
};
