import { createHash } from 'node:crypto';
import { Crc32, Crc32c, Crc64Nvme } from '@aws-sdk/checksums/crc';
import { S3Error } from './errors.ts';

/** An object's full-object checksum as S3 keeps it: the algorithm's lower-case name and the digest in base64. */
export interface ObjectChecksum {
  algorithm: ChecksumAlgorithm;
  value: string;
}

type ChecksumAlgorithm = 'crc32' | 'crc32c' | 'crc64nvme' | 'sha1' | 'sha256';
const ALGORITHMS: readonly ChecksumAlgorithm[] = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'];

const digest = async (algorithm: ChecksumAlgorithm, body: Buffer): Promise<string> => {
  if (algorithm === 'sha1' || algorithm === 'sha256') return createHash(algorithm).update(body).digest('base64');
  const checksum = algorithm === 'crc32' ? new Crc32() : algorithm === 'crc32c' ? new Crc32c() : new Crc64Nvme();
  checksum.update(body);
  return Buffer.from(await checksum.digest()).toString('base64');
};

/**
 * The checksum PutObject keeps ("Checking object integrity in Amazon S3"): the one the client sent
 * (`x-amz-checksum-<algorithm>`, as a header or an aws-chunked trailer), checked against the body (400 BadDigest when it
 * differs), or else the CRC64NVME S3 computes for every new object.
 */
export const checksumOf = async (body: Buffer, sent: Record<string, string | undefined>): Promise<ObjectChecksum> => {
  for (const algorithm of ALGORITHMS) {
    const value = sent[`x-amz-checksum-${algorithm}`];
    if (value === undefined) continue;
    if ((await digest(algorithm, body)) !== value.trim()) {
      throw new S3Error(
        400,
        'BadDigest',
        `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
      );
    }
    return { algorithm, value: value.trim() };
  }
  return { algorithm: 'crc64nvme', value: await digest('crc64nvme', body) };
};

/** The checksum's response headers: S3 gives them with a whole object (`x-amz-checksum-mode: ENABLED` on a GET). */
export const checksumHeaders = (checksum: ObjectChecksum): Record<string, string> => ({
  [`x-amz-checksum-${checksum.algorithm}`]: checksum.value,
  'x-amz-checksum-type': 'FULL_OBJECT',
});

/**
 * PutObject's `Content-MD5` (RFC 1864: the body's MD5 in base64), checked as S3 checks it ("Error responses": 400
 * InvalidDigest for a value that is no MD5, 400 BadDigest for one that differs from the body's).
 */
export const checkContentMd5 = (body: Buffer, header: string | string[] | undefined): void => {
  if (header === undefined) return;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (!/^[A-Za-z0-9+/]{22}==$/.test(value))
    throw new S3Error(400, 'InvalidDigest', 'The Content-MD5 you specified was not valid.', { 'Content-MD5': value });
  if (createHash('md5').update(body).digest('base64') !== value)
    throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.', {
      ExpectedDigest: value,
    });
};
