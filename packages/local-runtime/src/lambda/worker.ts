import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { InvokeMessage, WorkerData, WorkerReply } from './protocol.ts';

/**
 * One Lambda execution environment: a worker thread with the function's own `process.env`, its bundle imported
 * once (the cold start), then one invocation at a time, as Lambda runs them.
 */
type Handler = (event: unknown, context: object, callback?: (error: unknown, result?: unknown) => void) => unknown;

const data = workerData as WorkerData;
const port = parentPort;
if (!port) throw new Error('local/lambda/worker.ts runs only as a worker thread');

const loaded: Promise<Handler> = import(pathToFileURL(data.bundle).href).then((module: Record<string, unknown>) => {
  const handler = module[data.exportName];
  if (typeof handler !== 'function') {
    throw Object.assign(new Error(`${data.bundle} does not export a function named ${data.exportName}`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  return handler as Handler;
});

const errorOf = (error: unknown): WorkerReply['error'] => {
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

const contextFor = (message: InvokeMessage) => ({
  ...message.context,
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
  done: () => undefined,
  succeed: () => undefined,
  fail: () => undefined,
});

// A handler that takes a callback (the old style) finishes when it calls back; an async one when it resolves.
const run = (handler: Handler, message: InvokeMessage): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const callback = (error: unknown, result?: unknown) => (error ? reject(error) : resolve(result));
    try {
      const returned = handler(message.event, contextFor(message), callback);
      if (handler.length < 3 || (returned && typeof (returned as Promise<unknown>).then === 'function')) {
        Promise.resolve(returned).then(resolve, reject);
      }
    } catch (error) {
      reject(error);
    }
  });

port.on('message', async (message: InvokeMessage) => {
  let reply: WorkerReply;
  try {
    const handler = await loaded;
    const result = await run(handler, message);
    // Lambda serialises the result as JSON: undefined becomes null, functions and symbols vanish.
    reply = { id: message.id, ok: true, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) };
  } catch (error) {
    reply = { id: message.id, ok: false, error: errorOf(error) };
  }
  port.postMessage(reply);
});
