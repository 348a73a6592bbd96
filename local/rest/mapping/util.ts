/**
 * `$util` (developer guide, "Variables for data transformations", `$util` variables), with the Java semantics
 * API Gateway's Velocity engine has: escapeJavaScript is commons-lang's StringEscapeUtils.escapeJavaScript (it
 * escapes `'` as `\'`, which JSON does not allow), urlEncode is java.net.URLEncoder (a space becomes `+`).
 */
const escapeJavaScript = (value: unknown): string => {
  const text = value === undefined || value === null ? '' : String(value);
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    switch (char) {
      case '"':
        out += '\\"';
        break;
      case "'":
        out += "\\'";
        break;
      case '\\':
        out += '\\\\';
        break;
      case '/':
        out += '\\/';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      default:
        if (code < 0x20 || code > 0x7e) {
          // Java escapes by UTF-16 unit: a character outside the BMP is two \uXXXX escapes.
          for (const unit of char.split('').map((c) => c.charCodeAt(0))) {
            out += `\\u${unit.toString(16).toUpperCase().padStart(4, '0')}`;
          }
        } else out += char;
    }
  }
  return out;
};

/** java.net.URLEncoder.encode(s, "UTF-8"): letters, digits and `.-*_` stay, space is `+`, the rest %XX. */
const urlEncode = (value: unknown): string =>
  encodeURIComponent(value === undefined || value === null ? '' : String(value))
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');

const urlDecode = (value: unknown): string => {
  const text = value === undefined || value === null ? '' : String(value);
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
};

export const utilVariable = {
  escapeJavaScript,
  parseJson: (value: unknown): unknown => JSON.parse(String(value)),
  urlEncode,
  urlDecode,
  base64Encode: (value: unknown): string =>
    Buffer.from(value === undefined || value === null ? '' : String(value)).toString('base64'),
  base64Decode: (value: unknown): string => Buffer.from(String(value ?? ''), 'base64').toString('utf8'),
};
