import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { lambdaEnvironment, unsampledTraceHeader } from '../lambda-environment.ts';

/**
 * The second ceiling of `npm run bench:gateway`: ceiling-server.ts with the handler moved to worker threads, one
 * request at a time per thread (Lambda's rule, which the runtime keeps), idle threads reused last-in first-out and up
 * to ENVIRONMENTS of them. It is the least any gateway pays that runs functions isolated in worker threads: the event
 * and the answer cross threads as JSON text, and a sleeping thread is woken for each request. Prints its URL.
 */
const ENVIRONMENTS = 10;

interface Request {
  id: number;
  eventJson: string;
  traceHeader: string;
}

if (!isMainThread) {
  const { handler } = await import('../../src/functions/catalog/handler.ts');
  parentPort?.on('message', async ({ id, eventJson, traceHeader }: Request) => {
    process.env._X_AMZN_TRACE_ID = traceHeader;
    const result = await handler(JSON.parse(eventJson) as APIGatewayProxyEvent);
    parentPort?.postMessage({ id, resultJson: JSON.stringify(result) });
  });
} else {
  const idle: Worker[] = [];
  const waiting: ((worker: Worker) => void)[] = [];
  const pending = new Map<number, (result: APIGatewayProxyResult) => void>();
  let started = 0;
  let nextId = 1;
  const spawn = () => {
    const worker = new Worker(new URL(import.meta.url), { env: { ...process.env, ...lambdaEnvironment } });
    worker.on('message', ({ id, resultJson }: { id: number; resultJson: string }) => {
      pending.get(id)?.(JSON.parse(resultJson) as APIGatewayProxyResult);
      pending.delete(id);
    });
    started += 1;
    return worker;
  };
  const acquire = (): Promise<Worker> | Worker =>
    idle.pop() ?? (started < ENVIRONMENTS ? spawn() : new Promise((resolve) => waiting.push(resolve)));
  const release = (worker: Worker) => {
    const next = waiting.shift();
    if (next) next(worker);
    else idle.push(worker);
  };
  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const event = {
      httpMethod: request.method ?? 'GET',
      path: url.pathname,
      headers: request.headers,
      queryStringParameters: Object.fromEntries(url.searchParams),
      body: null,
    };
    const worker = await acquire();
    const id = nextId++;
    const result = await new Promise<APIGatewayProxyResult>((resolve) => {
      pending.set(id, resolve);
      worker.postMessage({
        id,
        eventJson: JSON.stringify(event),
        traceHeader: unsampledTraceHeader(),
      } satisfies Request);
    });
    release(worker);
    response.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
  });
}
