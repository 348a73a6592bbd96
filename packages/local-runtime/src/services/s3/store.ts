import { createHash } from 'node:crypto';
import { keyedFrom } from '../../shared/client-keyed.ts';
import type { ObjectChecksum } from './checksums.ts';
import { noSuchBucket, noSuchKey, S3Error } from './errors.ts';

export interface S3Object {
  key: string;
  body: Buffer;
  /** The MD5 of the body in hex, in double quotes, as S3 gives a single-part upload's ETag. */
  etag: string;
  lastModified: Date;
  contentType: string;
  checksum: ObjectChecksum;
  /** `x-amz-meta-*` headers by lower-case name, and the representation headers S3 keeps (Cache-Control...). */
  headers: Record<string, string>;
}

export interface Bucket {
  name: string;
  created: Date;
  objects: Map<string, S3Object>;
}

/**
 * Objects are held in memory: each at most 16 MiB and all of them at most 256 MiB together, so a runaway writer costs
 * its own requests (EntityTooLarge), never the runtime's memory.
 */
export const MAX_OBJECT_BYTES = 16 * 1024 * 1024;
export const MAX_STORE_BYTES = 256 * 1024 * 1024;

// "General purpose bucket naming rules": 3-63 characters, lower-case letters, digits, dots and hyphens, beginning and
// ending with a letter or digit, not shaped like an IP address.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
export const validBucketName = (name: string): boolean =>
  BUCKET_NAME.test(name) && !name.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(name);

export class BucketStore {
  private readonly buckets = new Map<string, Bucket>();
  private bytes = 0;

  all(): Bucket[] {
    return [...this.buckets.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  has(name: string): boolean {
    return this.buckets.has(name);
  }

  bucket(name: string): Bucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw noSuchBucket(name);
    return bucket;
  }

  /** False when the bucket was there already. */
  create(name: string): boolean {
    if (!validBucketName(name))
      throw new S3Error(400, 'InvalidBucketName', 'The specified bucket is not valid.', { BucketName: name });
    if (this.buckets.has(name)) return false;
    this.buckets.set(name, { name, created: new Date(), objects: new Map() });
    return true;
  }

  deleteBucket(name: string): void {
    const bucket = this.bucket(name);
    if (bucket.objects.size > 0) {
      throw new S3Error(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', { BucketName: name });
    }
    this.buckets.delete(name);
  }

  get(bucketName: string, key: string): S3Object {
    const object = this.bucket(bucketName).objects.get(key);
    if (!object) throw noSuchKey(key);
    return object;
  }

  put(
    bucketName: string,
    key: string,
    body: Buffer,
    described: { contentType: string; checksum: ObjectChecksum; headers: Record<string, string> },
  ): S3Object {
    const bucket = this.bucket(bucketName);
    const before = bucket.objects.get(key)?.body.length ?? 0;
    if (body.length > MAX_OBJECT_BYTES || this.bytes - before + body.length > MAX_STORE_BYTES) {
      throw new S3Error(
        400,
        'EntityTooLarge',
        `Your proposed upload exceeds the maximum allowed size (the local S3 holds objects in memory: at most ${MAX_OBJECT_BYTES} bytes each, ${MAX_STORE_BYTES} in all)`,
        { ProposedSize: String(body.length), MaxSizeAllowed: String(MAX_OBJECT_BYTES) },
      );
    }
    const object: S3Object = {
      key,
      body,
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      // S3 keeps whole seconds in Last-Modified (an HTTP date).
      lastModified: new Date(Math.floor(Date.now() / 1000) * 1000),
      contentType: described.contentType,
      checksum: described.checksum,
      headers: keyedFrom(Object.entries(described.headers)),
    };
    bucket.objects.set(key, object);
    this.bytes += body.length - before;
    return object;
  }

  /** The object removed, if there was one. */
  delete(bucketName: string, key: string): S3Object | undefined {
    const bucket = this.bucket(bucketName);
    const object = bucket.objects.get(key);
    if (!object) return undefined;
    bucket.objects.delete(key);
    this.bytes -= object.body.length;
    return object;
  }

  clear(): void {
    this.buckets.clear();
    this.bytes = 0;
  }
}
