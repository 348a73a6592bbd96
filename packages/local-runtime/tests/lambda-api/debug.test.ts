import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { createServer } from 'node:net';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import WebSocket from 'ws';
import { type LambdaEndpointProcess, startLambdaEndpoint } from './start-lambda-process.ts';

/**
 * `--debug-port`: the debugged function's environment opens Node's inspector and waits for a debugger; a client that
 * speaks the inspector protocol (as VS Code and Chrome DevTools do) sets a breakpoint on a line of the TypeScript
 * source, mapped through the esbuild bundle's source map, and the invocation stops there.
 */
const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
}

class Inspector {
  private nextId = 1;
  private readonly socket: WebSocket;
  private readonly events: Message[] = [];
  private readonly waiting = new Map<number, (message: Message) => void>();
  private readonly watchers: ((message: Message) => void)[] = [];

  constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as Message;
      if (message.id !== undefined) this.waiting.get(message.id)?.(message);
      else {
        this.events.push(message);
        for (const watcher of this.watchers) watcher(message);
      }
    });
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<Message> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  event(method: string): Promise<Message> {
    const seen = this.events.find((message) => message.method === method);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.watchers.push((message) => message.method === method && resolve(message)));
  }
}

let endpoint: LambdaEndpointProcess;
let port: number;

beforeAll(async () => {
  port = await freePort();
  endpoint = await startLambdaEndpoint(['--debug-port', String(port), '--debug-function', 'DebugFunction']);
}, 90_000);

afterAll(() => endpoint?.stop());

it('stops at a breakpoint set on the TypeScript source', async () => {
  expect(endpoint.output()).toContain(`DebugFunction waits for a debugger on 127.0.0.1:${port}`);
  const [target] = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const socket = new WebSocket(target?.webSocketDebuggerUrl ?? '');
  await new Promise((resolve) => socket.once('open', resolve));
  const inspector = new Inspector(socket);
  const lambda = new LambdaClient({
    endpoint: endpoint.url,
    region: 'us-east-1',
    credentials: endpoint.credentials,
  });
  try {
    // The bundle esbuild wrote for the debugged function, with its map (the template asks for none: --debug-port does).
    const bundle = `${endpoint.buildDir}/DebugFunction/app.js`;
    const map = new SourceMap(JSON.parse(readFileSync(`${bundle}.map`, 'utf8')));
    const source = readFileSync(new URL('../fixtures/lambda-api/debug/app.ts', import.meta.url), 'utf8').split('\n');
    const line = source.findIndex((text) => text.includes('const total ='));
    const generated = generatedPositionOf(map, readFileSync(bundle, 'utf8'), line);

    await inspector.send('Debugger.enable');
    const set = await inspector.send('Debugger.setBreakpointByUrl', {
      urlRegex: 'DebugFunction/app\\.js$',
      lineNumber: generated.line,
      columnNumber: generated.column,
    });
    expect(set.result?.breakpointId).toBeDefined();
    await inspector.send('Runtime.runIfWaitingForDebugger');

    const answer = lambda.send(new InvokeCommand({ FunctionName: 'DebugFunction', Payload: '{"quantity":2}' }));
    const paused = await inspector.event('Debugger.paused');
    const frames = (paused.params?.callFrames ?? []) as { location: { lineNumber: number; columnNumber: number } }[];
    const frame = frames[0];
    const origin = map.findEntry(frame?.location.lineNumber ?? -1, frame?.location.columnNumber ?? -1) as {
      originalSource?: string;
      originalLine?: number;
    };
    expect(origin.originalSource).toMatch(/app\.ts$/);
    expect(origin.originalLine).toBe(line);
    await inspector.send('Debugger.resume');
    const result = await answer;
    expect(JSON.parse(new TextDecoder().decode(result.Payload))).toEqual({ total: 6 });
  } finally {
    lambda.destroy();
    socket.close();
  }
}, 60_000);

/** The first generated position whose original is `line` of the TypeScript source (what an IDE computes). */
const generatedPositionOf = (map: SourceMap, code: string, line: number): { line: number; column: number } => {
  const lines = code.split('\n');
  for (let generatedLine = 0; generatedLine < lines.length; generatedLine += 1) {
    const text = lines[generatedLine] ?? '';
    for (let column = 0; column < text.length; column += 1) {
      const entry = map.findEntry(generatedLine, column) as { originalLine?: number; generatedColumn?: number };
      if (entry.originalLine === line && entry.generatedColumn === column) return { line: generatedLine, column };
    }
  }
  throw new Error(`no generated position for line ${line}`);
};
