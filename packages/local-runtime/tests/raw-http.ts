import { connect } from 'node:net';

/**
 * One HTTP/1.1 exchange written byte for byte on a fresh socket: what fetch and node:http will not send (repeated
 * Host headers, header names fetch normalises, a Host of any name). The answer is read until the server closes.
 */
export interface RawAnswer {
  status: number;
  /** Header lines in order, names lower-cased. */
  headers: [string, string][];
  header: (name: string) => string | undefined;
  text: string;
  json: () => Record<string, unknown>;
}

/** Thrown when the server closes the connection without an answer (a reset or a hang-up). */
export class HungUp extends Error {
  override readonly name = 'HungUp';
}

const dechunk = (body: Buffer): Buffer => {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!(size > 0)) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
};

const parse = (bytes: Buffer): RawAnswer => {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) throw new HungUp(`no complete answer: ${JSON.stringify(bytes.toString('latin1'))}`);
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers = lines.map((line): [string, string] => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
  });
  const header = (name: string) => headers.find(([key]) => key === name.toLowerCase())?.[1];
  const raw = bytes.subarray(end + 4);
  const body = /chunked/i.test(header('transfer-encoding') ?? '') ? dechunk(raw) : raw;
  const text = body.toString('utf8');
  return { status, headers, header, text, json: () => JSON.parse(text) as Record<string, unknown> };
};

/**
 * Sends `request` (a request line and header lines, without the blank line; `Connection: close` is added) and
 * `body` to the server of `origin`. Rejects with HungUp when the connection closes before a whole answer came.
 */
export const rawRequest = (origin: string, request: string[], body = '', timeoutMs = 15_000): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(origin);
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new HungUp(`no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // A switch of protocols (a WebSocket handshake) keeps the connection: its head is the whole answer.
      const bytes = Buffer.concat(chunks);
      if (bytes.subarray(0, 12).toString('latin1') === 'HTTP/1.1 101' && bytes.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parse(Buffer.concat(chunks)));
      } catch (error) {
        reject(error);
      }
    });
    const payload = Buffer.from(body);
    const lengthLine = payload.length > 0 ? [`Content-Length: ${payload.length}`] : [];
    // Written, not ended: node:http drops the requests of a client that half-closes its side; `Connection: close`
    // has the server close once it has answered.
    const head = `${[...request, ...lengthLine, 'Connection: close'].join('\r\n')}\r\n\r\n`;
    socket.write(Buffer.concat([Buffer.from(head), payload]));
  });

/** `GET path` with a Host of the origin and `headers` (name, value pairs, repeats allowed). */
export const rawGet = (origin: string, path: string, headers: [string, string][] = [], host = new URL(origin).host) =>
  rawRequest(origin, [`GET ${path} HTTP/1.1`, `Host: ${host}`, ...headers.map(([name, value]) => `${name}: ${value}`)]);

/** What a client streaming a body saw: the answers it read, how much body it sent, whether it met a reset. */
export interface StreamedExchange {
  answers: RawAnswer[];
  /** Body bytes the client wrote before it stopped (all of them, or fewer when the server closed first). */
  sent: number;
  /** The connection was reset (ECONNRESET/EPIPE on the client's side). */
  reset: boolean;
}

/** The answers in `bytes`, in order: each framed by its Content-Length or its chunks (none has neither). */
const splitAnswers = (bytes: Buffer): RawAnswer[] => {
  const answers: RawAnswer[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const head = rest.subarray(0, end).toString('latin1');
    let size = end + 4 + Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      const last = rest.indexOf('\r\n0\r\n\r\n', end);
      if (last < 0) break;
      size = last + 7;
    }
    if (rest.length < size) break;
    answers.push(parse(rest.subarray(0, size)));
    rest = rest.subarray(size);
  }
  return answers;
};

/**
 * Writes a request head, then `bodyBytes` of body (`x`s) in chunks of `chunkBytes`, one chunk a turn of the event loop
 * and at the socket's pace, going on whatever the server has answered meanwhile, as a client streaming an upload does.
 * `chunked` frames the body as chunks of unknown total (Transfer-Encoding: chunked); otherwise `declaredBytes`
 * (default `bodyBytes`) is its Content-Length. When the body is written, `followedBy` (another request) is, and the exchange
 * resolves once the server closes the connection (the client's side ends once its writing is done). It stops writing
 * when the server closes (or resets) the connection first; the server's end of its side alone does not stop it.
 */
export const streamRequest = (
  origin: string,
  head: string[],
  options: {
    bodyBytes: number;
    declaredBytes?: number;
    chunked?: boolean;
    /** No framing header: the bytes after a WebSocket handshake, say. */
    unframed?: boolean;
    chunkBytes?: number;
    followedBy?: string;
  },
  timeoutMs = 60_000,
): Promise<StreamedExchange> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(origin);
    // Half-open: the server's end of its side (after its answer) does not end the client's, which sends on.
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port), allowHalfOpen: true });
    const received: Buffer[] = [];
    let sent = 0;
    let written = false;
    let ended = false;
    socket.on('end', () => {
      ended = true;
      if (written) socket.end();
    });
    let reset = false;
    let closed = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new HungUp(`the connection was still open after ${timeoutMs} ms (${sent} body bytes sent)`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') reset = true;
    });
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({ answers: splitAnswers(Buffer.concat(received)), sent, reset });
    });
    const framing = options.unframed
      ? []
      : options.chunked
        ? ['Transfer-Encoding: chunked']
        : [`Content-Length: ${options.declaredBytes ?? options.bodyBytes}`];
    socket.write(`${[...head, ...framing].join('\r\n')}\r\n\r\n`);
    const chunkBytes = options.chunkBytes ?? 64 * 1024;
    const write = async () => {
      while (!closed && sent < options.bodyBytes) {
        const size = Math.min(chunkBytes, options.bodyBytes - sent);
        const data = Buffer.alloc(size, 'x');
        const framed = options.chunked
          ? Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), data, Buffer.from('\r\n')])
          : data;
        if (!socket.write(framed)) await new Promise((next) => socket.once('drain', next).once('close', next));
        sent += size;
        await new Promise((next) => setImmediate(next));
      }
      if (closed) return;
      if (options.chunked) socket.write('0\r\n\r\n');
      if (options.followedBy) socket.write(options.followedBy);
      written = true;
      if (ended) socket.end();
    };
    void write();
  });

/** The head of a WebSocket opening handshake (RFC 6455 section 4.1, the RFC's sample key) for `path` on `host`. */
export const webSocketHandshakeHead = (path: string, host: string): string[] => [
  `GET ${path} HTTP/1.1`,
  `Host: ${host}`,
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version: 13',
];
