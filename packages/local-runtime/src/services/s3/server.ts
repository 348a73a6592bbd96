import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SigV4Failure } from '../../gateway/auth/sigv4.ts';
import { stableId } from '../../template/physical-ids.ts';
import { type LocalService, listenService, readRequestBody, seededStore } from '../shared/local-service.ts';
import { requestVerifier, type ServiceAuth } from '../shared/request-auth.ts';
import { type S3Address, s3AddressOf } from './addressing.ts';
import { checkContentMd5, checksumHeaders, checksumOf } from './checksums.ts';
import { deleteObjects } from './delete-objects.ts';
import { S3Error } from './errors.ts';
import { listBuckets, listObjects, S3_NAMESPACE, xmlElement } from './listing.ts';
import { nextSequencer, type ObjectEvent } from './notification-events.ts';
import type { Notify } from './notifications.ts';
import { dechunked, objectAnswer, objectHeadersOf, type S3Answer } from './objects.ts';
import { BucketStore, MAX_OBJECT_BYTES, type S3Object } from './store.ts';

export interface S3Service extends LocalService {
  store: BucketStore;
  /** Back to the template's buckets, empty. */
  reset(): void;
}

// Subresources of the S3 API the local endpoint does not serve (`?delete` but as DeleteObjects' POST): refused by name
// rather than read as a plain GetObject / PutObject, which would answer something else than what was asked.
const NOT_SERVED = [
  'acl',
  'policy',
  'tagging',
  'versioning',
  'versions',
  'versionId',
  'cors',
  'lifecycle',
  'website',
  'uploads',
  'uploadId',
  'partNumber',
  'notification',
  'encryption',
  'replication',
  'logging',
  'delete',
  'ownershipControls',
  'publicAccessBlock',
  'object-lock',
  'retention',
  'legal-hold',
  'attributes',
  'restore',
  'select',
  'accelerate',
  'requestPayment',
  'torrent',
];

// The unsigned payloads a signature may name instead of the body's hash (SigV4 for S3, "Signature Calculations for
// the Authorization Header": UNSIGNED-PAYLOAD; "... Streaming Uploads": STREAMING-UNSIGNED-PAYLOAD-TRAILER). A
// signed stream (STREAMING-AWS4-HMAC-SHA256-PAYLOAD...) signs each chunk, which the local S3 does not check: refused.
const SIGNED_STREAM = /^STREAMING-(AWS4|ECDSA)/;

/** S3 answers a refused signature with 403 and its own codes ("List of error codes"). */
const authError = (failure: SigV4Failure): S3Error => {
  switch (failure.errorType) {
    case 'MissingAuthenticationTokenException':
      return new S3Error(403, 'AccessDenied', 'Access Denied');
    case 'UnrecognizedClientException':
      return new S3Error(
        403,
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
      );
    case 'IncompleteSignatureException':
      return new S3Error(400, 'AuthorizationHeaderMalformed', failure.message);
    default:
      return new S3Error(403, 'SignatureDoesNotMatch', failure.message);
  }
};

const methodNotAllowed = (method: string, resource: string) =>
  new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', {
    Method: method,
    ResourceType: resource,
  });

const xml = (status: number, body: string, headers: Record<string, string> = {}): S3Answer => ({
  status,
  headers: { 'Content-Type': 'application/xml', ...headers },
  body,
});

interface Context {
  store: BucketStore;
  region: string;
  owner: string;
  request: IncomingMessage;
  body: Buffer;
  query: URLSearchParams;
  /** Tells the bucket's notifications of an object created or removed (see notifications.ts). */
  notify: (eventName: string, bucket: string, key: string, object?: S3Object) => void;
}

const bucketOperation = (context: Context, bucket: string, query: URLSearchParams): S3Answer => {
  const { store, request, region } = context;
  switch (request.method) {
    case 'PUT': {
      // "CreateBucket": a bucket the caller owns already is 409 BucketAlreadyOwnedByYou, except in us-east-1, where
      // S3 answers 200 for compatibility.
      if (!store.create(bucket) && region !== 'us-east-1') {
        throw new S3Error(
          409,
          'BucketAlreadyOwnedByYou',
          'Your previous request to create the named bucket succeeded and you already own it.',
          { BucketName: bucket },
        );
      }
      return { status: 200, headers: { Location: `/${bucket}` } };
    }
    case 'HEAD':
      store.bucket(bucket);
      return { status: 200, headers: { 'x-amz-bucket-region': region } };
    case 'DELETE':
      store.deleteBucket(bucket);
      return { status: 204, headers: {} };
    case 'GET': {
      const found = store.bucket(bucket);
      if (query.has('location')) {
        // "GetBucketLocation": us-east-1 is an empty LocationConstraint.
        const location = region === 'us-east-1' ? '' : region;
        return xml(
          200,
          `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${S3_NAMESPACE}">${location}</LocationConstraint>`,
        );
      }
      return xml(200, listObjects(found, query));
    }
    default:
      throw methodNotAllowed(request.method ?? '', 'BUCKET');
  }
};

const copySourceOf = (header: string): { bucket: string; key: string } => {
  let text: string;
  try {
    text = decodeURIComponent(header.split('?')[0] ?? '');
  } catch {
    text = '';
  }
  const [bucket = '', ...key] = text.replace(/^\//, '').split('/');
  if (!bucket || key.length === 0) {
    throw new S3Error(
      400,
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      {
        ArgumentName: 'x-amz-copy-source',
        ArgumentValue: header,
      },
    );
  }
  return { bucket, key: key.join('/') };
};

/** S3's limit on a key: 1,024 bytes of UTF-8 ("Naming Amazon S3 objects"; longer is 400 KeyTooLongError). */
const MAX_KEY_BYTES = 1024;

const objectOperation = async (context: Context, bucket: string, key: string): Promise<S3Answer> => {
  const { store, request } = context;
  switch (request.method) {
    case 'PUT': {
      if (Buffer.byteLength(key) > MAX_KEY_BYTES)
        throw new S3Error(400, 'KeyTooLongError', 'Your key is too long', {
          MaxSizeAllowed: String(MAX_KEY_BYTES),
          Size: String(Buffer.byteLength(key)),
        });
      const copySource = request.headers['x-amz-copy-source'];
      if (typeof copySource === 'string') {
        const source = copySourceOf(copySource);
        const from = store.get(source.bucket, source.key);
        // "CopyObject": the metadata is copied unless x-amz-metadata-directive is REPLACE.
        const replace = request.headers['x-amz-metadata-directive'] === 'REPLACE';
        const { contentType, kept } = replace
          ? objectHeadersOf(request.headers)
          : { contentType: from.contentType, kept: from.headers };
        const copied = store.put(bucket, key, from.body, { contentType, checksum: from.checksum, headers: kept });
        context.notify('ObjectCreated:Copy', bucket, key, copied);
        return xml(
          200,
          `<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult xmlns="${S3_NAMESPACE}">${xmlElement('LastModified', copied.lastModified.toISOString())}${xmlElement('ETag', copied.etag)}</CopyObjectResult>`,
        );
      }
      const sha = String(request.headers['x-amz-content-sha256'] ?? '');
      if (SIGNED_STREAM.test(sha)) {
        throw new S3Error(
          400,
          'InvalidRequest',
          `The local S3 does not check chunk signatures (${sha}): send the payload whole or as STREAMING-UNSIGNED-PAYLOAD-TRAILER`,
        );
      }
      const chunked = String(request.headers['content-encoding'] ?? '').includes('aws-chunked');
      const { payload, trailers } = chunked
        ? dechunked(context.body)
        : { payload: context.body, trailers: {} as Record<string, string> };
      // The length the client declared for the decoded body must be what its chunks held ("Signature Calculations...
      // Streaming Uploads": x-amz-decoded-content-length), or the body was cut short.
      const declared = request.headers['x-amz-decoded-content-length'];
      if (chunked && declared !== undefined && String(payload.length) !== String(declared).trim())
        throw new S3Error(400, 'IncompleteBody', 'The request body terminated unexpectedly');
      const sent: Record<string, string | undefined> = { ...trailers };
      for (const [name, value] of Object.entries(request.headers)) {
        if (name.startsWith('x-amz-checksum-') && typeof value === 'string') sent[name] = value;
      }
      // The bucket first: a missing one is NoSuchBucket, whatever the body.
      store.bucket(bucket);
      checkContentMd5(payload, request.headers['content-md5']);
      const checksum = await checksumOf(payload, sent);
      const { contentType, kept } = objectHeadersOf(request.headers);
      const object = store.put(bucket, key, payload, { contentType, checksum, headers: kept });
      context.notify('ObjectCreated:Put', bucket, key, object);
      return {
        status: 200,
        headers: { etag: object.etag, 'x-amz-server-side-encryption': 'AES256', ...checksumHeaders(checksum) },
      };
    }
    case 'GET':
    case 'HEAD':
      return objectAnswer(
        store.get(bucket, key),
        {
          range: request.headers.range,
          query: context.query,
          checksumMode: request.headers['x-amz-checksum-mode'] === 'ENABLED',
        },
        request.method === 'GET',
      );
    case 'DELETE':
      // "DeleteObject": deleting a key that is not there succeeds (and, as nothing was removed, notifies nobody).
      if (store.delete(bucket, key)) context.notify('ObjectRemoved:Delete', bucket, key);
      return { status: 204, headers: {} };
    default:
      throw methodNotAllowed(request.method ?? '', 'OBJECT');
  }
};

const operate = async (context: Context, address: S3Address): Promise<S3Answer> => {
  const { bucket, key } = address;
  if (bucket !== undefined && key === undefined && context.request.method === 'POST' && address.query.has('delete')) {
    const removed = (deletedKey: string) => context.notify('ObjectRemoved:Delete', bucket, deletedKey);
    return xml(
      200,
      await deleteObjects(context.store, bucket, { headers: context.request.headers, body: context.body }, removed),
    );
  }
  const unserved = NOT_SERVED.find((name) => address.query.has(name));
  if (unserved) {
    throw new S3Error(
      501,
      'NotImplemented',
      `A header you provided implies functionality that is not implemented (the local S3 does not serve ?${unserved})`,
    );
  }
  if (bucket === undefined) {
    if (context.request.method !== 'GET') throw methodNotAllowed(context.request.method ?? '', 'SERVICE');
    return xml(200, listBuckets(context.store.all(), context.owner));
  }
  return key === undefined ? bucketOperation(context, bucket, address.query) : objectOperation(context, bucket, key);
};

const errorAnswer = (error: S3Error, requestId: string, withBody: boolean): S3Answer => {
  const details = Object.entries(error.details)
    .map(([name, value]) => xmlElement(name, value))
    .join('');
  return {
    status: error.status,
    headers: { 'Content-Type': 'application/xml' },
    // A HEAD answer has no body: the SDKs read the status alone (NotFound for 404).
    ...(withBody
      ? {
          body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${xmlElement('Code', error.code)}${xmlElement('Message', error.message)}${details}${xmlElement('RequestId', requestId)}${xmlElement('HostId', randomBytes(32).toString('base64'))}</Error>`,
        }
      : {}),
  };
};

/**
 * A local S3 endpoint in S3's REST-XML protocol, path-style or virtual-hosted: buckets (Create, Head, Delete, List,
 * GetBucketLocation) and objects (Put, Copy, Get with Range, Head, Delete, DeleteObjects, ListObjects and ListObjectsV2), held in
 * memory. Errors are S3's `<Error><Code>...` documents with their statuses. Each object created or removed is handed
 * to `notify` (the bucket notifications), which sends it on without the request waiting.
 */
export const startS3Service = async (options: {
  buckets: readonly string[];
  region: string;
  accountId: string;
  auth: ServiceAuth;
  port?: number;
  host?: string;
  /** Where object events go (the bucket notifications); none when absent. */
  notify?: Notify;
}): Promise<S3Service> => {
  const { store, reset } = seededStore(new BucketStore(), (empty) => {
    for (const bucket of options.buckets) empty.create(bucket);
  });
  const verify = requestVerifier(options.auth, 's3');
  const owner = stableId(`s3-owner/${options.accountId}`, 64, '0123456789abcdef');
  const handler = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
    const hostId = Buffer.from(requestId).toString('base64');
    let answer: S3Answer;
    try {
      // One byte over the limit tells a body too large from one just at it.
      const body = await readRequestBody(request, MAX_OBJECT_BYTES + 64 * 1024);
      if (body === undefined) {
        throw new S3Error(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
          MaxSizeAllowed: String(MAX_OBJECT_BYTES),
        });
      }
      const verified = await verify(request, body);
      if (!verified.ok) throw authError(verified);
      // S3 wants the payload's hash (or UNSIGNED-PAYLOAD) named in every header-signed request.
      if (request.headers.authorization !== undefined && request.headers['x-amz-content-sha256'] === undefined) {
        throw new S3Error(400, 'InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
      }
      const address = s3AddressOf(request.url ?? '/', String(request.headers.host ?? ''));
      const notify = (eventName: string, bucket: string, key: string, object?: S3Object) => {
        const event: ObjectEvent = {
          eventName,
          bucket,
          key,
          ...(object ? { size: object.body.length, eTag: object.etag.replace(/"/g, '') } : {}),
          sequencer: nextSequencer(),
          time: new Date(),
          requestId,
          hostId,
          sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
          principal: verified.identity.caller ?? options.accountId,
          requester: verified.identity.accountId ?? options.accountId,
        };
        options.notify?.(event);
      };
      answer = await operate(
        { store, region: options.region, owner, request, body, query: address.query, notify },
        address,
      );
    } catch (error) {
      if (!(error instanceof S3Error)) throw error;
      answer = errorAnswer(error, requestId, request.method !== 'HEAD');
    }
    const body = answer.body === undefined ? undefined : Buffer.from(answer.body);
    response.writeHead(answer.status, {
      'x-amz-request-id': requestId,
      'x-amz-id-2': hostId,
      // A HEAD answer's own Content-Length (the object's size) stays.
      ...(body === undefined && request.method !== 'HEAD' ? { 'content-length': '0' } : {}),
      ...(body !== undefined ? { 'content-length': String(body.length) } : {}),
      ...answer.headers,
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  };
  const service = await listenService('s3', handler, options);
  return { ...service, store, reset };
};
