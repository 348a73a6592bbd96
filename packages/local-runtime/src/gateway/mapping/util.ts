import { fromJson, javaString } from './values.ts';

const hex4 = (code: number): string => `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;

const SHORT_ESCAPES: Record<string, string> = {
  '\b': '\\b',
  '\n': '\\n',
  '\t': '\\t',
  '\f': '\\f',
  '\r': '\\r',
  "'": "\\'",
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
};

/**
 * Apache Commons Lang 2 `StringEscapeUtils.escapeJavaScript`, which API Gateway's `$util.escapeJavaScript` is: every
 * UTF-16 unit above 0x7F and every control character without a short form becomes `\uXXXX`; `'`, `"`, `\` and `/`
 * get a backslash. The `\'` is not a JSON escape, hence the developer guide's `.replaceAll("\\'", "'")` idiom
 * ("$util variables").
 */
const escapeJavaScript = (value: unknown): string => {
  const text = javaString(value);
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    const code = text.charCodeAt(i);
    const short = SHORT_ESCAPES[char];
    if (short !== undefined) out += short;
    else if (code > 0x7f || code < 0x20) out += hex4(code);
    else out += char;
  }
  return out;
};

/** Java's `getBytes(UTF_8)` writes `?` for a lone surrogate. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const isUnreserved = (byte: number): boolean =>
  (byte >= 0x30 && byte <= 0x39) ||
  (byte >= 0x41 && byte <= 0x5a) ||
  (byte >= 0x61 && byte <= 0x7a) ||
  byte === 0x2e ||
  byte === 0x2d ||
  byte === 0x2a ||
  byte === 0x5f;

/**
 * `java.net.URLEncoder.encode(s, "UTF-8")` ("application/x-www-form-urlencoded", developer guide, "$util
 * variables"): letters, digits and `.-*_` stay, a space is `+`, every other UTF-8 byte is `%XX` in upper case.
 * (JavaScript's encodeURIComponent differs: it keeps `!'()~`, encodes `*` and writes a space as `%20`.)
 */
const urlEncode = (value: unknown): string => {
  let out = '';
  for (const byte of Buffer.from(javaString(value).replace(LONE_SURROGATE, '?'), 'utf8')) {
    if (isUnreserved(byte)) out += String.fromCharCode(byte);
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
};

/**
 * `java.net.URLDecoder.decode(s, "UTF-8")`: `+` is a space, runs of `%XX` are UTF-8 bytes (malformed bytes become
 * U+FFFD), and a broken `%` escape is an error, as Java's IllegalArgumentException is.
 */
const urlDecode = (value: unknown): string => {
  const text = javaString(value);
  const decoder = new TextDecoder('utf-8');
  let out = '';
  let i = 0;
  while (i < text.length) {
    const char = text.charAt(i);
    if (char === '+') {
      out += ' ';
      i++;
    } else if (char === '%') {
      const bytes: number[] = [];
      while (text.charAt(i) === '%') {
        const pair = text.slice(i + 1, i + 3);
        if (!/^[0-9A-Fa-f]{2}$/.test(pair)) throw new Error(`urlDecode: malformed escape at index ${i} of "${text}"`);
        bytes.push(Number.parseInt(pair, 16));
        i += 3;
      }
      out += decoder.decode(Uint8Array.from(bytes));
    } else {
      out += char;
      i++;
    }
  }
  return out;
};

const parseJson = (value: unknown): unknown => {
  if (value === undefined || value === null) return undefined;
  const text = javaString(value);
  try {
    return fromJson(JSON.parse(text));
  } catch (error) {
    throw new Error(`parseJson: not JSON: ${text.slice(0, 100)}`, { cause: error });
  }
};

/**
 * `$util` (developer guide, "Variables for data transformations for API Gateway", `$util` variables), UTF-8
 * throughout. A fresh object per render: velocityjs writes an `eval` helper onto objects whose methods it calls.
 */
export const utilVariable = () => ({
  escapeJavaScript,
  parseJson,
  urlEncode,
  urlDecode,
  base64Encode: (value: unknown): string => Buffer.from(javaString(value), 'utf8').toString('base64'),
  base64Decode: (value: unknown): string => Buffer.from(javaString(value), 'base64').toString('utf8'),
});
