import { keyed } from './client-keyed.ts';

/**
 * Header fields as node:http can write them. A value may hold only tab, visible ASCII and Latin-1 text; anything
 * else makes node:http throw, so an answer whose header carries text from a request, a function or a back end must
 * be made writable first, or the client gets a 500 instead of the answer.
 */

/** RFC 9110 `token`. */
const NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Tab, visible ASCII and Latin-1 beyond it: what node:http writes as it is. */
const WRITABLE_AS_IS = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * The value as it can be written: unchanged when node:http takes it; text beyond Latin-1 as its UTF-8 bytes (what a
 * client decoding the header as UTF-8 reads back); undefined when it holds CR, LF or another control character, which
 * is never written (it could start a header line of its own).
 */
export const writableHeaderValue = (value: string): string | undefined => {
  // Nearly every value is tab and visible Latin-1 alone: one pass of a compiled regular expression, not a loop in
  // JavaScript (a few µs a response with a dozen headers).
  if (WRITABLE_AS_IS.test(value)) return value;
  let beyondLatin1 = false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return undefined;
    if (code > 0xff) beyondLatin1 = true;
  }
  return beyondLatin1 ? Buffer.from(value, 'utf8').toString('latin1') : value;
};

/**
 * The fields of `headers` that can be written (values made writable, see writableHeaderValue), in a keyed map, and the names of the fields left out: a name that is not a token, or a value with a control character.
 */
export const writableHeaders = (
  headers: Readonly<Record<string, string | readonly string[]>>,
): { headers: Record<string, string | string[]>; dropped: string[] } => {
  const out = keyed<string | string[]>();
  const dropped: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!NAME.test(name)) {
      dropped.push(JSON.stringify(name));
      continue;
    }
    if (typeof value === 'string') {
      const writable = writableHeaderValue(value);
      if (writable === undefined) dropped.push(name);
      else out[name] = writable;
      continue;
    }
    const values: string[] = [];
    for (const item of value) {
      const writable = writableHeaderValue(item);
      if (writable === undefined) dropped.push(name);
      else values.push(writable);
    }
    if (values.length > 0) out[name] = values;
  }
  return { headers: out, dropped };
};
