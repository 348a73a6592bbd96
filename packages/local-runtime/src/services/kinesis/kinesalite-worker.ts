import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { handWhole, takeRequestListener, testFaultOf, wholeBody, workerContext } from '../shared/emulator-worker.ts';
import { answerFailure } from '../shared/local-service.ts';
import { jsonAuthError, requestVerifier } from '../shared/request-auth.ts';
import { dualProtocolServer, signedView } from './cleartext-http2.ts';
import type { KinesisWorkerSettings, RecordsPut } from './kinesalite-thread.ts';

/**
 * The worker thread the local Kinesis runs in (started and restarted by kinesalite-thread.ts): kinesalite, its
 * streams in memory. kinesalite throws on a request that ends early (`req.on('error', ... throw err)`) and on store
 * errors (`if (err) throw err` in its callbacks), which would end the whole process in the main thread. Here each
 * request is read whole and its signature checked first, then handed to kinesalite complete; a synchronous throw
 * answers that request with Kinesis's 500, and anything that still throws ends this thread only.
 */

type Kinesalite = (options: Record<string, unknown>) => Server;

const { port, settings, listening } = workerContext<KinesisWorkerSettings>('kinesalite-worker.ts');

// kinesalite's own limit: larger bodies get its 413 (index.js, MAX_REQUEST_BYTES).
const MAX_REQUEST_BYTES = 7 * 1024 * 1024;
const CONTENT_TYPE = 'application/x-amz-json-1.1';

const require = createRequire(import.meta.url);
const kinesalite = require('kinesalite') as Kinesalite;
// Streams are ACTIVE at once (kinesalite waits 500 ms by default); the shard limit is the template's business.
const inner = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 10_000 });
const kinesaliteHandler = takeRequestListener(inner, 'kinesalite');

const answer = (response: ServerResponse, status: number, type: string, message: string) => {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(status, { 'Content-Type': CONTENT_TYPE }).end(JSON.stringify({ __type: type, message }));
};

// Kinesis models its 500 as InternalFailure (Kinesis API reference, "Common Errors").
const internalError = (response: ServerResponse, error: unknown) =>
  answer(
    response,
    500,
    'InternalFailure',
    `The local Kinesis failed: ${error instanceof Error ? error.message : String(error)}`,
  );

/** Hands kinesalite a request whose body is all there; a synchronous throw is Kinesis's 500 for it alone. */
const toKinesalite = (request: IncomingMessage, response: ServerResponse, body: Buffer) =>
  handWhole(testFaultOf(request, settings.faults) ?? kinesaliteHandler, request, response, body, (error) => {
    console.error('[kinesis] kinesalite failed', error);
    internalError(response, error);
  });

const verify = requestVerifier(settings.auth, 'kinesis');

const PUTS = new Set(['Kinesis_20131202.PutRecord', 'Kinesis_20131202.PutRecords']);

/**
 * Tells the main thread which stream a PutRecord or PutRecords has written to, once kinesalite has answered it 200:
 * the event source pollers wait for that instead of reading idle shards over and over.
 */
const tellRecordsPut = (request: IncomingMessage, response: ServerResponse, body: Buffer) => {
  if (!PUTS.has(String(request.headers['x-amz-target']))) return;
  const stream = streamNameOf(body);
  if (stream === undefined) return;
  const written = stream;
  response.once('finish', () => {
    if (response.statusCode === 200) port.postMessage({ type: 'records', stream: written } satisfies RecordsPut);
  });
};

/**
 * kinesalite keeps each stream's store in an array indexed by the stream's name (db/index.js `streamDbs`): a name that
 * is a property of arrays (`length`, `map`, `constructor`...) throws or finds a function instead of a store. Such a
 * stream cannot exist here, so a request naming one is answered here: CreateStream refused, anything else not found.
 */
const ARRAY_PROPERTY = (name: string) => name in Array.prototype || Object.hasOwn([], name);

const streamNameOf = (body: Buffer): string | undefined => {
  try {
    const input = JSON.parse(body.toString('utf8')) as { StreamName?: unknown; StreamARN?: unknown } | null;
    const named = typeof input?.StreamName === 'string' ? input.StreamName : input?.StreamARN;
    return typeof named === 'string' ? named.replace(/^arn:[^:]+:kinesis:[^:]*:[^:]*:stream\//, '') : undefined;
  } catch {
    return undefined;
  }
};

const refuseUnholdableName = (request: IncomingMessage, response: ServerResponse, body: Buffer): boolean => {
  const name = streamNameOf(body);
  if (name === undefined || !ARRAY_PROPERTY(name)) return false;
  if (request.headers['x-amz-target'] === 'Kinesis_20131202.CreateStream') {
    answer(
      response,
      400,
      'ValidationException',
      `The local Kinesis (kinesalite) cannot hold a stream named ${name}: the name is a property of JavaScript arrays, which its store is`,
    );
  } else {
    // Kinesis's answer for a stream that does not exist (Kinesis API reference, ResourceNotFoundException), in
    // kinesalite's words and with its account (db/index.js awsAccountId), as its own not-found answers are.
    const account = (process.env.AWS_ACCOUNT_ID || '0000-0000-0000').replace(/[^\d]/g, '');
    answer(response, 400, 'ResourceNotFoundException', `Stream ${name} under account ${account} not found.`);
  }
  return true;
};

const front = async (request: IncomingMessage, response: ServerResponse) => {
  const body = await wholeBody(request, response, MAX_REQUEST_BYTES);
  if (body === undefined) return;
  // A browser's CORS preflight is answered unsigned, as kinesalite answers it.
  if (request.method === 'POST') {
    const signature = await verify(signedView(request), body);
    if (!signature.ok) {
      const refused = jsonAuthError(signature);
      answer(response, refused.status, refused.type, refused.message);
      return;
    }
  }
  if (refuseUnholdableName(request, response, body)) return;
  tellRecordsPut(request, response, body);
  toKinesalite(request, response, body);
};

const server = dualProtocolServer((request, response) => {
  // A request cut short costs nothing more; any other failure here is Kinesis's 500 for this request alone.
  front(request, response).catch((error: unknown) =>
    answerFailure('kinesis', response, error, (failed) => internalError(failed, error)),
  );
});

server.once('error', (error) => {
  throw error;
});
server.listen(settings.port, settings.host, () => {
  listening((server.address() as AddressInfo).port);
});
