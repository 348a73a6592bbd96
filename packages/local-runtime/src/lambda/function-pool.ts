import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { EnvironmentSlots, type PoolOptions } from './environment-slots.ts';
import { InvocationLogs, readLines } from './output.ts';
import {
  type AssignMessage,
  type DebugSettings,
  eventJsonOf,
  type FunctionData,
  type InvokeMessage,
  type LambdaErrorPayload,
  type WorkerData,
  type WorkerInit,
  type WorkerReply,
} from './protocol.ts';
import type { SpareThreads, ThreadShape } from './spare-threads.ts';
import { workerEntry } from './worker-entry.ts';

/** A function of the template as the local runtime runs it. */
export interface FunctionConfig {
  logicalId: string;
  name: string;
  arn: string;
  /** `<module>.<export>`, as in the template. */
  handler: string;
  /** The file an environment imports: the function's esbuild bundle, or its own handler file (run in place). */
  bundle: string;
  /**
   * Builds `bundle` when it is not built yet (see build/lazy-bundles.ts): the first environment waits for it; a
   * failed build fails the invocation as a failed init does.
   */
  prepare?: () => Promise<string>;
  /** `nodejs24.x`...: the handler contract (callbacks up to nodejs22.x). */
  runtime: string;
  /**
   * Why the function cannot run here (unsupported runtime, no handler file, a failed init): every invocation
   * answers this error at once, as Lambda answers a function whose init fails, and no environment starts.
   */
  problem?: LambdaErrorPayload;
  /** The environment imports the function's own files where they are (no bundle): their node_modules resolve. */
  inPlace?: boolean;
  timeoutSeconds: number;
  memoryMB: number;
  /** The function's resolved environment, plus what the runtime adds (region, credentials, local endpoints). */
  environment: Record<string, string>;
  /** HTTPS hosts of the template's own APIs → the local origin that serves them. */
  localHosts?: Record<string, string>;
  /**
   * `--debug-port`: the function runs in one environment, which opens a debugger port (Node's inspector; debugpy for
   * Python) and waits for a debugger before its init; its timeout is SAM CLI's debugging one (10 hours).
   */
  debug?: DebugSettings;
  /** What its build could not do (a requirements.txt pip did not install), said at start-up. */
  notes?: string[];
  /** AutoPublishAlias: the alias Invoke's Qualifier may name, standing for version 1 (the one SAM publishes). */
  alias?: string;
  /** EventInvokeConfig: how often an asynchronous invocation is retried, and for how long. */
  asyncRetries?: { maximumRetryAttempts: number; maximumEventAgeSeconds: number };
}

/** What an invocation's caller asks for beyond its result. */
export interface InvokeOptions {
  /** The lines the invocation wrote (for Invoke's `LogType: Tail` and `invoke`'s REPORT after them). */
  logs?: boolean;
  /** The invocation's X-Ray trace header: `_X_AMZN_TRACE_ID` in the environment (see traces/lambda-trace.ts). */
  traceHeader?: string;
}

interface OutcomeBase {
  requestId: string;
  durationMs: number;
  coldStart: boolean;
  /** A cold start's init phase (starting the environment, importing the function), for the REPORT line. */
  initDurationMs?: number;
  /** With InvokeOptions.logs: what the invocation wrote, in order. */
  logs?: string[];
}

export type InvokeOutcome =
  | ({ status: 'ok'; result: unknown } & OutcomeBase)
  | ({ status: 'error'; error: LambdaErrorPayload } & OutcomeBase)
  | ({ status: 'timeout' } & OutcomeBase);

interface Environment {
  worker: Worker;
  generation: number;
  invocations: number;
  /** How long the init phase took, and when it ended, once the environment says it is over. */
  initMs?: number;
  readyAt?: number;
  /** Settles when the init is over: the environment said so, failed, or ended. */
  ready: Promise<void>;
  pending?: { id: number; settle: (reply: WorkerReply | Error) => void };
  /** The running invocation's lines, when its caller asked for them. */
  logs?: InvocationLogs;
  /** Its heap outgrew the function's MemorySize (the thread's resourceLimits), which ended it. */
  outOfMemory?: boolean;
}

/** An outcome answered without running the function: no lines were written. */
export const noLogs = (options: InvokeOptions): { logs?: string[] } => (options.logs ? { logs: [] } : {});

/** `@aws-sdk/*` the function's code cannot resolve resolves from this package's install (see sdk-fallback.ts). */
const SDK_FALLBACK = new URL('../../package.json', import.meta.url).href;
/** Lambda's init phase limit. */
export const INIT_TIMEOUT_MS = 10_000;

/** Resolves when the environment's init is over, or after Lambda's init limit. */
const initOver = (environment: Environment): Promise<void> => {
  if (environment.readyAt !== undefined) return Promise.resolve();
  let limit: NodeJS.Timeout | undefined;
  return Promise.race([
    environment.ready,
    new Promise<void>((resolve) => {
      limit = setTimeout(resolve, INIT_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(limit));
};

/**
 * The execution environments of one function. Like Lambda, an environment runs one invocation at a time;
 * concurrent invocations get more environments (up to `maxConcurrency`, then they wait their turn). A timed-out
 * invocation ends its environment (Lambda discards it too), so the next one is a cold start.
 */
export class FunctionPool {
  readonly config: FunctionConfig;
  readonly maxConcurrency: number;
  private nextId = 1;
  private readonly onOutput: (line: string) => void;
  private readonly slots: EnvironmentSlots<Environment>;
  private readonly threads: SpareThreads | undefined;

  constructor(config: FunctionConfig, options: PoolOptions = {}) {
    this.config = config;
    this.maxConcurrency = options.maxConcurrency ?? 10;
    this.onOutput = options.onOutput ?? (() => {});
    this.threads = options.threads;
    this.slots = new EnvironmentSlots({
      max: this.maxConcurrency,
      name: config.logicalId,
      ...(options.idleMs ? { idleMs: options.idleMs } : {}),
      ...(options.budget ? { budget: options.budget } : {}),
      start: (generation) => this.start(generation),
      stop: (environment) => environment.worker.terminate(),
    });
  }

  /** Environments in use or idle (for tests and the banner). */
  get size(): number {
    return this.slots.size;
  }

  async invoke(event: unknown, requestId: string = randomUUID(), options: InvokeOptions = {}): Promise<InvokeOutcome> {
    const { problem } = this.config;
    if (problem) {
      return { status: 'error', requestId, error: problem, durationMs: 0, coldStart: false, ...noLogs(options) };
    }
    const unbuilt = await this.prepared();
    if (unbuilt) {
      return { status: 'error', requestId, error: unbuilt, durationMs: 0, coldStart: true, ...noLogs(options) };
    }
    const { environment, coldStart } = await this.slots.begin();
    // A cold start's init is not the invocation's: Lambda gives an on-demand init its own 10 s and counts Timeout
    // from the invoke phase (Lambda developer guide, "Lambda execution environment lifecycle": init phase limited to
    // 10 seconds). Past those 10 s the Timeout runs.
    await initOver(environment);
    const started = performance.now();
    const timeoutMs = this.config.timeoutSeconds * 1000;
    const logs = options.logs ? new InvocationLogs() : undefined;
    environment.logs = logs;
    const message: InvokeMessage = {
      id: this.nextId++,
      requestId,
      eventJson: eventJsonOf(event),
      deadline: Date.now() + timeoutMs,
      ...(logs ? { flush: true } : {}),
      ...(options.traceHeader ? { traceHeader: options.traceHeader } : {}),
    };
    const reply = await new Promise<WorkerReply | Error | 'timeout'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), timeoutMs);
      environment.pending = {
        id: message.id,
        settle: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
      };
      environment.worker.postMessage(message);
    });
    environment.pending = undefined;
    // A cold invocation waited for the init: Lambda's Duration leaves the init out.
    const durationMs = performance.now() - Math.max(started, environment.readyAt ?? 0);
    // A timed-out or crashed environment writes no end marker: its lines so far are the invocation's.
    const lines = logs && (reply === 'timeout' || reply instanceof Error ? logs.lines : await logs.finish());
    environment.logs = undefined;
    const initMs = coldStart ? environment.initMs : undefined;
    const base = {
      requestId,
      durationMs,
      coldStart,
      ...(initMs === undefined ? {} : { initDurationMs: initMs }),
      ...(lines ? { logs: lines } : {}),
    };
    if (reply === 'timeout') {
      this.slots.discard(environment);
      return { status: 'timeout', ...base };
    }
    if (reply instanceof Error) {
      this.slots.discard(environment);
      if (environment.outOfMemory) {
        this.onOutput(
          `RequestId: ${requestId} Error: Runtime exited with error: signal: killed (its heap outgrew MemorySize ${this.config.memoryMB} MB)`,
        );
      }
      // Lambda's answer when a function outgrows its memory: the kernel kills the runtime, and the invocation ends
      // with this Runtime.ExitError (Lambda developer guide, "Troubleshoot invocation issues": Runtime exited with
      // error: signal: killed).
      const errorMessage = environment.outOfMemory
        ? `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`
        : reply.message;
      return { status: 'error', ...base, error: { errorType: 'Runtime.ExitError', errorMessage, trace: [] } };
    }
    this.slots.release(environment);
    if (reply.ok) {
      const result: unknown = JSON.parse(reply.resultJson ?? 'null');
      return { status: 'ok', ...base, result };
    }
    return {
      status: 'error',
      ...base,
      error: reply.error ?? { errorType: 'Error', errorMessage: 'Unknown error', trace: [] },
    };
  }

  /**
   * Starts an environment now and leaves it idle (its invocation count 0, so the first invocation is still a cold
   * start): a debugged function's environment listens for the debugger before the first request.
   */
  async warm(): Promise<void> {
    if (this.config.problem) return;
    const unbuilt = await this.prepared();
    if (unbuilt) throw new Error(unbuilt.errorMessage);
    this.slots.release(await this.slots.acquire());
  }

  /** New code: environments started from now on load `bundle`; the old ones end as soon as they are idle. */
  reload(bundle: string): void {
    // A bundle not built yet stays to be built (prepare): a reset before a function's first invocation reloads it too.
    this.config.bundle = bundle;
    this.slots.renew();
  }

  /**
   * Builds the bundle if it is not built yet; a failed build is answered as Lambda answers a handler module that
   * cannot be loaded (Runtime.ImportModuleError), and the next invocation tries again.
   */
  private async prepared(): Promise<LambdaErrorPayload | undefined> {
    const { prepare } = this.config;
    if (!prepare) return undefined;
    try {
      const bundle = await prepare();
      if (this.config.prepare === prepare) {
        this.config.bundle = bundle;
        delete this.config.prepare;
      }
      return undefined;
    } catch (error) {
      return {
        errorType: 'Runtime.ImportModuleError',
        errorMessage: (error as Error).message,
        trace: [],
      };
    }
  }

  /**
   * Runs the function's init once in a throw-away environment (importing its code, finding its handler) and
   * records a failure as the function's problem, so start-up can name it. Inits that succeed, or take longer than
   * Lambda's 10 s, leave the function as it was; the environment is not kept, so the first invocation stays a cold
   * start.
   */
  async check(): Promise<LambdaErrorPayload | undefined> {
    if (this.config.problem) return this.config.problem;
    const unbuilt = await this.prepared();
    if (unbuilt) return unbuilt;
    const worker = await this.spawn(false);
    const error = await new Promise<LambdaErrorPayload | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), INIT_TIMEOUT_MS);
      const settle = (value: LambdaErrorPayload | undefined) => {
        clearTimeout(timer);
        resolve(value);
      };
      worker.once('message', (init: WorkerInit) => settle(init.error));
      worker.once('error', (failure: Error) =>
        settle({ errorType: failure.name || 'Runtime.ExitError', errorMessage: failure.message, trace: [] }),
      );
      worker.once('exit', (code) =>
        settle({
          errorType: 'Runtime.ExitError',
          errorMessage: `Runtime exited with error: exit status ${code}`,
          trace: [],
        }),
      );
    });
    await worker.terminate();
    if (error) this.config.problem = error;
    return error;
  }

  close(): Promise<void> {
    return this.slots.close();
  }

  /** What the function's environments' threads are started with (see spare-threads.ts). */
  get threadShape(): ThreadShape {
    return {
      data: { sdkFallback: SDK_FALLBACK, localHosts: this.config.localHosts ?? {} },
      // Its heap is the function's MemorySize (with room for Node.js itself in the smallest ones).
      maxOldGenerationSizeMb: Math.max(64, this.config.memoryMB),
    };
  }

  /**
   * A thread for a new environment of the function. `debug`: the environment opens the function's debugger port
   * (never the throw-away one check() starts), in a thread of its own. Otherwise a spare thread is taken when there
   * is one (see spare-threads.ts) and assigned the function.
   */
  private async spawn(debug: boolean): Promise<Worker> {
    const shape = this.threadShape;
    const data: FunctionData = {
      bundle: this.config.bundle,
      handler: this.config.handler,
      exportName: this.config.handler.split('.').slice(1).join('.') || 'handler',
      runtime: this.config.runtime,
      context: {
        functionName: this.config.name,
        functionVersion: '$LATEST',
        invokedFunctionArn: this.config.arn,
        memoryLimitInMB: String(this.config.memoryMB),
        logGroupName: `/aws/lambda/${this.config.name}`,
      },
      ...(debug && this.config.debug ? { debug: this.config.debug } : {}),
    };
    const env = { ...this.config.environment };
    if (this.threads && !data.debug) {
      const worker = await this.threads.take(shape);
      worker.postMessage({ assign: data, env } satisfies AssignMessage);
      return worker;
    }
    return new Worker(await workerEntry(), {
      workerData: { ...shape.data, function: data } satisfies WorkerData,
      env,
      resourceLimits: { maxOldGenerationSizeMb: shape.maxOldGenerationSizeMb },
      stdout: true,
      stderr: true,
    });
  }

  private async start(generation: number): Promise<Environment> {
    const spawned = performance.now();
    const worker = await this.spawn(true);
    let initEnded = () => {};
    const environment: Environment = {
      worker,
      generation,
      invocations: 0,
      ready: new Promise<void>((resolve) => {
        initEnded = resolve;
      }),
    };
    readLines(worker.stdout, (line) => {
      if (!environment.logs || environment.logs.take(line)) this.onOutput(line);
    });
    readLines(worker.stderr, (line) => {
      environment.logs?.take(line);
      this.onOutput(line);
    });
    worker.on('message', (reply: WorkerReply | WorkerInit) => {
      if ('init' in reply) {
        environment.readyAt = performance.now();
        environment.initMs = environment.readyAt - spawned;
        initEnded();
        return;
      }
      if (environment.pending?.id === reply.id) environment.pending.settle(reply);
    });
    const fail = (error: Error) => {
      initEnded();
      environment.pending?.settle(error);
    };
    worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') environment.outOfMemory = true;
      fail(error);
    });
    worker.on('exit', (code) => {
      this.slots.forget(environment);
      fail(new Error(`Runtime exited with error: exit status ${code}`));
    });
    worker.unref();
    return environment;
  }
}
