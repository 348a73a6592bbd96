import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { awsJsonHandler } from '../../src/services/shared/aws-json.ts';
import { type LocalService, listenService } from '../../src/services/shared/local-service.ts';
import { requestVerifier } from '../../src/services/shared/request-auth.ts';
import { signedHeaders } from '../../src/testing/index.ts';
import type { WebSocketGateway } from '../../src/websocket/gateway.ts';
import { webSocketPort } from '../../src/websocket/server.ts';
import { authFor, testKey } from './local-auth.ts';

/**
 * A bug inside a handler, thrown synchronously or not, costs that request only: it is answered with the service's own
 * 500 and the port goes on serving. Real HTTP on loopback; the handlers are made to throw on purpose.
 */
const started: LocalService[] = [];
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(started.map((service) => service.close()));
  for (const server of servers) server.close();
});
// The failures are logged on purpose; the log is not what these tests read.
jest.spyOn(console, 'error').mockImplementation(() => {});

const REGION = 'us-east-1';
const auth = authFor(REGION);

/** A call signed as an SDK client signs it: the endpoints check the signature before anything else. */
const post = async (url: string, target: string, service = 'ssm') =>
  fetch(url, {
    method: 'POST',
    headers: await signedHeaders(url, testKey, REGION, 'POST', '{}', {
      service,
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target },
    }),
    body: '{}',
  });

describe('a local AWS endpoint (listenService + awsJsonHandler)', () => {
  it("answers an operation that throws, synchronously or not, with the service's 500, then serves on", async () => {
    const service = await listenService(
      'test',
      awsJsonHandler({
        targetPrefix: 'AmazonSSM',
        contentType: 'application/x-amz-json-1.1',
        operations: {
          Sync: () => {
            throw new TypeError('a bug');
          },
          Async: async () => {
            await Promise.resolve();
            throw new TypeError('a later bug');
          },
          Fine: () => ({ ok: true }),
        },
        errorOf: () => undefined,
        internalErrorType: 'InternalServerError',
        verify: requestVerifier(auth, 'ssm'),
      }),
    );
    started.push(service);
    for (const operation of ['Sync', 'Async']) {
      const answer = await post(service.url, `AmazonSSM.${operation}`);
      expect(answer.status).toBe(500);
      expect(answer.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      expect(await answer.json()).toMatchObject({ __type: 'InternalServerError' });
    }
    expect(await (await post(service.url, 'AmazonSSM.Fine')).json()).toEqual({ ok: true });
  });

  it('names the common InternalFailure when the service models no 500 of its own', async () => {
    const service = await listenService(
      'test',
      awsJsonHandler({
        targetPrefix: 'AWSStepFunctions',
        contentType: 'application/x-amz-json-1.0',
        operations: {
          Broken: () => {
            throw new Error('a bug');
          },
        },
        errorOf: () => undefined,
        verify: requestVerifier(auth, 'states'),
      }),
    );
    started.push(service);
    const answer = await post(service.url, 'AWSStepFunctions.Broken', 'states');
    expect(answer.status).toBe(500);
    expect(await answer.json()).toMatchObject({ __type: 'InternalFailure' });
  });

  it('answers a handler that throws before it returns a promise, then serves on', async () => {
    let calls = 0;
    const service = await listenService('test', (_request, response) => {
      calls += 1;
      if (calls === 1) throw new Error('thrown synchronously');
      response.writeHead(200).end('fine');
      return Promise.resolve();
    });
    started.push(service);
    expect((await fetch(service.url)).status).toBe(500);
    expect(await (await fetch(service.url)).text()).toBe('fine');
  });
});

describe('the WebSocket port', () => {
  it("answers a failing @connections call with API Gateway's 500, then serves on", async () => {
    let calls = 0;
    const gateway = {
      api: { stage: 'live' },
      connections: {
        get: () => {
          calls += 1;
          if (calls === 1) throw new Error('a bug');
          return undefined;
        },
      },
    } as unknown as WebSocketGateway;
    const port = webSocketPort([gateway], requestVerifier(auth, 'execute-api'));
    const server = createServer((request, response) => port.request(request, response));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/live/@connections/AAAAAAAAAAAAAAA=`;
    const signed = async () => fetch(url, { headers: await signedHeaders(url, testKey, REGION) });
    const failed = await signed();
    expect(failed.status).toBe(500);
    expect(failed.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
    expect(await failed.json()).toEqual({ message: 'Internal server error' });
    expect((await signed()).status).toBe(410);
  });
});
