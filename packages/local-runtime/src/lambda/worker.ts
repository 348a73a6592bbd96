import { open as openInspector } from 'node:inspector';
import { enableCompileCache, flushCompileCache } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { installLambdaConsole } from './console.ts';
import { parseHandler } from './handler-file.ts';
import { installLocalHosts } from './local-hosts.ts';
import { CALLBACK_REMOVED_MESSAGE, nodeRuntimeOf } from './node-runtime.ts';
import { END_OF_INVOCATION } from './output.ts';
import type {
  AssignMessage,
  FunctionData,
  InvokeMessage,
  LambdaErrorPayload,
  WorkerData,
  WorkerInit,
  WorkerReply,
} from './protocol.ts';
import { registerSdkFallback } from './sdk-fallback.ts';

/**
 * One Lambda execution environment: a worker thread with the function's own `process.env`, its code imported
 * once (the init phase, reported to the pool), then one invocation at a time, as Lambda runs them, with the
 * handler contract of the function's Runtime (see node-runtime.ts).
 */
type Callback = (error?: unknown, result?: unknown) => void;
type Handler = (event: unknown, context: object, callback?: Callback) => unknown;

const thread = workerData as WorkerData;
const port = parentPort;
if (!port) throw new Error('lambda/worker.ts runs only as a worker thread');
registerSdkFallback(thread.sdkFallback);
installLocalHosts(thread.localHosts);
let currentRequestId: string | undefined;
installLambdaConsole(() => currentRequestId);
// V8's code cache on disk (Node's compile cache, in the OS temp folder): every environment of a function after the
// first skips compiling its bundle, so cold starts cost less CPU on a machine that runs all of them. Written at once
// rather than at exit, because environments end by being terminated.
enableCompileCache();

/** A spare thread becomes a function's environment here: its `process.env` is the function's, and only its. */
const assigned = (): Promise<FunctionData> =>
  new Promise((resolve) => {
    port.once('message', ({ assign, env }: AssignMessage) => {
      for (const key of Object.keys(process.env)) delete process.env[key];
      Object.assign(process.env, env);
      resolve(assign);
    });
  });

const data = thread.function ?? (await assigned());
if (data.debug) {
  // `--debug-port`: SAM CLI starts a debugged Node.js function with --inspect-brk; here the environment's own
  // inspector (a worker thread has one of its own) opens and waits for a debugger before the function's code is
  // imported, so breakpoints in its init code bind too. Stack traces name the sources through the bundle's map.
  process.setSourceMapsEnabled(true);
  openInspector(data.debug.port, data.debug.host, true);
}
const runtime = nodeRuntimeOf(data.runtime);
const callbacks = runtime.ok && runtime.callbacks;

const named = (name: string, message: string, stack?: string): Error => {
  const error = new Error(message);
  error.name = name;
  // The runtime's own errors carry no frames of the runtime's code; a syntax error keeps the user's.
  error.stack = stack ?? `${name}: ${message}`;
  return error;
};

const isNotFound = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
};

const findIn = (path: string, module: unknown): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (nested, key) => (nested && typeof nested === 'object' ? (nested as Record<string, unknown>)[key] : undefined),
      module,
    );

/** Imports the function and finds its handler, failing as Lambda's runtime does (same error types). */
const load = async (): Promise<Handler> => {
  let module: unknown;
  try {
    module = await import(pathToFileURL(data.bundle).href);
  } catch (error) {
    if (error instanceof SyntaxError) throw named('Runtime.UserCodeSyntaxError', String(error), error.stack);
    if (isNotFound(error)) {
      const v2 = /['"]aws-sdk['"]/.test(String(error)) ? sdkV2Note(data.runtime) : '';
      throw named('Runtime.ImportModuleError', `${String(error).split('\n')[0]}${v2}`);
    }
    throw error;
  }
  const exportPath = parseHandler(data.handler)?.exportPath ?? data.exportName;
  let handler = findIn(exportPath, module);
  if (handler === undefined && module && typeof module === 'object' && 'default' in module) {
    handler = findIn(exportPath, module.default);
  }
  if (handler === undefined) throw named('Runtime.HandlerNotFound', `${data.handler} is undefined or not exported`);
  if (typeof handler !== 'function') throw named('Runtime.HandlerNotFound', `${data.handler} is not a function`);
  if (!callbacks && handler.length >= 3) throw named('Runtime.CallbackHandlerDeprecated', CALLBACK_REMOVED_MESSAGE);
  return handler as Handler;
};

/**
 * Why `require('aws-sdk')` fails: Lambda's nodejs16.x and earlier include the AWS SDK for JavaScript v2 and this
 * runtime does not; nodejs18.x and later include only v3. A bundled v2 reaches the local endpoints (its calls to
 * `https://<service>.<region>.amazonaws.com` go to them: AwsServices.hosts in runtime/services.ts).
 */
const sdkV2Note = (runtime: string): string =>
  Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1] ?? 99) < 18
    ? ` (Lambda's ${runtime} includes the AWS SDK for JavaScript v2, sam-local-runtime does not: add aws-sdk to the function's dependencies, or use v3)`
    : ' (the AWS SDK for JavaScript v2 is not included in nodejs18.x and later runtimes: use v3 or bundle it)';

const errorOf = (error: unknown): LambdaErrorPayload => {
  if (error instanceof Error) {
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    };
  }
  // Lambda reports a non-Error rejection as a string error message.
  return { errorType: 'Error', errorMessage: typeof error === 'string' ? error : JSON.stringify(error), trace: [] };
};

const loaded = load();
// The init is over for the pool first; writing the code cache to disk follows, off the cold start's path.
loaded
  .then(
    () => port.postMessage({ init: true } satisfies WorkerInit),
    (error: unknown) => port.postMessage({ init: true, error: errorOf(error) } satisfies WorkerInit),
  )
  .finally(() => flushCompileCache())
  .catch(() => {});

// The log stream names the environment, as Lambda's names its execution environment.
const environmentContext = { ...data.context, logStreamName: `local/[$LATEST]${threadId}` };

const baseContext = (message: InvokeMessage) => ({
  awsRequestId: message.requestId,
  ...environmentContext,
  getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
});

/**
 * Resolves once nothing but the environment's own port keeps the event loop alive (no timers, sockets, file
 * operations of the function's), which is when Lambda ends an invocation whose callback ran while
 * `callbackWaitsForEmptyEventLoop` is true. Never resolves before the deadline otherwise: the invocation times out,
 * as on Lambda.
 */
export const emptyEventLoop = (deadline: number): Promise<void> =>
  new Promise((resolve) => {
    const check = () => {
      const busy = process.getActiveResourcesInfo().filter((resource) => resource !== 'MessagePort');
      if (busy.length === 0) resolve();
      else if (Date.now() < deadline) setTimeout(check, 5).unref();
    };
    // A timer, not an unref'd immediate: libuv's poll phase does not wake up for immediates that are not ref'd, so
    // with nothing else stirring (the port idle, no I/O) the check would never run and the invocation would time out.
    setTimeout(check, 0).unref();
  });

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null &&
  (typeof value === 'object' || typeof value === 'function') &&
  typeof (value as { then?: unknown }).then === 'function';

/** nodejs24.x and later: `handler(event, context)`, its return value (or what its promise resolves to) the result. */
const runAsync = async (handler: Handler, message: InvokeMessage): Promise<unknown> =>
  handler(JSON.parse(message.eventJson), baseContext(message));

/**
 * Up to nodejs22.x (runtime interface client, CallbackContext): the handler may also end the invocation with
 * `callback(error, result)` (after the event loop empties while callbackWaitsForEmptyEventLoop is true) or
 * `context.succeed/fail/done` (at once); a returned promise settles it; only the first of these counts. A handler
 * that does none of them returns null once the event loop is empty.
 */
const runWithCallbacks = (handler: Handler, message: InvokeMessage): Promise<unknown> =>
  new Promise((resolve, reject) => {
    let finished = false;
    let waitsForEmptyEventLoop = true;
    const finish = (error: unknown, result: unknown, afterEventLoop: boolean) => {
      if (finished) return;
      finished = true;
      if (error !== undefined && error !== null) reject(error);
      else if (afterEventLoop && waitsForEmptyEventLoop)
        void emptyEventLoop(message.deadline).then(() => resolve(result));
      else resolve(result);
    };
    const done = (error?: unknown, result?: unknown) => finish(error, result, false);
    const callback: Callback = (error, result) => finish(error, result, true);
    const context = {
      ...baseContext(message),
      get callbackWaitsForEmptyEventLoop() {
        return waitsForEmptyEventLoop;
      },
      set callbackWaitsForEmptyEventLoop(value: boolean) {
        waitsForEmptyEventLoop = value;
      },
      done,
      succeed: (result?: unknown) => done(null, result),
      fail: (error?: unknown) => done(error === undefined || error === null ? 'handled' : error),
    };
    try {
      const returned = handler(JSON.parse(message.eventJson), context, callback);
      if (isThenable(returned)) {
        returned.then(
          (result) => done(null, result),
          (error: unknown) => done(error === undefined || error === null ? 'handled' : error),
        );
      } else {
        void emptyEventLoop(message.deadline).then(() => finish(null, null, false));
      }
    } catch (error) {
      callback(error);
    }
  });

port.on('message', async (message: InvokeMessage) => {
  let reply: WorkerReply;
  currentRequestId = message.requestId;
  // Per invocation, as the runtime interface client sets it from the Lambda-Runtime-Trace-Id header.
  if (message.traceHeader) process.env._X_AMZN_TRACE_ID = message.traceHeader;
  else delete process.env._X_AMZN_TRACE_ID;
  try {
    const handler = await loaded;
    const result = await (callbacks ? runWithCallbacks : runAsync)(handler, message);
    // Lambda serialises the result as JSON: undefined becomes null, functions and symbols vanish.
    reply = { id: message.id, ok: true, resultJson: JSON.stringify(result === undefined ? null : result) ?? 'null' };
  } catch (error) {
    reply = { id: message.id, ok: false, error: errorOf(error) };
  }
  if (message.flush) process.stdout.write(`${END_OF_INVOCATION}\n`);
  port.postMessage(reply);
});
