import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The HTTP back ends the recorded tests called, reproduced on one local server:
 * - `POST /post`: httpbin.org's echo (test_apigateway_integrations.py's PUBLIC_HTTP_ECHO_SERVER_URL), as the
 *   recordings show it: the request's headers title-cased as httpbin's server gives them (see HIDDEN), its body as
 *   `data`, and httpbin's own answer headers (gunicorn/19.9.0, CORS).
 * - any other path: the echo function URL of LocalStack's `create_echo_http_server` fixture (test_apigateway_import.py
 *   test_import_with_stage_variables): `{args, data, domain, headers, method, origin, path}`.
 */
export interface EchoBackend {
  /** `host:port`, for the template's EchoHost parameter. */
  host: string;
  close(): Promise<void>;
}

const titleCase = (name: string) =>
  name
    .split('-')
    .map((part) => (part ? (part[0] as string).toUpperCase() + part.slice(1).toLowerCase() : part))
    .join('-');

/**
 * What httpbin does not show: the headers of its own proxies (httpbin's ENV_HEADERS, hidden unless show_env), and
 * Connection (left out by the tests' own echo server).
 */
const HIDDEN = new Set([
  'Connection',
  'X-Forwarded-For',
  'X-Forwarded-Port',
  'X-Forwarded-Proto',
  'X-Forwarded-Protocol',
  'X-Forwarded-Ssl',
  'X-Real-Ip',
]);

const bodyOf = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

const httpbinPost = (request: IncomingMessage, data: string, url: URL) => {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = titleCase(request.rawHeaders[i] as string);
    if (!HIDDEN.has(name)) headers[name] = request.rawHeaders[i + 1] as string;
  }
  let json: unknown = null;
  try {
    json = JSON.parse(data);
  } catch {
    // Not JSON: httpbin gives null.
  }
  return {
    args: Object.fromEntries(url.searchParams),
    data,
    files: {},
    form: {},
    headers,
    json,
    origin: request.socket.remoteAddress ?? '',
    url: `https://${request.headers.host ?? ''}${url.pathname}${url.search}`,
  };
};

const functionUrlEcho = (request: IncomingMessage, data: string, url: URL) => ({
  args: Object.fromEntries(url.searchParams),
  data,
  domain: request.headers.host ?? '',
  headers: {},
  method: request.method ?? '',
  origin: request.socket.remoteAddress ?? '',
  path: url.pathname,
});

export const startEchoBackend = async (): Promise<EchoBackend> => {
  const server: Server = createServer(async (request, response) => {
    const data = await bodyOf(request);
    const url = new URL(request.url ?? '/', 'http://backend');
    if (url.pathname === '/post') {
      const body = JSON.stringify(httpbinPost(request, data, url));
      response.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(body)),
        Connection: 'keep-alive',
        Server: 'gunicorn/19.9.0',
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Credentials': 'true',
      });
      response.end(body);
      return;
    }
    response
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify(functionUrlEcho(request, data, url)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
