import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { lambdaEnvironment, unsampledTraceHeader } from '../lambda-environment.ts';

// Before the handler's modules load: its Tracer reads the environment once, when it is made.
Object.assign(process.env, lambdaEnvironment);
const { handler } = await import('../../src/functions/catalog/handler.ts');

/**
 * The ceiling of `npm run bench:gateway`: a bare node:http server that calls the catalogue handler in-process,
 * with the smallest event that handler reads, in the Lambda environment the runtime gives it (bench/lambda-environment.ts).
 * Prints its URL on stdout.
 */
const server = createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const event = {
    httpMethod: request.method ?? 'GET',
    path: url.pathname,
    headers: request.headers as Record<string, string>,
    queryStringParameters: Object.fromEntries(url.searchParams),
    body: null,
  } as unknown as APIGatewayProxyEvent;
  process.env._X_AMZN_TRACE_ID = unsampledTraceHeader();
  const result = await handler(event);
  response.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
