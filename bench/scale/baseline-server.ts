import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';

/**
 * The baseline of `npm run bench:scale`: a bare node:http server that, like the runtime, starts one worker thread per
 * function on the function's first request (`GET /f<N>` → `<folder>/f<N>.mjs`, which the thread imports) and sends it
 * each of that function's requests. Nothing else: no template, no gateway, no services. `node baseline-server.ts
 * <folder>` prints its URL. The thread's code is plain JavaScript: TypeScript would cost each thread Node's type
 * stripper, which the runtime does not pay either (see worker-entry.ts).
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const loaded = import(pathToFileURL(workerData.file).href);
parentPort.on('message', async ({ id, eventJson }) => {
  const { handler } = await loaded;
  const result = await handler(JSON.parse(eventJson));
  parentPort.postMessage({ id, resultJson: JSON.stringify(result) });
});
`;

const folder = process.argv[2] ?? '.';
const workers = new Map<string, Worker>();
const pending = new Map<number, (resultJson: string) => void>();
let nextId = 1;
const workerFor = (name: string): Worker => {
  let worker = workers.get(name);
  if (!worker) {
    worker = new Worker(THREAD, { eval: true, workerData: { file: `${folder}/${name}.mjs` } });
    worker.on('message', ({ id, resultJson }: { id: number; resultJson: string }) => {
      pending.get(id)?.(resultJson);
      pending.delete(id);
    });
    workers.set(name, worker);
  }
  return worker;
};
const server = createServer(async (request, response) => {
  const name = /^\/(f\d+)$/.exec(request.url ?? '')?.[1];
  if (!name) {
    response.writeHead(404).end();
    return;
  }
  const id = nextId++;
  const resultJson = await new Promise<string>((resolve) => {
    pending.set(id, resolve);
    workerFor(name).postMessage({ id, eventJson: JSON.stringify({ path: request.url, httpMethod: request.method }) });
  });
  const result = JSON.parse(resultJson) as { statusCode: number; body: string };
  response.writeHead(result.statusCode).end(result.body);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
