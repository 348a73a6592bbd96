import { request } from 'node:http';

/** An answer as the recordings' tests saw it through python-requests. */
export interface ParityAnswer {
  status: number;
  /** Header names as the server wrote them. */
  headers: Record<string, string>;
  text: string;
  /** The body as received. */
  bytes: Buffer;
  /** `response.json()` when the body is JSON, else the text (what the tests record as `content`). */
  content: unknown;
}

/**
 * python-requests' own headers (requests.utils.default_headers), which every recorded request carried; a header the
 * test passed replaces the default of the same name in any case and keeps the test's spelling.
 */
const REQUESTS_DEFAULTS: Record<string, string> = {
  'User-Agent': 'python-requests/2.32.3',
  'Accept-Encoding': 'gzip, deflate',
  Accept: '*/*',
  Connection: 'keep-alive',
};

const withDefaults = (headers: Record<string, string>) => {
  const given = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
  const defaults = Object.entries(REQUESTS_DEFAULTS).filter(([name]) => !given.has(name.toLowerCase()));
  return { ...Object.fromEntries(defaults), ...headers };
};

/** Sends `path` (as written: repeated slashes and escapes kept) the way python-requests does. */
export const send = (
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<ParityAnswer> => {
  const url = new URL(base);
  const all = withDefaults(
    body === undefined ? headers : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
  );
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: url.hostname, port: url.port, method, path, headers: all, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const text = bytes.toString('utf8');
          const headersOut: Record<string, string> = {};
          const raw = response.rawHeaders;
          // Repeated names joined with ", " under the first spelling, as urllib3's HTTPHeaderDict gives them.
          const spelling = new Map<string, string>();
          for (let i = 0; i + 1 < raw.length; i += 2) {
            const name = raw[i] as string;
            const first = spelling.get(name.toLowerCase()) ?? name;
            spelling.set(name.toLowerCase(), first);
            const before = headersOut[first];
            headersOut[first] = before === undefined ? (raw[i + 1] as string) : `${before}, ${raw[i + 1]}`;
          }
          let content: unknown = text;
          try {
            content = JSON.parse(text);
          } catch {
            // Not JSON: the tests record the text.
          }
          resolve({ status: response.statusCode ?? 0, headers: headersOut, text, bytes, content });
        });
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
};
