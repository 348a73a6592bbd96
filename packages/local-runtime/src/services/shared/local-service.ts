import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { refuseRepeatedHost } from '../../runtime/host-header.ts';

/** A local AWS endpoint the functions' SDK clients reach through `AWS_ENDPOINT_URL_<SERVICE>`. */
export interface LocalService {
  name: string;
  url: string;
  close(): Promise<void>;
}

export const readRequestBody = (request: IncomingMessage, limit = 1_048_576): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });

/** Starts a node:http server for one service on loopback (port 0 = any free port). */
export const listenService = async (
  name: string,
  handler: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
  options: { port?: number; host?: string } = {},
): Promise<LocalService> => {
  const server: Server = createServer((request, response) => {
    if (refuseRepeatedHost(request, response)) return;
    handler(request, response).catch((error: unknown) => {
      console.error(`[${name}] unexpected error`, error);
      if (!response.headersSent) {
        response.writeHead(500, { 'Content-Type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'InternalServerError', message: 'The local service failed' }));
      }
    });
  });
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
