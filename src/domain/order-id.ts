import { createHash, randomBytes } from 'node:crypto';

/** The contract's orderId rule: the Lambda path makes 26 chars, the direct v2 path 32 hex chars. */
export const orderIdPattern = /^ord_[0-9a-z]{20,40}$/;

const ID_LENGTH = 26;
const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Base-36 text of the first bytes: 26 chars of [0-9a-z] need 135 bits, so 17 bytes (136 bits) are enough. */
const encode = (bytes: Uint8Array): string => {
  let n = 0n;
  for (const byte of bytes.subarray(0, 17)) n = (n << 8n) | BigInt(byte);
  let text = '';
  for (let i = 0; i < ID_LENGTH; i++) {
    text = ALPHABET[Number(n % 36n)] + text;
    n /= 36n;
  }
  return `ord_${text}`;
};

export const isOrderId = (value: string): boolean => orderIdPattern.test(value);

export const newOrderId = (): string => encode(randomBytes(17));

/**
 * Same caller + same Idempotency-Key → same order id, hence the same execution name, so a retried POST cannot
 * start a second workflow. The sub is part of the hash so two callers' keys never collide.
 */
export const orderIdFor = (customerId: string, idempotencyKey: string): string =>
  encode(createHash('sha256').update(`${customerId}\u0000${idempotencyKey}`).digest());
