import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answerFailure, readRequestBody } from '../services/shared/local-service.ts';
import { guardHttpPort } from '../shared/http-port.ts';
import { requestUrl } from '../shared/request-url.ts';
import { EnvironmentSlots, type PoolOptions } from './environment-slots.ts';
import {
  type FunctionConfig,
  INIT_TIMEOUT_MS,
  type InvokeOptions,
  type InvokeOutcome,
  noLogs,
} from './function-pool.ts';
import { InvocationLogs, readLines } from './output.ts';
import { eventJsonOf, type LambdaErrorPayload } from './protocol.ts';

/**
 * The execution environments of a `python3.x` function: a process of the host's Python (`SAM_LOCAL_PYTHON`, default
 * `python3`) running a small bootstrap that speaks the Lambda Runtime API (Lambda developer guide, "Using the Lambda
 * runtime API for custom runtimes") to a server of its own: `GET /runtime/invocation/next` waits for the event,
 * `POST .../response` or `.../error` answers it, `POST /runtime/init/error` reports a failed import. As on Lambda,
 * an environment runs one invocation at a time, a timed-out one is discarded, and the function's own folder is on
 * the import path (then a requirements.txt's install folder, as PYTHONPATH, then the host Python's).
 */
const BOOTSTRAP = fileURLToPath(new URL('./python/bootstrap.py', import.meta.url));
const API = '/2018-06-01/runtime';

interface Pending {
  requestId: string;
  eventJson: string;
  /** Set when the event is handed to the bootstrap (see `begin`). */
  deadline: number;
  /** Starts the invocation's Timeout: once the environment's init is over and it takes the event. */
  begin: () => void;
  /** The invocation's lines, when its caller asked for them (the bootstrap then ends them with a marker). */
  logs?: InvocationLogs;
  /** Sent as `Lambda-Runtime-Trace-Id`, which the bootstrap puts in `_X_AMZN_TRACE_ID`. */
  traceHeader?: string;
  settle: (result: { ok: true; json: string } | { ok: false; error: LambdaErrorPayload }) => void;
}

interface Environment {
  process: ChildProcess;
  server: Server;
  generation: number;
  invocations: number;
  /** The bootstrap's `next` request, held until there is an event. */
  waiting?: ServerResponse;
  /** The invocation given to it and not answered yet. */
  current?: Pending;
  queued?: Pending;
  initError?: LambdaErrorPayload;
}

const json = (response: ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
};

const lambdaError = (raw: unknown, fallbackType: string): LambdaErrorPayload => {
  const value = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  return {
    errorType: typeof value.errorType === 'string' ? value.errorType : fallbackType,
    errorMessage: typeof value.errorMessage === 'string' ? value.errorMessage : JSON.stringify(raw),
    trace: Array.isArray(value.stackTrace) ? value.stackTrace.map(String) : [],
    ...(typeof value.requestId === 'string' ? { requestId: value.requestId } : {}),
  };
};

/** The host's Python: `SAM_LOCAL_PYTHON`, default `python3`. */
export const pythonCommand = (): string => process.env.SAM_LOCAL_PYTHON ?? 'python3';

export class PythonPool {
  readonly config: FunctionConfig;
  readonly maxConcurrency: number;
  private readonly onOutput: (line: string) => void;
  private readonly slots: EnvironmentSlots<Environment>;

  constructor(config: FunctionConfig, options: PoolOptions = {}) {
    this.config = config;
    this.maxConcurrency = options.maxConcurrency ?? 10;
    this.onOutput = options.onOutput ?? (() => {});
    this.slots = new EnvironmentSlots({
      max: this.maxConcurrency,
      name: config.logicalId,
      ...(options.idleMs ? { idleMs: options.idleMs } : {}),
      ...(options.budget ? { budget: options.budget } : {}),
      start: (generation) => this.start(generation),
      stop: (environment) => this.stop(environment),
    });
  }

  get size(): number {
    return this.slots.size;
  }

  async invoke(event: unknown, requestId: string = randomUUID(), options: InvokeOptions = {}): Promise<InvokeOutcome> {
    const { problem } = this.config;
    if (problem) {
      return { status: 'error', requestId, error: problem, durationMs: 0, coldStart: false, ...noLogs(options) };
    }
    const { environment, coldStart } = await this.slots.begin();
    const started = performance.now();
    const timeoutMs = this.config.timeoutSeconds * 1000;
    const eventJson = eventJsonOf(event);
    const logs = options.logs ? new InvocationLogs() : undefined;
    const answer = await new Promise<{ ok: true; json: string } | { ok: false; error: LambdaErrorPayload } | 'timeout'>(
      (resolve) => {
        // A cold start's init (the interpreter, the handler's imports) is not the invocation's: Lambda gives an
        // on-demand init its own 10 s and counts Timeout from the invoke phase (Lambda developer guide, "Lambda
        // execution environment lifecycle": init phase limited to 10 seconds). Past those 10 s the Timeout runs.
        let timer: NodeJS.Timeout | undefined;
        const initLimit = setTimeout(() => pending.begin(), INIT_TIMEOUT_MS);
        const pending: Pending = {
          requestId,
          eventJson,
          deadline: Date.now() + timeoutMs,
          begin: () => {
            clearTimeout(initLimit);
            if (timer) return;
            pending.deadline = Date.now() + timeoutMs;
            timer = setTimeout(() => resolve('timeout'), timeoutMs);
          },
          ...(logs ? { logs } : {}),
          ...(options.traceHeader ? { traceHeader: options.traceHeader } : {}),
          settle: (result) => {
            clearTimeout(initLimit);
            clearTimeout(timer);
            resolve(result);
          },
        };
        this.dispatch(environment, pending);
      },
    );
    const durationMs = performance.now() - started;
    const ended = answer !== 'timeout' && environment.process.exitCode === null && !environment.initError;
    const lines = logs && (ended ? await logs.finish() : logs.lines);
    const base = { requestId, durationMs, coldStart, ...(lines ? { logs: lines } : {}) };
    if (answer === 'timeout') {
      this.slots.discard(environment);
      return { status: 'timeout', ...base };
    }
    if (!answer.ok) {
      if (environment.initError || environment.process.exitCode !== null) this.slots.discard(environment);
      else this.release(environment);
      return { status: 'error', ...base, error: answer.error };
    }
    this.release(environment);
    return { status: 'ok', ...base, result: JSON.parse(answer.json || 'null') };
  }

  /** Starts an environment now and leaves it idle (see FunctionPool.warm). */
  async warm(): Promise<void> {
    if (this.config.problem) return;
    this.slots.release(await this.slots.acquire());
  }

  /** New code: environments started from now on import it; the idle ones end now. */
  reload(bundle: string): void {
    this.config.bundle = bundle;
    this.slots.renew();
  }

  /** Python imports are checked on the first invocation (a start-up import would run the function's init twice). */
  async check(): Promise<LambdaErrorPayload | undefined> {
    return this.config.problem;
  }

  close(): Promise<void> {
    return this.slots.close();
  }

  private dispatch(environment: Environment, pending: Pending): void {
    if (environment.initError) {
      pending.settle({ ok: false, error: environment.initError });
      return;
    }
    const waiting = environment.waiting;
    if (!waiting) {
      environment.queued = pending;
      return;
    }
    environment.waiting = undefined;
    environment.current = pending;
    pending.begin();
    waiting
      .writeHead(200, {
        'Content-Type': 'application/json',
        'Lambda-Runtime-Aws-Request-Id': pending.requestId,
        'Lambda-Runtime-Deadline-Ms': String(pending.deadline),
        'Lambda-Runtime-Invoked-Function-Arn': this.config.arn,
        ...(pending.logs ? { 'Lambda-Runtime-Local-Flush': '1' } : {}),
        ...(pending.traceHeader ? { 'Lambda-Runtime-Trace-Id': pending.traceHeader } : {}),
      })
      .end(pending.eventJson);
  }

  private release(environment: Environment): void {
    environment.current = undefined;
    this.slots.release(environment);
  }

  private stop(environment: Environment): void {
    environment.waiting?.destroy();
    environment.process.kill('SIGKILL');
    environment.server.close();
    environment.server.closeAllConnections();
  }

  private async start(generation: number): Promise<Environment> {
    const environment = { generation, invocations: 0 } as Environment;
    // A failure of the Runtime API itself is its 500, "Container error. Non-recoverable state. Runtime should exit
    // promptly." (Lambda Runtime API OpenAPI specification, which names no errorType); a request cut short (a
    // half-sent body) costs only itself.
    environment.server = guardHttpPort(
      createServer((request, response) =>
        this.runtimeApi(environment, request, response).catch((error: unknown) =>
          answerFailure('python', response, error, (failed) =>
            json(failed, 500, { errorMessage: 'Container error', errorType: 'ContainerError' }),
          ),
        ),
      ),
    );
    await new Promise<void>((resolve) => environment.server.listen(0, '127.0.0.1', resolve));
    const { port } = environment.server.address() as AddressInfo;
    const { debug } = this.config;
    // `--debug-port`: debugpy, as SAM CLI runs a debugged Python function (`-m debugpy --listen ... --wait-for-client`).
    // The template's own API hosts, which the bootstrap sends to the local server (see redirect_local_hosts).
    const hosts = JSON.stringify(this.config.localHosts ?? {});
    const args = debug
      ? ['-m', 'debugpy', '--listen', `${debug.host}:${debug.port}`, '--wait-for-client', BOOTSTRAP, hosts]
      : [BOOTSTRAP, hosts];
    const child = spawn(pythonCommand(), args, {
      env: {
        ...this.config.environment,
        AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`,
        _HANDLER: this.config.handler,
        LAMBDA_TASK_ROOT: this.config.environment.LAMBDA_TASK_ROOT ?? dirname(this.config.bundle),
        PYTHONUNBUFFERED: '1',
        PYTHONDONTWRITEBYTECODE: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    environment.process = child;
    const current = () => environment.current?.logs;
    if (child.stdout) {
      readLines(child.stdout, (line) => {
        const logs = current();
        if (!logs || logs.take(line)) this.onOutput(line);
      });
    }
    if (child.stderr) {
      readLines(child.stderr, (line) => {
        current()?.take(line);
        this.onOutput(line);
      });
    }
    const exited = (reason: string) => {
      const error = environment.initError ?? { errorType: 'Runtime.ExitError', errorMessage: reason, trace: [] };
      environment.current?.settle({ ok: false, error });
      environment.queued?.settle({ ok: false, error });
      environment.current = undefined;
      environment.queued = undefined;
    };
    child.on('exit', (code) => {
      this.slots.forget(environment);
      exited(`Runtime exited with error: exit status ${code}`);
    });
    child.on('error', (error) => exited(`cannot start ${pythonCommand()} (set SAM_LOCAL_PYTHON): ${error.message}`));
    return environment;
  }

  private async runtimeApi(environment: Environment, request: IncomingMessage, response: ServerResponse) {
    const path = requestUrl(request.url).pathname;
    if (request.method === 'GET' && path === `${API}/invocation/next`) {
      const queued = environment.queued;
      environment.waiting = response;
      if (queued) {
        environment.queued = undefined;
        this.dispatch(environment, queued);
      }
      return;
    }
    const body = (await readRequestBody(request, 6 * 1024 * 1024 + 1024))?.toString('utf8') ?? '';
    const parse = () => {
      try {
        return JSON.parse(body) as unknown;
      } catch {
        return body;
      }
    };
    const answered = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    if (request.method === 'POST' && answered) {
      const current = environment.current;
      if (!current || current.requestId !== decodeURIComponent(answered[1] ?? '')) {
        json(response, 400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
        return;
      }
      json(response, 202, { status: 'OK' });
      if (answered[2] === 'response') current.settle({ ok: true, json: body || 'null' });
      else current.settle({ ok: false, error: lambdaError(parse(), 'Unhandled') });
      return;
    }
    if (request.method === 'POST' && path === `${API}/init/error`) {
      json(response, 202, { status: 'OK' });
      environment.initError = lambdaError(parse(), 'Runtime.InitError');
      this.config.problem ??= environment.initError;
      environment.queued?.settle({ ok: false, error: environment.initError });
      environment.queued = undefined;
      return;
    }
    json(response, 404, { errorMessage: `no ${request.method} ${path}`, errorType: 'NotFound' });
  }
}
