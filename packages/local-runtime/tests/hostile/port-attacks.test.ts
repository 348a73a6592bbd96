import { connect } from 'node:net';
import { call, openSocket, signedHeaders } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';
import { attackTools, deep, portOf, runAll } from './attack-tools.ts';
import { requestBytes } from './hostile-input.ts';
import { type RawAnswer, rawExchange } from './raw-http.ts';
import { frame } from './raw-websocket.ts';

/**
 * Targeted attacks on every port the runtime opens that the seeded fuzz rarely hits: HTTP framing odd enough to slip
 * past a parser, pipelined requests behind a refusal, REST and HTTP API paths with encoded dots and slashes and
 * oversized queries and headers, @connections calls with huge bodies and bad ids. Each gets one answer (never a 5xx,
 * a hang or a close without one), and every port still serves afterwards.
 */
const runtime = fixtureRuntime('hostile', ['--time-scale', '0.01']);
const { allPorts } = attackTools(runtime);

/** Requests whose framing is odd enough to slip past a parser, or to make a server answer twice or not at all. */
const FRAMING: Record<string, string> = {
  'two different Content-Lengths': 'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x',
  'two equal Content-Lengths':
    'POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
  'a chunk size past 64 bits':
    'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nx\r\n0\r\n\r\n',
  'a coding after chunked': 'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n',
  'chunked twice':
    'POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  'a header line without a colon': 'GET / HTTP/1.1\r\nHost: h\r\nNo-Colon-Here\r\n\r\n',
  'a 1 MB header': `GET / HTTP/1.1\r\nHost: h\r\nX-Big: ${'a'.repeat(1024 * 1024)}\r\n\r\n`,
  '10,000 headers': `GET / HTTP/1.1\r\nHost: h\r\n${'a:1\r\n'.repeat(10_000)}\r\n`,
  'HTTP/1.0 without Host': 'GET / HTTP/1.0\r\n\r\n',
  'HTTP/1.1 without Host': 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n',
  'HTTP/0.9': 'GET /\r\n\r\n',
  'HTTP/2 preface': 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
  'an absolute-form target': 'GET http://127.0.0.1/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
  'an absolute-form target naming another host':
    'GET http://169.254.169.254/latest/meta-data HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
  'the asterisk target': 'OPTIONS * HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
  TRACE: 'TRACE / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
  'a method past the known': 'BREW / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n',
  'Expect: a token servers do not know':
    'POST / HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
  'a body on GET with a bad chunk':
    'GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxx\r\n0\r\n\r\n',
  'a bare LF line end': 'GET / HTTP/1.1\nHost: h\nConnection: close\n\n',
  'a NUL in the path': 'GET /a\u0000b HTTP/1.1\r\nHost: h\r\n\r\n',
  'a space in a header name': 'GET / HTTP/1.1\r\nHost: h\r\nX Y: 1\r\n\r\n',
};

it('answers HTTP framing attacks on every port with one answer, no 5xx, and serves on', async () => {
  const cases = allPorts().flatMap(([name, port]) =>
    Object.entries(FRAMING)
      // Kinesis speaks cleartext HTTP/2 too (the SDK's Kinesis client does): there the preface opens a session that
      // waits for the client's SETTINGS, as HTTP/2 servers do; its refusal of a broken session is tested below.
      .filter(([what]) => !(name === 'kinesis' && what === 'HTTP/2 preface'))
      .map(([what, text]) => ({
        label: `${name}: ${what}`,
        port,
        bytes: () => Buffer.from(text, 'latin1'),
        // Every refusal says why: no empty 4xx.
        ok: (answer: RawAnswer) => (answer.status ?? 0) < 400 || answer.body.length > 0,
      })),
  );
  expect(await runAll(cases)).toEqual([]);
  const kinesis = runtime.info.services.find((service) => service.name === 'kinesis');
  if (kinesis) {
    // An HTTP/2 session whose first frame is garbage: the server ends it (GOAWAY) and closes, no hang.
    const broken = await rawExchange(
      portOf(kinesis.url),
      Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from('garbage that is no frame')]),
      5000,
    );
    expect(broken.hung).toBe(false);
  }
  expect(runtime.exited()).toBe(false);
}, 60_000);

const apiUrl = (kind: 'REST' | 'HTTP') => {
  const api = runtime.info.apis.find((candidate) => candidate.kind === kind);
  if (!api) throw new Error(`the fixture has no ${kind} API`);
  return new URL(api.url);
};

it('answers REST and HTTP APIs fed encoded dots and slashes, 3,000 query parameters, huge Accept lists and deep bodies', async () => {
  const params = Array.from({ length: 3000 }, (_, index) => `p${index % 50}=${index}`).join('&');
  const accept = Array.from({ length: 1000 }, (_, index) => `type${index}/sub;q=0.${index % 10}`).join(',');
  const requests: [string, string, [string, string][], string][] = [
    ['GET', '/%2e%2e/%2e%2e/_local/runtime', [], ''],
    ['GET', '/..%2f..%2f_local%2fruntime', [], ''],
    ['GET', '/mock/%2e%2e', [], ''],
    ['GET', '/a%2fb/%2F%2f', [], ''],
    ['GET', '/%ZZ/%', [], ''],
    ['GET', '/%C0%AE%C0%AE/', [], ''],
    ['GET', `/mock?${params}`, [], ''],
    ['GET', '/mock?q=%ZZ&%=1&=&&q', [], ''],
    ['GET', '/mock?q=%24util.urlDecode(%27%25%27)%23set(%24a%3D1)', [], ''],
    ['GET', '/mock', [['Accept', accept]], ''],
    ['GET', '/mock', [['Accept', '*/*;q=1e999, text/html;q=-0']], ''],
    ['POST', '/mapped', [['Content-Type', 'application/json']], deep(100_000)],
    ['POST', '/mapped', [['Content-Type', 'application/json']], `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`],
    ['POST', '/mapped', [['Content-Type', 'application/json']], '{"a":1e999,"b":-0,"c":18446744073709551616}'],
    ['POST', '/mapped', [['Content-Type', 'application/json']], '{"a":"\\ud800","__proto__":{"x":1}}'],
    ['POST', '/anything', [['Content-Type', 'application/json']], deep(100_000)],
    ['POST', '/v1/anything', [['Content-Type', 'application/json']], deep(100_000)],
    ['GET', '/anything', [['Cookie', Array.from({ length: 1000 }, (_, index) => `c${index}=${index}`).join('; ')]], ''],
    ['GET', '/anything', [['Content-Type', 'multipart/form-data; boundary=']], ''],
  ];
  const cases = (['REST', 'HTTP'] as const).flatMap((kind) => {
    const url = apiUrl(kind);
    return requests.map(([method, path, headers, body]) => ({
      label: `${kind} ${method} ${path.slice(0, 60)} ${JSON.stringify(headers).slice(0, 40)}`,
      port: Number(url.port),
      bytes: () => requestBytes(method, `${url.pathname}${path}`, [['Host', url.host], ...headers], Buffer.from(body)),
      // API Gateway's own shape, and never the runtime's own pages through an API's path.
      ok: (answer: RawAnswer) =>
        !answer.body.toString().includes('"credentials"') &&
        ((answer.status ?? 0) < 400 || /"message"/.test(answer.body.toString())),
    }));
  });
  expect(await runAll(cases)).toEqual([]);
  expect(runtime.exited()).toBe(false);
}, 60_000);

it('answers @connections calls with a huge body, an unknown or malformed id and deep JSON in its own shape', async () => {
  const ws = new URL(runtime.info.webSockets[0]?.url ?? runtime.info.wsUrl);
  const stage = ws.pathname.split('/').filter(Boolean)[0] ?? 'fuzz';
  const calls: [string, string, string][] = [
    ['POST', 'AAAAAAAAAAAAAAA=', 'x'.repeat(200 * 1024)],
    ['POST', 'AAAAAAAAAAAAAAA=', deep(30_000)],
    ['POST', 'not%20an%20id', '{}'],
    ['POST', '%ZZ', '{}'],
    ['POST', '__proto__', '{}'],
    ['GET', 'constructor', ''],
    ['DELETE', 'AAAAAAAAAAAAAAA=', ''],
    ['PATCH', 'AAAAAAAAAAAAAAA=', ''],
  ];
  const cases = calls.map(([method, id, body]) => ({
    label: `@connections ${method} ${id}`,
    port: Number(ws.port),
    bytes: async () => {
      const path = `/${stage}/@connections/${id}`;
      const headers = await signedHeaders(`${ws.origin}${path}`, runtime.info.credentials, 'us-east-1', method, body);
      return requestBytes(method, path, Object.entries(headers), Buffer.from(body));
    },
    ok: (answer: RawAnswer) => (answer.status ?? 0) >= 400 && /"message"/.test(answer.body.toString()),
  }));
  expect(await runAll(cases)).toEqual([]);
}, 60_000);

/** Everything the server sends on one connection until it closes it (or `timeoutMs` pass). */
const readAll = (port: number, bytes: Buffer, timeoutMs = 5000): Promise<{ text: string; closed: boolean }> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('latin1'), closed });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => finish(true));
    socket.on('error', () => {});
    socket.write(bytes);
  });

it('answers pipelined requests in order on every port, the first refused, and never answers after a close', async () => {
  const findings: string[] = [];
  for (const [name, port] of allPorts()) {
    const refusedThenAsked = Buffer.from(
      'GET /a HTTP/1.1\r\nHost: h\r\nHost: h2\r\n\r\nGET /b HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
      'latin1',
    );
    const first = await readAll(port, refusedThenAsked);
    const statuses = [...first.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => match[1]);
    // Two Host headers: 400 and the connection closed; the request behind it is not served.
    if (statuses.join(',') !== '400' || !first.closed) findings.push(`${name}: two Hosts then a request: ${statuses}`);
    const bodyThenAsked = Buffer.from(
      'POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\nhelloGET /y HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
      'latin1',
    );
    const second = await readAll(port, bodyThenAsked);
    const answers = [...second.text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1]));
    // Each answered (whatever the status), in order, none a 5xx; a port may close after the first refusal.
    if (answers.length === 0 || answers.some((status) => status >= 500) || !second.closed)
      findings.push(`${name}: a body then a request: ${answers} closed=${second.closed}`);
  }
  expect(findings).toEqual([]);
}, 60_000);

it('answers 100 pipelined requests, with and without bodies, in order on every port', async () => {
  const findings: string[] = [];
  const count = 100;
  const requests = Array.from({ length: count }, (_, index) =>
    index % 2 === 0
      ? `GET /p${index} HTTP/1.1\r\nHost: 127.0.0.1\r\n${index === count - 1 ? 'Connection: close\r\n' : ''}\r\n`
      : `POST /p${index} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 7\r\n${index === count - 1 ? 'Connection: close\r\n' : ''}\r\n{"a":1}`,
  ).join('');
  for (const [name, port] of allPorts()) {
    const { text, closed } = await readAll(port, Buffer.from(requests, 'latin1'), 15_000);
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => Number(match[1]));
    // Every request answered, in one connection that closes after the last.
    if (!closed || statuses.some((status) => status >= 500) || statuses.length !== count)
      findings.push(`${name}: ${statuses.length} answers, closed=${closed}, 5xx=${statuses.filter((s) => s >= 500)}`);
  }
  expect(findings).toEqual([]);
}, 60_000);

/** The close code of the first close frame the server sent in `bytes` (its frames are unmasked), if any. */
const closeCodeIn = (bytes: Buffer): number | undefined => {
  let at = 0;
  while (at + 2 <= bytes.length) {
    const opcode = (bytes[at] as number) & 0x0f;
    let length = (bytes[at + 1] as number) & 0x7f;
    let start = at + 2;
    if (length === 126) {
      length = bytes.readUInt16BE(at + 2);
      start = at + 4;
    } else if (length === 127) {
      length = Number(bytes.readBigUInt64BE(at + 2));
      start = at + 10;
    }
    if (opcode === 0x8) return length >= 2 ? bytes.readUInt16BE(start) : 1005;
    at = start + length;
  }
  return undefined;
};

/** Opens a WebSocket on a raw socket, sends `frames`, and reads until the server closes: its close code. */
const closeCodeAfter = (url: URL, frames: Buffer[]): Promise<number | string> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: Number(url.port) });
    const chunks: Buffer[] = [];
    let upgraded = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('no close');
    }, 5000);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (upgraded || end < 0) return;
      upgraded = true;
      if (!all.subarray(0, 12).toString('latin1').includes('101')) resolve(`handshake ${all.subarray(0, 12)}`);
      else for (const bytes of frames) socket.write(bytes);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      resolve(closeCodeIn(all.subarray(all.indexOf('\r\n\r\n') + 4)) ?? 'closed without a close frame');
    });
    socket.write(
      `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
    );
  });

it('closes a WebSocket connection that breaks the protocol or API Gateway’s limits with the right code', async () => {
  const url = new URL(runtime.info.webSockets[0]?.url ?? runtime.info.wsUrl);
  const text = Buffer.from('{"action":"x"}');
  const attacks: Record<string, [Buffer[], number]> = {
    'an unknown opcode': [[frame(0x3, text)], 1002],
    'a reserved bit': [[frame(0x1, text, { rsv: 4 })], 1002],
    'an unmasked client frame': [[frame(0x1, text, { mask: false })], 1002],
    'invalid UTF-8 in a text frame': [[frame(0x1, Buffer.from([0x7b, 0xc3, 0x28, 0xed, 0xa0, 0x80]))], 1007],
    'a close code out of range': [[frame(0x8, Buffer.from([0x03, 0xe7]))], 1002],
    'a close code of 5000 and more': [[frame(0x8, Buffer.from([0x13, 0x88]))], 1002],
    'a fragmented ping': [[frame(0x9, Buffer.from('p'), { fin: false })], 1002],
    'a ping of 126 bytes': [[frame(0x9, Buffer.alloc(126, 'p'))], 1002],
    'a continuation with nothing to continue': [[frame(0x0, text)], 1002],
    'a 100 MB length field': [[frame(0x1, text, { claimedLength: 100 * 1024 * 1024 })], 1009],
    'a message of 129 KB in one frame': [[frame(0x1, Buffer.alloc(129 * 1024, 'a'))], 1009],
    'a message of 160 KB in 32 KB frames': [
      [
        frame(0x1, Buffer.alloc(32 * 1024, 'a'), { fin: false }),
        ...Array.from({ length: 3 }, () => frame(0x0, Buffer.alloc(32 * 1024, 'a'), { fin: false })),
        frame(0x0, Buffer.alloc(32 * 1024, 'a')),
      ],
      1009,
    ],
  };
  const codes: Record<string, number | string> = {};
  for (const [what, [frames]] of Object.entries(attacks)) codes[what] = await closeCodeAfter(url, frames);
  expect(codes).toEqual(Object.fromEntries(Object.entries(attacks).map(([what, [, code]]) => [what, code])));
  // And the port still takes a connection and a message.
  const socket = await openSocket(url.toString());
  socket.socket.send('{"action":"probe"}');
  socket.socket.close(1000);
  expect((await socket.closed).code).toBe(1000);
}, 60_000);

it('still serves every port after the battery', async () => {
  for (const api of runtime.info.apis) expect((await call(`${api.url}/any/path`)).status).toBeLessThan(500);
  for (const service of runtime.info.services) {
    const answer = await call(service.url, { method: 'POST', body: '{}' });
    expect({ service: service.name, status: answer.status < 500 }).toEqual({ service: service.name, status: true });
  }
  // And a handshake without Host on the WebSocket port is refused with a message, as on the others.
  const handshake = await rawExchange(
    portOf(runtime.info.wsUrl),
    Buffer.from(
      'GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    ),
  );
  expect({ status: handshake.status, body: handshake.body.toString() }).toEqual({
    status: 400,
    body: expect.stringContaining('Host'),
  });
  expect(runtime.exited()).toBe(false);
});
