import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyWebsocketEventV2, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { WebSocketServer } from 'ws';
import type { ConnectEvent } from '../../src/functions/ws-connect/handler.ts';
import { unsampledTraceHeader } from '../lambda-environment.ts';

// The bench passes the Lambda environment (bench/lambda-environment.ts): the handlers' Tracer reads it when made.
const { handler: authorize } = await import('../../src/functions/ws-authorizer/handler.ts');
const { handler: connect } = await import('../../src/functions/ws-connect/handler.ts');
const { handler: disconnect } = await import('../../src/functions/ws-disconnect/handler.ts');

/**
 * The handler ceiling of `npm run bench:ws`: a bare `ws` server that, on each handshake, calls the template's
 * $connect authorizer and $connect handler in-process (their own code, reading the same local SSM parameter and
 * writing the same local DynamoDB table as in the runtime, through the environment the bench passes), with the
 * smallest events they read, each invocation with a trace header of its own as the runtime gives it; on each close the
 * $disconnect handler, as the runtime runs it (the bench waits for both to have removed their connections before the
 * next round, so neither pays for a round's disconnects in the next). It does what the runtime's path must do minus
 * the gateway and the worker threads. Prints its URL on stdout.
 */
const server = createServer((_request, response) => response.writeHead(426).end());
const wss = new WebSocketServer({ noServer: true });
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:ceiling/prod/$connect';

server.on('upgrade', async (request, socket, head) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const queryStringParameters = Object.fromEntries(url.searchParams);
  const connectionId = randomUUID();
  try {
    process.env._X_AMZN_TRACE_ID = unsampledTraceHeader();
    const decision = await authorize({
      type: 'REQUEST',
      methodArn: METHOD_ARN,
      headers: request.headers as Record<string, string>,
      queryStringParameters,
    } as unknown as APIGatewayRequestAuthorizerEvent);
    if (decision.policyDocument.Statement[0]?.Effect !== 'Allow') throw new Error('denied');
    process.env._X_AMZN_TRACE_ID = unsampledTraceHeader();
    const answer = await connect({
      requestContext: { connectionId, connectedAt: Date.now(), authorizer: { principalId: decision.principalId } },
    } as unknown as ConnectEvent);
    if (typeof answer === 'string' || answer.statusCode !== 200) throw new Error('refused');
  } catch {
    socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  wss.handleUpgrade(request, socket, head, (ws) => {
    ws.on('close', () => {
      process.env._X_AMZN_TRACE_ID = unsampledTraceHeader();
      void disconnect({ requestContext: { connectionId } } as unknown as APIGatewayProxyWebsocketEventV2).catch(
        () => {},
      );
    });
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`ws://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
