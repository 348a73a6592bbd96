import { connect } from 'node:net';
import { eventually } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';
import { streamRequest, webSocketHandshakeHead } from '../raw-http.ts';

/**
 * A port that answers before it has read the request's body (a refusal at the edge, a page that reads nothing, a body
 * over the port's limit) still gets its answer to a client that goes on sending that body after it, on every kind of
 * port, black-box over raw sockets: what the client sent is read and dropped before the connection closes, where a
 * close with the client's bytes unread made the kernel reset the connection and the client lose the answer. The drain
 * is bounded: a body over the port's limit is answered at once (`Connection: close`), and a client that sends on past
 * the bound has its connection dropped instead of holding it forever.
 */
const MiB = 1024 * 1024;
/** A body far past any port's limit (API Gateway's 10 MB, S3's and DynamoDB's 16 MiB) and the drain's bound after it. */
const ENDLESS = 96 * MiB;

const runtime = fixtureRuntime('hostile-input');
let rest: string;
let http: string;

beforeAll(() => {
  const api = (kind: string) => {
    const found = runtime.info.apis.find(
      (candidate) => candidate.kind === kind && candidate.url.startsWith(runtime.info.restUrl),
    );
    if (!found) throw new Error(`no ${kind} API on the shared port`);
    return found.url;
  };
  rest = api('REST');
  http = api('HTTP');
});

const hostOf = (url: string) => new URL(url).host;
const pathOf = (url: string, path: string) => `${new URL(url).pathname.replace(/\/$/, '')}${path}`;

describe('an answer given before the body is read reaches a client that goes on sending 4 MiB, never a reset', () => {
  /** The one answer, whole, to a client that sent its whole body and met no reset. */
  const streamed = async (origin: string, head: string[], bodyBytes = 4 * MiB) => {
    const exchange = await streamRequest(origin, [...head, 'Connection: close'], { bodyBytes });
    expect(exchange).toMatchObject({ sent: bodyBytes, reset: false });
    expect(exchange.answers).toHaveLength(1);
    return exchange;
  };

  it('the API port: a request with two Host headers (400)', async () => {
    const exchange = await streamed(runtime.info.restUrl, [
      `POST ${pathOf(rest, '/echo')} HTTP/1.1`,
      `Host: ${hostOf(rest)}`,
      'Host: again.example',
    ]);
    expect(exchange.answers.map((answer) => answer.status)).toEqual([400]);
    expect(exchange.answers[0]?.json().message).toMatch(/Host/);
    expect(exchange.reset).toBe(false);
  });

  it('the API port: a runtime page asked for by a foreign host name (403)', async () => {
    const exchange = await streamed(runtime.info.restUrl, ['POST /_local/runtime HTTP/1.1', 'Host: evil.example']);
    expect(exchange.answers.map((answer) => answer.status)).toEqual([403]);
    expect(exchange.reset).toBe(false);
  });

  it('the API port: a runtime page that reads nothing of the request (200)', async () => {
    const exchange = await streamed(runtime.info.restUrl, [
      'GET /_local/runtime HTTP/1.1',
      `Host: ${hostOf(runtime.info.restUrl)}`,
    ]);
    expect(exchange.answers.map((answer) => answer.status)).toEqual([200]);
    expect(exchange.answers[0]?.json().region).toBe(runtime.info.region);
    expect(exchange.reset).toBe(false);
  });

  it("a REST API: a route it does not have (API Gateway's 403)", async () => {
    const exchange = await streamed(runtime.info.restUrl, [
      `POST ${pathOf(rest, '/nowhere')} HTTP/1.1`,
      `Host: ${hostOf(rest)}`,
    ]);
    expect(exchange.answers.map((answer) => answer.status)).toEqual([403]);
    expect(exchange.answers[0]?.json()).toEqual({ message: 'Missing Authentication Token' });
    expect(exchange.reset).toBe(false);
  });

  it('an HTTP API: a route it does not have (404)', async () => {
    const exchange = await streamed(runtime.info.restUrl, [
      `POST ${pathOf(http, '/nowhere')} HTTP/1.1`,
      `Host: ${hostOf(http)}`,
    ]);
    expect(exchange.answers.map((answer) => answer.status)).toEqual([404]);
    expect(exchange.answers[0]?.json()).toEqual({ message: 'Not Found' });
    expect(exchange.reset).toBe(false);
  });

  it('the WebSocket port: a request that is neither a handshake nor a management call (403)', async () => {
    const exchange = await streamed(runtime.info.wsUrl, [
      'POST /nowhere HTTP/1.1',
      `Host: ${hostOf(runtime.info.wsUrl)}`,
    ]);
    expect(exchange.answers.map((answer) => answer.status)).toEqual([403]);
    expect(exchange.answers[0]?.json()).toEqual({ message: 'Missing Authentication Token' });
    expect(exchange.reset).toBe(false);
  });

  it('the WebSocket port: a handshake refused (403) and followed by 1 MiB of bytes', async () => {
    const exchange = await streamRequest(
      runtime.info.wsUrl,
      webSocketHandshakeHead('/nowhere', hostOf(runtime.info.wsUrl)),
      { bodyBytes: MiB, unframed: true },
    );
    expect(exchange.answers.map((answer) => answer.status)).toEqual([403]);
    expect(exchange.answers[0]?.json()).toEqual({ message: 'Forbidden' });
    expect(exchange.reset).toBe(false);
  });

  it('the WebSocket port: a refused handshake whose client trickles bytes and never closes has its connection dropped', async () => {
    // Half-open allowed: the client keeps its side open after the server's answer and end, as a hostile one would,
    // and sends a byte every 100 ms; a connection the server still holds takes them without a word.
    const socket = connect({ port: Number(new URL(runtime.info.wsUrl).port), host: '127.0.0.1', allowHalfOpen: true });
    let answer = '';
    let dropped = false;
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.on('close', () => {
      dropped = true;
    });
    socket.on('error', () => {});
    socket.write([...webSocketHandshakeHead('/nowhere', hostOf(runtime.info.wsUrl)), '', ''].join('\r\n'));
    const trickle = setInterval(() => {
      if (!socket.destroyed) socket.write('x');
    }, 100);
    try {
      expect(await eventually(() => dropped, 15_000)).toBe(true);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
    expect(answer).toMatch(/^HTTP\/1\.1 403 /);
  }, 30_000);

  it('SQS: an unsigned request (403, refused once its body is read)', async () => {
    const exchange = await streamed(
      runtime.serviceUrl('sqs'),
      [
        'POST / HTTP/1.1',
        `Host: ${hostOf(runtime.serviceUrl('sqs'))}`,
        'Content-Type: application/x-amz-json-1.0',
        'X-Amz-Target: AmazonSQS.SendMessage',
      ],
      MiB,
    );
    expect(exchange.answers.map((answer) => answer.status)).toEqual([403]);
    expect(exchange.answers[0]?.json().__type).toMatch(/MissingAuthenticationToken/);
    expect(exchange.reset).toBe(false);
  });

  it('S3: an unsigned PutObject (403, refused once its body is read)', async () => {
    const url = runtime.serviceUrl('s3');
    const exchange = await streamed(url, ['PUT /nowhere/key HTTP/1.1', `Host: ${hostOf(url)}`]);
    expect(exchange.answers.map((answer) => answer.status)).toEqual([403]);
    expect(exchange.answers[0]?.text).toMatch(/<Code>AccessDenied<\/Code>/);
  });

  it('SQS, DynamoDB and S3: a request with two Host headers (400)', async () => {
    for (const url of ['sqs', 'dynamodb', 's3'].map(runtime.serviceUrl)) {
      const exchange = await streamed(url, ['POST / HTTP/1.1', `Host: ${hostOf(url)}`, 'Host: again.example']);
      expect(exchange.answers.map((answer) => answer.status)).toEqual([400]);
      expect(exchange.reset).toBe(false);
    }
  });
});

describe('a body over the port’s limit is answered at once, and the connection closed after a bounded drain', () => {
  /** A client that sends until the server closes: the answer reached it, and the server did not wait for it all. */
  const refusedEarly = async (origin: string, head: string[], status: number, chunked = false) => {
    const exchange = await streamRequest(origin, head, { bodyBytes: ENDLESS, chunked, chunkBytes: 256 * 1024 });
    expect(exchange.answers.map((answer) => answer.status)).toEqual([status]);
    expect(exchange.answers[0]?.header('connection')).toBe('close');
    expect(exchange.sent).toBeLessThan(ENDLESS);
    return exchange.answers[0];
  };

  it('a REST API (413), with a Content-Length and chunked', async () => {
    const head = [`POST ${pathOf(rest, '/echo')} HTTP/1.1`, `Host: ${hostOf(rest)}`];
    await refusedEarly(runtime.info.restUrl, head, 413);
    await refusedEarly(runtime.info.restUrl, head, 413, true);
  });

  it('an HTTP API (413)', async () => {
    const head = [`POST ${pathOf(http, '/echo')} HTTP/1.1`, `Host: ${hostOf(http)}`];
    await refusedEarly(runtime.info.restUrl, head, 413);
  });

  it('SQS and DynamoDB (413), S3 (400 EntityTooLarge)', async () => {
    for (const [url, status] of [
      [runtime.serviceUrl('sqs'), 413],
      [runtime.serviceUrl('dynamodb'), 413],
      [runtime.serviceUrl('s3'), 400],
    ] as const) {
      const head = [
        'POST / HTTP/1.1',
        `Host: ${hostOf(url)}`,
        'Content-Type: application/x-amz-json-1.0',
        'X-Amz-Target: DynamoDB_20120810.ListTables',
      ];
      await refusedEarly(url, head, status);
    }
  });
});

describe('keep-alive after an answer given before the body was read', () => {
  const next = (url: string) => `GET /_local/runtime HTTP/1.1\r\nHost: ${hostOf(url)}\r\nConnection: close\r\n\r\n`;

  it('a small body is read to its end and the connection serves the next request', async () => {
    const exchange = await streamRequest(
      runtime.info.restUrl,
      ['POST /_local/runtime HTTP/1.1', 'Host: evil.example'],
      {
        bodyBytes: 256 * 1024,
        followedBy: next(runtime.info.restUrl),
      },
    );
    expect(exchange.answers.map((answer) => answer.status)).toEqual([403, 200]);
    expect(exchange.reset).toBe(false);
  });

  it('a body past the bound has the connection dropped after the answer', async () => {
    const exchange = await streamRequest(
      runtime.info.restUrl,
      ['POST /_local/runtime HTTP/1.1', 'Host: evil.example'],
      {
        bodyBytes: ENDLESS,
        chunkBytes: 256 * 1024,
        followedBy: next(runtime.info.restUrl),
      },
    );
    expect(exchange.answers.map((answer) => answer.status)).toEqual([403]);
    expect(exchange.sent).toBeLessThan(ENDLESS);
  });
});
