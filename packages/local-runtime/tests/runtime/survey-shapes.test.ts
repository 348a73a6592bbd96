import { expect, it } from '@jest/globals';
import { call, openSocket } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * Shapes the survey of public SAM templates (serverless-patterns) found the runtime getting wrong, black-box: an
 * empty mapping template passes the body through, a Python function reaches @connections at the https URL it
 * builds, an init slower than the function's Timeout does not time the first invocation out, and a client that
 * calls the AWS host name (https://dynamodb.<region>.amazonaws.com) reaches the local endpoint.
 */
const OUT_OF_BAND_KEY = 'made-with-create-api-key-0001';
const runtime = fixtureRuntime('survey-shapes', ['--api-key', `${OUT_OF_BAND_KEY}@KeyedPlan`]);
const urlOf = (logicalId: string): string => {
  const api = [...runtime.info.apis, ...runtime.info.webSockets].find((entry) => entry.logicalId === logicalId);
  if (!api) throw new Error(`no API ${logicalId}`);
  return api.url;
};

const postJson = (url: string, body: unknown) =>
  call(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

it("passes the integration's answer through an empty ('') response template", async () => {
  const answer = await postJson(`${urlOf('EmptyTemplatesApi')}/started`, { id: 7 });
  expect({ status: answer.status, body: answer.json() }).toEqual({
    status: 200,
    body: { received: { wrapped: { id: 7 } }, run: 'local-1' },
  });
});

it('passes the request body through an empty request template, and the answer through a null response template', async () => {
  const answer = await postJson(`${urlOf('EmptyTemplatesApi')}/raw`, { id: 8 });
  expect({ status: answer.status, body: answer.json() }).toEqual({
    status: 200,
    body: { received: { id: 8 }, run: 'local-1' },
  });
});

it.each([
  ['node', 'node init done'],
  ['python', 'python init done'],
])('leaves a %s cold start init out of the Timeout (an init longer than Timeout still answers)', async (name, text) => {
  const answer = await call(`${urlOf('ServerlessHttpApi')}/slow-init/${name}`);
  expect({ status: answer.status, text: answer.text }).toEqual({ status: 200, text });
});

it.each(['domain-name', 'execute-api'])(
  'sends a Python boto3 call to @connections at https://<%s>/<stage> to the local server',
  async (via) => {
    const socket = await openSocket(urlOf('SocketApi'));
    socket.socket.send(JSON.stringify({ action: 'reply', via }));
    expect(await socket.next((message) => message.via === via, 20_000)).toEqual({ via, reply: 'posted' });
    socket.socket.close();
  },
  30_000,
);

it.each(['node', 'python'])(
  'sends a %s client calling https://dynamodb.<region>.amazonaws.com to the local DynamoDB',
  async (name) => {
    const answer = await call(`${urlOf('ServerlessHttpApi')}/aws-host/${name}`);
    expect({ status: answer.status, text: answer.text }).toEqual({ status: 200, text: 'aws host' });
  },
  30_000,
);

it("names, at start-up, the AWS SDK v2 that Lambda's nodejs16.x includes and this runtime does not", () => {
  expect(runtime.output()).toContain("SdkV2Node16: not run: Error: Cannot find module 'aws-sdk'");
  expect(runtime.output()).toContain(
    "(Lambda's nodejs16.x includes the AWS SDK for JavaScript v2, sam-local-runtime does not: add aws-sdk to the function's dependencies, or use v3)",
  );
});

it('takes an API key made out of band (--api-key VALUE@PLAN), bound to that usage plan', async () => {
  const url = `${urlOf('KeyedApi')}/keyed`;
  const statuses: [number, string][] = [];
  for (const key of [undefined, OUT_OF_BAND_KEY, OUT_OF_BAND_KEY, OUT_OF_BAND_KEY]) {
    const answer = await call(url, { headers: key ? { 'x-api-key': key } : {} });
    statuses.push([answer.status, answer.text]);
  }
  // The plan's quota of 2 a day counts the key's requests: the third is refused as API Gateway refuses it.
  expect(statuses).toEqual([
    [403, '{"message":"Forbidden"}'],
    [200, OUT_OF_BAND_KEY],
    [200, OUT_OF_BAND_KEY],
    [429, '{"message":"Limit Exceeded"}'],
  ]);
});

it("gives a WebSocket message one request id in API Gateway's short form: the event's and the error frame's", async () => {
  const socket = await openSocket(urlOf('SocketApi'));
  socket.socket.send(JSON.stringify({ action: 'whoami' }));
  const event = await socket.next((message) => 'extendedRequestId' in message);
  socket.socket.send(JSON.stringify({ action: 'nowhere' }));
  const refused = await socket.next((message) => message.message === 'Forbidden');
  socket.socket.close();
  expect(event.requestId).toMatch(/^[A-Za-z0-9]{15}=$/);
  expect(event.extendedRequestId).toBe(event.requestId);
  expect(refused.requestId).toMatch(/^[A-Za-z0-9]{15}=$/);
});
