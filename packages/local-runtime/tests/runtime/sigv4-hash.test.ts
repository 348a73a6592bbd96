import { describe, expect, it } from '@jest/globals';
import { Hash } from '@smithy/hash-node';
import { Sha256 } from '../../src/gateway/auth/sigv4-hash.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const both = async (secret: string | Uint8Array | undefined, data: string) => {
  const ours = new Sha256(secret);
  const theirs = new Hash('sha256', secret);
  ours.update(Buffer.from(data));
  theirs.update(Buffer.from(data));
  return [hex(await ours.digest()), hex(await theirs.digest())];
};

describe('the SHA-256 signatures are checked with (sigv4-hash.ts)', () => {
  it('hashes and HMACs as @smithy/hash-node does, with a string, a byte or a repeated key', async () => {
    const [plain, plainExpected] = await both(undefined, 'canonical request');
    expect(plain).toBe(plainExpected);
    for (const secret of ['AWS4wJalrXUtnFEMI/K7MDENG', new Uint8Array([1, 2, 3, 250]), 'AWS4wJalrXUtnFEMI/K7MDENG']) {
      const [mac, macExpected] = await both(secret, '20261207');
      expect(mac).toBe(macExpected);
    }
    const [other] = await both('another secret', '20261207');
    const [first] = await both('AWS4wJalrXUtnFEMI/K7MDENG', '20261207');
    expect(other).not.toBe(first);
  });

  it('starts again after reset', async () => {
    const hash = new Sha256('key');
    hash.update(Buffer.from('dropped'));
    hash.reset();
    hash.update(Buffer.from('kept'));
    const [expected] = await both('key', 'kept');
    expect(hex(await hash.digest())).toBe(expected);
  });
});
