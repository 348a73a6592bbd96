import { EventEmitter } from 'node:events';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { refuseBadHost } from '../../runtime/host-header.ts';
import { readRequestBody } from './local-service.ts';
import type { ListeningMessage } from './supervised-worker.ts';

/**
 * What an emulation's worker thread (dynalite-worker.ts, kinesalite-worker.ts) starts from: its parent's port, the
 * settings it was given, and how to say it listens (see supervised-worker.ts). Throws outside a worker thread.
 */
export const workerContext = <Settings>(file: string) => {
  const port = parentPort;
  if (!port) throw new Error(`${file} runs as a worker thread`);
  return {
    port,
    settings: workerData as Settings,
    listening: (listeningOn: number) =>
      port.postMessage({ type: 'listening', port: listeningOn } satisfies ListeningMessage),
  };
};

/** The request listener an emulation made its own server with, taken off it: the worker's front door calls it. */
export const takeRequestListener = (server: Server, name: string): RequestListener => {
  const [listener] = server.listeners('request') as RequestListener[];
  if (!listener) throw new Error(`${name} has no request handler`);
  server.removeAllListeners('request');
  return listener;
};

/**
 * Faults a test asks for (SAM_LOCAL_RUNTIME_TEST_FAULTS=1 only, `enabled`): `X-Amz-Target: LocalRuntimeFault.Throw`
 * throws inside the handler, `LocalRuntimeFault.Crash` throws outside any request (as an emulation's store callbacks
 * do), which ends the worker thread it runs in.
 */
export const testFaultOf = (request: IncomingMessage, enabled: boolean): RequestListener | undefined => {
  if (!enabled) return undefined;
  const target = request.headers['x-amz-target'];
  if (target === 'LocalRuntimeFault.Throw') {
    return () => {
      throw new Error('a fault a test asked for');
    };
  }
  if (target === 'LocalRuntimeFault.Crash') {
    return () =>
      setImmediate(() => {
        throw new Error('a crash a test asked for');
      });
  }
  return undefined;
};

/**
 * Hands an emulation (dynalite, kinesalite: each reads `data` and `end` and nothing else of the request) a request
 * whose body is all there, so that a half-sent request never reaches it; a synchronous throw is answered by
 * `failed` for this request alone.
 */
export const handWhole = (
  handler: RequestListener,
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
  failed: (error: unknown) => void,
): void => {
  const complete = Object.assign(new EventEmitter(), {
    method: request.method,
    url: request.url,
    headers: request.headers,
  });
  try {
    handler(complete as unknown as IncomingMessage, response);
    if (body.length > 0) complete.emit('data', body);
    complete.emit('end');
  } catch (error) {
    failed(error);
  }
};

/**
 * The front door's first step, as listenService's for the other endpoints: the request's whole body, or undefined
 * when the request has been answered already (two Host headers: 400; a body over `maxBytes`: 413).
 */
export const wholeBody = async (
  request: IncomingMessage,
  response: ServerResponse,
  maxBytes: number,
): Promise<Buffer | undefined> => {
  if (refuseBadHost(request, response)) return undefined;
  const body = await readRequestBody(request, maxBytes);
  if (body === undefined) response.writeHead(413).end();
  return body;
};
