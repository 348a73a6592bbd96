import { createHash } from 'node:crypto';
import type { MessageAttributeValue } from './message.ts';

export const md5Hex = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');

const lengthPrefixed = (data: Buffer): Buffer => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
};

/**
 * MD5OfMessageAttributes as SQS computes it (SQS developer guide, "Calculating the MD5 message digest for message
 * attributes"): attributes sorted by name, each encoded as length-prefixed name, length-prefixed data type, one
 * transport byte (1 string, 2 binary) and the length-prefixed value.
 */
export const md5OfMessageAttributes = (attributes: Record<string, MessageAttributeValue>): string | undefined => {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  for (const name of names) {
    const attribute = attributes[name] as MessageAttributeValue;
    parts.push(lengthPrefixed(Buffer.from(name)), lengthPrefixed(Buffer.from(attribute.DataType)));
    if (attribute.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]), lengthPrefixed(Buffer.from(attribute.BinaryValue, 'base64')));
    } else {
      parts.push(Buffer.from([1]), lengthPrefixed(Buffer.from(attribute.StringValue ?? '')));
    }
  }
  return md5Hex(Buffer.concat(parts));
};
