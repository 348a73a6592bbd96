import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pythonJsonDumps } from './snapshot-values.ts';

/**
 * The HTTP back ends the recorded tests pointed their HTTP and HTTP_PROXY integrations at, on one local port, each
 * under its own path (the template's `EchoBackend` parameter is this server's URL):
 * - `/post`: httpbin's POST echo (`echo_http_server_post`, localstack's PUBLIC_HTTP_ECHO_SERVER_URL/post), as the
 *   recordings show it: the request's headers title-cased as httpbin's server gives them (see HIDDEN), its body as
 *   `data`, and httpbin's own answer headers (gunicorn/19.9.0, CORS);
 * - `/lambda-url/` and `/lambda-url-trim/`: the Lambda function URL of `create_echo_http_server` (localstack
 *   testing/pytest/fixtures.py), untrimmed and with TRIM_X_HEADERS=1;
 * - `/status-echo/`: the function URL of lambda_echo_status_code.py (answers with the status code its path ends in);
 * - `/raw/`: the function URL of test_input_body_formatting's handler (`return event.get("body", "")`);
 * - any other path: the echo function URL of test_apigateway_import.py::test_import_with_stage_variables, whose
 *   URI is made of stage variables (the template's `EchoHost` parameter is this server's host and port), its `path`
 *   the whole path.
 * A function URL is reproduced as Lambda's front end shows it to the function: header names lower-cased, repeated
 * values joined with commas, its own x-amzn-tls-* and x-forwarded-* headers added, Connection dropped.
 */
export interface Backend {
  /** `http://host:port/`, for the gateway template's EchoBackend parameter. */
  url: string;
  /** `host:port`, for the first template's EchoHost parameter. */
  host: string;
  close: () => Promise<void>;
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

/**
 * A function URL's answer: its own headers, as API Gateway received them (Lambda adds x-amzn-RequestId, and answers
 * with the trace header it was sent).
 */
const functionUrlAnswer = (request: IncomingMessage, response: ServerResponse, status: number, body: string) => {
  const trace = request.headers['x-amzn-trace-id'];
  response.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'keep-alive',
    'x-amzn-RequestId': randomUUID(),
    ...(typeof trace === 'string' ? { 'X-Amzn-Trace-Id': trace } : {}),
  });
  response.end(body);
};

/** The headers a function URL hands its function (payload format 2.0). */
const functionUrlHeaders = (request: IncomingMessage): Record<string, string> => {
  const headers: Record<string, string> = {};
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    if (name === 'connection' || name === 'keep-alive') continue;
    headers[name] = headers[name] === undefined ? (raw[i + 1] as string) : `${headers[name]},${raw[i + 1]}`;
  }
  headers['x-amzn-tls-cipher-suite'] = 'TLS_AES_128_GCM_SHA256';
  headers['x-amzn-tls-version'] = 'TLSv1.3';
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)}`;
  headers['x-forwarded-for'] = request.socket.remoteAddress ?? '127.0.0.1';
  headers['x-forwarded-port'] = '443';
  headers['x-forwarded-proto'] = 'https';
  return headers;
};

const queryParameters = (url: URL): Record<string, string> | undefined => {
  if (url.search === '') return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of url.searchParams) out[name] = out[name] === undefined ? value : `${out[name]},${value}`;
  return out;
};

const echoFunctionUrl = (request: IncomingMessage, response: ServerResponse, url: URL, mount: string, body: string) => {
  const trim = mount === '/lambda-url-trim';
  const headers = Object.fromEntries(
    Object.entries(functionUrlHeaders(request)).filter(
      ([name]) => !(trim && (name.startsWith('x-amzn') || name.startsWith('x-forwarded-'))),
    ),
  );
  const echoed = {
    args: queryParameters(url) ?? {},
    data: body,
    domain: headers.host ?? '',
    headers,
    method: request.method,
    origin: request.socket.remoteAddress ?? '',
    path: url.pathname.slice(mount.length) || '/',
  };
  functionUrlAnswer(request, response, 200, pythonJsonDumps(echoed));
};

const echoStatus = (request: IncomingMessage, response: ServerResponse, url: URL) => {
  const last = url.pathname.split('/').at(-1) ?? '';
  const status = /^\d+$/.test(last) ? Number(last) : Number.NaN;
  if (!(status >= 100 && status <= 599)) {
    functionUrlAnswer(
      request,
      response,
      400,
      pythonJsonDumps({ status_code: 400, message: `No valid status found at end of path ${url.pathname}` }),
    );
    return;
  }
  functionUrlAnswer(request, response, status, pythonJsonDumps({ status_code: status, message: '' }));
};

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

const httpbinPost = (request: IncomingMessage, response: ServerResponse, url: URL, body: string) => {
  let json: unknown = null;
  try {
    json = JSON.parse(body);
  } catch {
    // httpbin's `json` is null for a body that is not JSON.
  }
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = titleCase(request.rawHeaders[i] as string);
    if (!HIDDEN.has(name)) headers[name] = request.rawHeaders[i + 1] as string;
  }
  const text = JSON.stringify({
    args: Object.fromEntries(url.searchParams),
    data: body,
    files: {},
    form: {},
    headers,
    json,
    origin: request.socket.remoteAddress ?? '',
    url: `https://${request.headers.host ?? ''}${url.pathname}${url.search}`,
  });
  response.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
    Connection: 'keep-alive',
    Server: 'gunicorn/19.9.0',
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Credentials': 'true',
  });
  response.end(text);
};

export const startBackend = async (): Promise<Backend> => {
  const server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
      const mount = `/${url.pathname.split('/')[1] ?? ''}`;
      if (mount === '/post') httpbinPost(request, response, url, body);
      else if (mount === '/lambda-url' || mount === '/lambda-url-trim')
        echoFunctionUrl(request, response, url, mount, body);
      else if (mount === '/status-echo') echoStatus(request, response, url);
      else if (mount === '/raw') functionUrlAnswer(request, response, 200, body);
      else echoFunctionUrl(request, response, url, '', body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
