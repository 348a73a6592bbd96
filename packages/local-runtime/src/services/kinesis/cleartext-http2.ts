import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import { createServer as createNetServer, type Server } from 'node:net';
import { guardHttpPort } from '../../shared/http-port.ts';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

// Every HTTP/2 connection opens with this preface (RFC 9113, section 3.4).
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n');

/**
 * A port that serves both HTTP/1.1 and cleartext HTTP/2 with prior knowledge (h2c): the AWS SDK for JavaScript v3's
 * Kinesis client sends every request over HTTP/2 (its NodeHttp2Handler, for SubscribeToShard's event stream), and
 * over `http://` that is h2c, which a node:http server cannot read. Each connection's first bytes say which it is.
 * node:http2's compatibility API gives `handler` the same request and response surface node:http does.
 */
export const dualProtocolServer = (handler: Handler): Server => {
  const http1 = guardHttpPort(createHttpServer(handler));
  const http2 = createHttp2Server();
  http2.on('request', (request, response) =>
    handler(request as unknown as IncomingMessage, response as unknown as ServerResponse),
  );
  // A broken HTTP/2 connection costs that connection.
  http2.on('sessionError', () => {});
  const server = createNetServer((socket) => {
    socket.once('readable', () => {
      const chunk: Buffer | null = socket.read();
      if (chunk === null) {
        socket.destroy();
        return;
      }
      socket.unshift(chunk);
      const head = chunk.subarray(0, PREFACE.length);
      (head.equals(PREFACE.subarray(0, head.length)) ? http2 : http1).emit('connection', socket);
    });
    socket.on('error', () => socket.destroy());
  });
  return server;
};

/**
 * What the signature covers of an HTTP/2 request: the AWS SDK for JavaScript v3 signs its `:authority`
 * pseudo-header under that name, and a client that signed `host` sent it as `:authority` (RFC 9113, section
 * 8.3.1), so both are there to check. An HTTP/1.1 request is returned as it is.
 */
export const signedView = (request: IncomingMessage): IncomingMessage => {
  if (request.httpVersionMajor !== 2) return request;
  const raw = request.rawHeaders;
  const authority = raw.findIndex((name, i) => i % 2 === 0 && name === ':authority');
  const hasHost = raw.some((name, i) => i % 2 === 0 && name.toLowerCase() === 'host');
  const rawHeaders = authority < 0 || hasHost ? raw : [...raw, 'host', raw[authority + 1] ?? ''];
  return { method: request.method, url: request.url, rawHeaders } as IncomingMessage;
};
