/**
 * Values shaped as LocalStack's snapshot library stored them, for recordings whose tests matched raw answers: a
 * string inside a matched object that holds a JSON object was stored parsed, and `bytes` were stored as Python's
 * repr of them (`b'...'`).
 */
export const asSnapshotted = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(asSnapshotted);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      if (typeof item === 'string' && item.startsWith('{')) {
        try {
          return [key, asSnapshotted(JSON.parse(item) as unknown)];
        } catch {
          return [key, item];
        }
      }
      return [key, asSnapshotted(item)];
    }),
  );
};

/** Python's `repr(bytes)`: single quotes unless the bytes hold a single quote and no double quote. */
export const pythonBytesRepr = (bytes: Buffer): string => {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? '"' : "'";
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x5c) out += '\\\\';
    else if (byte === quote.charCodeAt(0)) out += `\\${quote}`;
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x09) out += '\\t';
    else if (byte < 0x20 || byte >= 0x7f) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `b${quote}${out}${quote}`;
};

/** Python's json.dumps (its `", "` and `": "` separators), as requests' `json=` and the Python back ends wrote JSON. */
export const pythonJsonDumps = (value: unknown): string =>
  JSON.stringify(value).replace(/"(?:[^"\\]|\\.)*"|[,:]/g, (token) =>
    token === ',' ? ', ' : token === ':' ? ': ' : token,
  );
