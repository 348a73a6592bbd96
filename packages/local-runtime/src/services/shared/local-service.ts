import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { refuseBadHost } from '../../runtime/host-header.ts';
import { closeAfterAnswer, guardHttpPort } from '../../shared/http-port.ts';

/** A local AWS endpoint the functions' SDK clients reach through `AWS_ENDPOINT_URL_<SERVICE>`. */
export interface LocalService {
  name: string;
  url: string;
  close(): Promise<void>;
}

/**
 * The client went before its request was whole: a body shorter than its Content-Length when the connection closed, or
 * a malformed chunk (node:http's parser refuses it and destroys the socket). Nobody is left to answer.
 */
export class RequestAborted extends Error {
  override readonly name = 'RequestAborted';
}

/**
 * The whole body of a request, or undefined as soon as it is larger than `limit`: the answer to that (a 413) then goes
 * out at once and closes the connection, the rest of the body read and dropped by the port first, up to a bound (see
 * http-port.ts). Rejects with RequestAborted when the request ends before its body does, so each caller's promise
 * settles either way.
 */
export const readRequestBody = (request: IncomingMessage, limit = 1_048_576): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    // Already read to its end (by a `--routes` handler that did not answer after all): nothing more will come.
    if (request.readableEnded) {
      resolve(Buffer.alloc(0));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size - chunk.length <= limit) {
        closeAfterAnswer(request);
        resolve(undefined);
      }
    });
    request.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    request.on('error', (error) => reject(new RequestAborted('the request was not sent whole', { cause: error })));
    request.on('close', () => {
      if (!request.complete) reject(new RequestAborted('the request was not sent whole'));
    });
  });

/**
 * What a handler's failure costs: nothing more for a request whose client went away (its socket is already gone);
 * otherwise it is logged as the bug it is, and answered by `internalError` unless an answer has begun.
 */
export const answerFailure = (
  name: string,
  response: ServerResponse,
  error: unknown,
  internalError: (response: ServerResponse) => void,
): void => {
  if (error instanceof RequestAborted) {
    response.destroy();
    return;
  }
  console.error(`[${name}] unexpected error`, error);
  if (response.headersSent) response.destroy();
  else internalError(response);
};

const jsonInternalError = (response: ServerResponse) => {
  response.writeHead(500, { 'Content-Type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify({ __type: 'InternalServerError', message: 'The local service failed' }));
};

/**
 * A service's store filled with what the template declares, now and again at each reset (`/_local/reset`, the testing
 * kit's `reset()`): what the runtime's own reset puts back.
 */
export const seededStore = <S extends { clear(): void }>(
  store: S,
  seed: (store: S) => void,
): { store: S; reset: () => void } => {
  seed(store);
  return {
    store,
    reset: () => {
      store.clear();
      seed(store);
    },
  };
};

/** Starts a node:http server for one service on loopback (port 0 = any free port). */
export const listenService = async (
  name: string,
  handler: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
  options: { port?: number; host?: string } = {},
): Promise<LocalService> => {
  const server: Server = guardHttpPort(
    createServer((request, response) => {
      if (refuseBadHost(request, response)) return;
      // A synchronous throw costs this request only, as an asynchronous one does.
      let handling: Promise<void>;
      try {
        handling = handler(request, response);
      } catch (error) {
        handling = Promise.reject(error);
      }
      handling.catch((error: unknown) => answerFailure(name, response, error, jsonInternalError));
    }),
  );
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
};
