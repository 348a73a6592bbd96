import { fixtureRuntime } from '../fixture-runtime.ts';
import { rawRequest } from '../raw-http.ts';

/**
 * A runtime page asked for with a body it does not read (a client's GET with a payload) still answers: the body is
 * read and dropped first, so closing the connection after the answer cannot reset it before the client has read it
 * (the kernel resets a connection closed with unread data; the fuzz met it as "closed without an answer").
 */
const runtime = fixtureRuntime('hostile-input');

const BODY = 'x'.repeat(4 * 1024 * 1024);

it.each(['/_local/runtime', '/_local/queues', '/_local/metrics'])(
  'answers GET %s sent with a 4 MiB body',
  async (path) => {
    const { host } = new URL(runtime.info.restUrl);
    for (let attempt = 0; attempt < 5; attempt++) {
      const answer = await rawRequest(runtime.info.restUrl, [`GET ${path} HTTP/1.1`, `Host: ${host}`], BODY);
      expect(answer.status).toBe(200);
    }
  },
);

it('answers a runtime page asked for by a foreign host name with its 403, the body read first', async () => {
  const answer = await rawRequest(runtime.info.restUrl, ['GET /_local/runtime HTTP/1.1', 'Host: evil.example'], BODY);
  expect(answer.status).toBe(403);
});
