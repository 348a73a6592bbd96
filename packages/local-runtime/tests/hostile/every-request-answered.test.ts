import { fixtureRuntime } from '../fixture-runtime.ts';
import { rawExchange } from './raw-http.ts';

/**
 * Every request gets one answer on every port the runtime opens, also those node:http itself does not hand to a
 * handler: CONNECT (405: the ports are origin servers, not proxies) and requests it cannot parse (400), even when the
 * client goes on sending a body after the refusal.
 */
const runtime = fixtureRuntime('hostile');
const ports: [string, number][] = [];

beforeAll(() => {
  const portOf = (url: string) => Number(new URL(url).port);
  ports.push(['rest', portOf(runtime.info.restUrl)], ['websocket', portOf(runtime.info.wsUrl)]);
  for (const api of runtime.info.apis) ports.push([`${api.kind} ${api.logicalId}`, portOf(api.url)]);
  for (const service of runtime.info.services) ports.push([service.name, portOf(service.url)]);
});

const statusOn = async (port: number, text: string, body = Buffer.alloc(0)) =>
  (await rawExchange(port, Buffer.concat([Buffer.from(text, 'latin1'), body]))).status;

it('answers CONNECT with 405 on every port', async () => {
  for (const [name, port] of ports) {
    const status = await statusOn(port, 'CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n');
    expect({ name, status }).toEqual({ name, status: 405 });
  }
});

it('answers a request the parser refuses with a 4xx, though its body follows', async () => {
  const body = Buffer.alloc(256 * 1024, 'a');
  for (const [name, port] of ports) {
    const lowercase = await statusOn(
      port,
      `get / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${body.length}\r\n\r\n`,
      body,
    );
    const badChunk = await statusOn(
      port,
      'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n',
      body,
    );
    // A malformed chunk is a 400 where the body is read; a port that refuses the request from its head alone (the
    // Lambda endpoint's 404 for a path it does not serve) answers that first.
    expect({ name, lowercase, badChunk: badChunk !== undefined && badChunk >= 400 && badChunk < 500 }).toEqual({
      name,
      lowercase: 400,
      badChunk: true,
    });
  }
  expect(runtime.exited()).toBe(false);
});
