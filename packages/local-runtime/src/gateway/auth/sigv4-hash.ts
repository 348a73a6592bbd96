import { createHash, createHmac, createSecretKey, type Hash, type Hmac, type KeyObject } from 'node:crypto';
import type { Checksum, SourceData } from '@smithy/types';

const bytesOf = (data: SourceData): Buffer =>
  typeof data === 'string'
    ? Buffer.from(data, 'utf8')
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

// The keys a signature check uses are few (a secret, and the signing keys derived from it per day, region and
// service); a bound keeps a caller cycling through made-up secrets (--accept-any-signature never signs) from growing it.
const MAX_KEYS = 256;
const keys = new Map<string, KeyObject>();

/**
 * An HMAC key as a KeyObject, made once per key: Node 24's createHmac spends far longer checking a Buffer or string
 * key (isKeyObject's brand check) than the HMAC itself, a large part of each signature check's CPU.
 */
const keyOf = (secret: SourceData): KeyObject => {
  const bytes = bytesOf(secret);
  const name = bytes.toString('base64');
  let key = keys.get(name);
  if (!key) {
    if (keys.size >= MAX_KEYS) keys.clear();
    key = createSecretKey(bytes);
    keys.set(name, key);
  }
  return key;
};

/**
 * The SHA-256 (and, given a secret, HMAC-SHA256) @smithy/signature-v4 computes signatures with: @smithy/hash-node's
 * Hash with the same results, its HMAC keys made once (keyOf).
 */
export class Sha256 implements Checksum {
  private readonly secret: SourceData | undefined;
  private hash!: Hash | Hmac;

  constructor(secret?: SourceData) {
    this.secret = secret;
    this.reset();
  }

  update(data: Uint8Array): void {
    this.hash.update(data);
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }

  reset(): void {
    this.hash = this.secret ? createHmac('sha256', keyOf(this.secret)) : createHash('sha256');
  }
}
