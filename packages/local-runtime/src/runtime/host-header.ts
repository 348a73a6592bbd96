import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { rawJsonAnswer } from '../shared/http-port.ts';

/**
 * What the runtime checks in a request's `Host` before any handler sees it: there is one (RFC 9112, section 3.2: a
 * request with more than one Host field is answered 400, on every port), and, for the runtime's own pages, it names
 * this machine.
 */

/** True when the request carries more than one Host field (node:http keeps the first and serves it otherwise). */
export const hasRepeatedHost = (request: IncomingMessage): boolean => {
  const raw = request.rawHeaders;
  let seen = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length !== 4 || name.toLowerCase() !== 'host') continue;
    if (seen) return true;
    seen = true;
  }
  return false;
};

/**
 * Why the request's Host fields are refused, if they are: more than one, or none in an HTTP/1.1 request (RFC 9112,
 * section 3.2: both are answered 400). node:http's own check of the second answers an empty 400; guardHttpPort turns
 * it off so that this one answers, with a message.
 */
const hostProblem = (request: IncomingMessage): string | undefined => {
  if (hasRepeatedHost(request)) return 'Bad Request: the request has more than one Host header (RFC 9112, section 3.2)';
  if (request.headers.host === undefined && request.httpVersion === '1.1')
    return 'Bad Request: an HTTP/1.1 request must have a Host header (RFC 9112, section 3.2)';
  return undefined;
};

/** Answers a request with two Host fields, or an HTTP/1.1 one with none, 400 and closes; true when it did. */
export const refuseBadHost = (request: IncomingMessage, response: ServerResponse): boolean => {
  const problem = hostProblem(request);
  if (!problem) return false;
  response.shouldKeepAlive = false;
  response
    .writeHead(400, { 'Content-Type': 'application/json', Connection: 'close' })
    .end(JSON.stringify({ message: problem }));
  return true;
};

/** The same for a WebSocket handshake, answered on the raw socket; true when it did. */
export const refuseBadHostUpgrade = (request: IncomingMessage, socket: Duplex): boolean => {
  const problem = hostProblem(request);
  if (!problem) return false;
  socket.end(rawJsonAnswer(400, problem));
  return true;
};

/** `host` of `host:port`, `[::1]:port` or `host`, lower-cased, brackets and a trailing dot removed. */
const hostNameOf = (host: string): string => {
  const trimmed = host.trim().toLowerCase();
  const name = trimmed.startsWith('[') ? trimmed.slice(1, trimmed.indexOf(']')) : trimmed.replace(/:\d*$/, '');
  return name.replace(/\.$/, '');
};

/**
 * Whether a request's Host names this machine as the runtime listens: `localhost` (and `*.localhost`, which resolve to
 * loopback), an IP address, or the `--host` it was started with. A page of another origin that makes its own name
 * resolve to 127.0.0.1 (DNS rebinding) sends that name as Host, and is refused; an IP address or `localhost` cannot be
 * rebound. As Vite's and webpack-dev-server's `allowedHosts` do. A request without Host (HTTP/1.0) comes from no
 * browser and is taken.
 */
export const isLocalHost = (host: string | undefined, listenHost: string): boolean => {
  if (host === undefined) return true;
  const name = hostNameOf(host);
  return name === 'localhost' || name.endsWith('.localhost') || isIP(name) !== 0 || name === hostNameOf(listenHost);
};
