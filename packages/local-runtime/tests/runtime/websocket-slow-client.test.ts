import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { eventually } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';
import { webSocketHandshakeHead } from '../raw-http.ts';

/**
 * A WebSocket client that never reads what it is sent, black-box: pushes through @connections pile up for it only
 * up to a bound, then the runtime answers API Gateway's LimitExceededException, drops the connection, and answers
 * GoneException after. The runtime's resident memory is read from /proc.
 */
const PUSHES = 1600;
const MESSAGE = Buffer.alloc(128 * 1024, 'x');
const runtime = fixtureRuntime('hostile-input');
let management: ApiGatewayManagementApiClient;

beforeAll(() => {
  const { accessKeyId, secretAccessKey } = runtime.info.credentials;
  management = new ApiGatewayManagementApiClient({
    endpoint: `${runtime.info.wsUrl}/live`,
    region: runtime.info.region,
    credentials: { accessKeyId, secretAccessKey },
    // Every answer is counted as it comes: no retry of a 429.
    maxAttempts: 1,
  });
});

afterAll(async () => {
  management?.destroy();
});

/** The runtime process's resident set, in bytes. */
const residentBytes = (): number => {
  const status = readFileSync(`/proc/${runtime.pid}/status`, 'utf8');
  const kilobytes = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (!kilobytes) throw new Error('no VmRSS');
  return Number(kilobytes) * 1024;
};

/** A WebSocket handshake by hand on a raw socket, which is then paused: the client never reads another byte. */
const stalledClient = (): Promise<{ socket: Socket; closed: Promise<void> }> =>
  new Promise((resolve, reject) => {
    const { port } = new URL(runtime.info.wsUrl);
    const socket = connect(Number(port), '127.0.0.1', () =>
      socket.write([...webSocketHandshakeHead('/live', `127.0.0.1:${port}`), '', ''].join('\r\n')),
    );
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', () => {});
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.pause();
      if (head.startsWith('HTTP/1.1 101 ')) resolve({ socket, closed });
      else reject(new Error(`handshake refused: ${head}`));
    };
    socket.on('data', onData);
  });

it('bounds what waits for a client that never reads, then drops it as one that cannot keep up', async () => {
  const connectLines = () => runtime.output().match(/^WS \$connect 200 \S+$/gm) ?? [];
  const before = connectLines().length;
  const client = await stalledClient();
  await eventually(() => connectLines().length > before, 10_000, 10);
  const connectionId = connectLines().at(-1)?.split(' ')[3] ?? '';

  const baseline = residentBytes();
  let peak = baseline;
  const answers: string[] = [];
  for (let push = 0; push < PUSHES; push += 1) {
    try {
      await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: MESSAGE }));
      answers.push('200');
    } catch (error) {
      answers.push((error as Error).name);
    }
    if (push % 20 === 0) peak = Math.max(peak, residentBytes());
  }
  peak = Math.max(peak, residentBytes());

  // Delivered while the kernel's buffers and the bound had room; then LimitExceededException once, Gone after.
  const delivered = answers.indexOf('LimitExceededException');
  expect(delivered).toBeGreaterThan(0);
  expect(answers.slice(0, delivered).every((answer) => answer === '200')).toBe(true);
  expect(answers.slice(delivered + 1).every((answer) => answer === 'GoneException')).toBe(true);
  expect(answers.at(-1)).toBe('GoneException');
  // 1,600 pushes of 128 KB are 200 MiB, all of which the runtime used to hold for the client (+215 to +228 MiB
  // measured). Now it holds at most 1 MiB for it; what remains is the garbage of reading 200 MiB of request bodies
  // that the collector has not yet returned (+40 to +65 MiB measured).
  expect(peak - baseline).toBeLessThan(128 * 1024 * 1024);
  // The runtime closed the connection, and $disconnect ran for it.
  client.socket.resume();
  await client.closed;
  expect(
    await runtime.waitForOutput(
      new RegExp(`^WS \\$disconnect ${connectionId.replace(/[+=]/g, '\\$&')} 1006$`, 'm'),
      10_000,
    ),
  ).toBe(true);
}, 120_000);
