import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/**
 * An answer written on a raw socket, where there is no ServerResponse (a refused WebSocket handshake, CONNECT, a
 * request the parser refused): API Gateway's `{"message": ...}` body, then the connection closes.
 */
export const rawJsonAnswer = (status: number, message: string): string => {
  const body = JSON.stringify({ message });
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
};

const CONNECT_REFUSED = rawJsonAnswer(
  405,
  'Method Not Allowed: CONNECT opens a tunnel through a proxy, and this is none',
);

/** How long a refused client may go on sending before its socket is dropped (see `lingeringClose`). */
const LINGER_MS = 2000;

/**
 * Answers, then closes without losing the answer: a socket closed while the client's bytes still wait unread makes the
 * kernel send a reset, which can overtake the answer. So the rest of what the client sends is read and dropped until
 * it closes (or LINGER_MS pass), as servers do on an error answer ("lingering close").
 */
export const lingeringClose = (socket: Duplex, text: string): void => {
  answered.add(socket);
  socket.on('error', () => socket.destroy());
  // node:http's parser, fed the rest, would report the same error again for each chunk: it is read no more.
  socket.removeAllListeners('data');
  socket.on('data', () => {});
  socket.end(text);
  socket.resume();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
};

const answered = new WeakSet<Duplex>();

const clientErrorStatus = (code: string | undefined): number => {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
};

/** A short reason for the parser's refusal, in words of its own (never the client's bytes). */
const parserReason = (code: string | undefined): string => {
  switch (code) {
    case 'HPE_INVALID_METHOD':
      return 'the method is not one HTTP/1.1 servers take';
    case 'HPE_HEADER_OVERFLOW':
      return 'the request line and headers are too large';
    case 'HPE_INVALID_CHUNK_SIZE':
      return 'a chunk size of the body is malformed';
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return 'Content-Length and Transfer-Encoding are both given';
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'the request took too long';
    default:
      return 'the request is not well-formed HTTP/1.1';
  }
};

/**
 * How much of a body its answer left unread is read and dropped before the connection is dropped instead: more than
 * the largest body any port takes (S3's 16 MiB object and DynamoDB's 16 MiB request; API Gateway's 10 MB), so a
 * client sending a body its port could have taken always gets the answer, and a hostile endless body cannot hold the
 * connection.
 */
export const DRAIN_LIMIT_BYTES = 32 * 1024 * 1024;

/** How long a drain waits for the next bytes of the body before it drops the connection. */
const DRAIN_IDLE_MS = 5000;

/** Each request's answer, while the port handles it (see closeAfterAnswer). */
const responses = new WeakMap<IncomingMessage, ServerResponse>();

/**
 * The answer to `request`, not begun yet, closes the connection (`Connection: close`): what a port says to a body it
 * refuses unread (one over its limit), whose rest is then drained only up to DRAIN_LIMIT_BYTES.
 */
export const closeAfterAnswer = (request: IncomingMessage): void => {
  const response = responses.get(request);
  if (response && !response.headersSent) response.shouldKeepAlive = false;
};

/**
 * An answer has ended while its request's body is still coming. node:http then reads and drops the body if the
 * connection stays open, without a bound; and if the answer was the connection's last (`Connection: close`), it closes
 * the socket as soon as the answer is written (destroySoon), with the client's bytes unread: the kernel resets the
 * connection, and the reset can overtake the answer (the client sees ECONNRESET or "socket hang up", not the answer).
 * Here the body is read and dropped to its end either way, and only then does a last answer's close happen; past
 * DRAIN_LIMIT_BYTES, or DRAIN_IDLE_MS without a byte, the connection is closed instead (lingering close, as servers do).
 */
const drainAfterAnswer = (request: IncomingMessage): void => {
  const socket = request.socket;
  const destroySoon = socket.destroySoon;
  const close = () => destroySoon.call(socket);
  let left = DRAIN_LIMIT_BYTES;
  let lastAnswer = false;
  const idle = setTimeout(close, DRAIN_IDLE_MS).unref();
  const done = () => {
    clearTimeout(idle);
    socket.destroySoon = destroySoon;
  };
  // node:http closes the connection after its last answer with destroySoon: that close waits for the body's end.
  socket.destroySoon = () => {
    lastAnswer = true;
    socket.end();
  };
  request.on('data', (chunk: Buffer) => {
    idle.refresh();
    left -= chunk.length;
    if (left < 0 && left + chunk.length >= 0) close();
  });
  request.once('end', () => {
    done();
    if (lastAnswer) close();
  });
  request.once('close', done);
  request.resume();
};

function drainIfUnread(this: ServerResponse): void {
  if (!this.req.complete) drainAfterAnswer(this.req);
}

/**
 * What every HTTP port of the runtime does before its handler, so that every request gets exactly one answer:
 * - CONNECT: node:http hands it to 'connect' listeners and, with none, closes the socket without a word. The ports are
 *   origin servers, not proxies: 405.
 * - A request node:http cannot parse (a malformed start line, header or chunk; a method it does not know): 400 (431
 *   for headers over its limit, 408 for a request that took too long), answered with a lingering close so the client
 *   reads it, where node:http's default answer is followed at once by a close that a reset can overtake.
 * - An `Expect` header other than 100-continue: 417 with a message, where node:http answers an empty 417.
 * - An answer given before the request's body was read (a refusal, a page that reads nothing, a body over the limit):
 *   the body is read and dropped before the connection closes, bounded (see drainAfterAnswer).
 */
export const guardHttpPort = <T extends Server>(server: T): T => {
  // An HTTP/1.1 request without Host gets its 400 with a message from the port's handler (refuseBadHost), where
  // node:http's own check answers an empty 400.
  Object.assign(server, { requireHostHeader: false });
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    // A request with no body has nothing to drain: most requests cost this test only.
    const length = request.headers['content-length'];
    if (request.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) return;
    responses.set(request, response);
    response.prependListener('finish', drainIfUnread);
  });
  server.on('connect', (_request: unknown, socket: Duplex) => lingeringClose(socket, CONNECT_REFUSED));
  // An `Expect` other than 100-continue: node:http's own answer is a bare 417 with no word of why (RFC 9110, 10.1.1:
  // a server that does not support an expectation answers 417).
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const body = JSON.stringify({ message: 'Expectation Failed: only Expect: 100-continue is supported' });
    response.shouldKeepAlive = false;
    response
      .writeHead(417, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) })
      .end(body);
    if (!request.complete) request.resume();
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (answered.has(socket)) return;
    // Gone already, or an answer under way: nothing more can be said on this connection.
    if (!socket.writable || (socket as Socket).bytesWritten > 0 || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    lingeringClose(socket, rawJsonAnswer(clientErrorStatus(error.code), `Bad Request: ${parserReason(error.code)}`));
  });
  return server;
};
