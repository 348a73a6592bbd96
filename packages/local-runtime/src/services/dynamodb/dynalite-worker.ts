import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { guardHttpPort } from '../../shared/http-port.ts';
import { nestedDeeperThan } from '../shared/aws-json.ts';
import { handWhole, takeRequestListener, testFaultOf, wholeBody, workerContext } from '../shared/emulator-worker.ts';
import { answerFailure } from '../shared/local-service.ts';
import { requestVerifier } from '../shared/request-auth.ts';
import type { FromWorker, ToWorker, WorkerSettings } from './dynalite-thread.ts';
import { deepExpressionProblem } from './expression-depth.ts';
import { callDynalite, streamCapture } from './stream-capture.ts';
import { dynaliteWithTableCache } from './table-cache.ts';
import { type DynamoDbAnswer, dynamoDbAnswer, ttlOperationOf, writeDynamoDbAnswer } from './ttl-api.ts';
import { verifyServiceRequest } from './verify-request.ts';

/**
 * The worker thread the local DynamoDB runs in (started and restarted by dynalite-thread.ts): dynalite on the
 * service's port, its data in LevelDB on disk so that a restarted worker finds it. dynalite throws on a request that
 * ends early (`req.on('error', ... throw err)`) and on store errors (`if (err) throw err`), which ended the whole
 * process when it ran in the main thread (architect/dynalite#183). Here each request is read whole first and handed
 * to dynalite complete, so a half-sent or malformed request never reaches it; a synchronous throw answers that
 * request with DynamoDB's 500, and anything else that still throws ends this thread only. This thread is the port's
 * front door, as listenService is the other endpoints': two Host headers are refused and each signature is checked
 * (verifyServiceRequest) before dynalite or the TTL operations see the request.
 */

type Dynalite = (options: Record<string, unknown>) => Server;

const { port, settings, listening } = workerContext<WorkerSettings>('dynalite-worker.ts');
const post = (message: FromWorker) => port.postMessage(message);

// dynalite's own limit: larger bodies get its 413 (index.js, MAX_REQUEST_BYTES).
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/**
 * DynamoDB takes attribute values nested 32 levels deep ("Service, account, and table quotas": nested attribute
 * depth), two levels of JSON each (`{"M": {"a": ...}}`), below at most 8 of the request's own (BatchWriteItem's
 * `RequestItems` / table / list / `PutRequest` / `Item`); deeper is refused before dynalite, whose validation and
 * conversion recurse and overflow the stack on thousands of levels.
 */
const MAX_JSON_NESTING = 2 * 32 + 8;

const require = createRequire(import.meta.url);
dynaliteWithTableCache(require);
const dynalite = require('dynalite') as Dynalite;
// Tables are ACTIVE at once: nothing local waits for capacity to be provisioned.
const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: settings.path });
const dynaliteHandler = takeRequestListener(server, 'dynalite');
guardHttpPort(server);

/** DynamoDB's own 500 (every operation's errors: InternalServerError, "An error occurred on the server side"). */
const internalError = (request: IncomingMessage, error: unknown): DynamoDbAnswer =>
  dynamoDbAnswer(
    500,
    {
      __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
      message: `The local DynamoDB failed: ${error instanceof Error ? error.message : String(error)}`,
    },
    request.headers['content-type'],
  );

/** Hands dynalite a request whose body is all there; a synchronous throw is DynamoDB's 500 for it alone. */
const toDynalite = (request: IncomingMessage, response: ServerResponse, body: Buffer) =>
  handWhole(testFaultOf(request, settings.faults) ?? dynaliteHandler, request, response, body, (error) => {
    console.error('[dynamodb] dynalite failed', error);
    writeDynamoDbAnswer(response, internalError(request, error));
  });

// UpdateTimeToLive and DescribeTimeToLive are answered by the main thread, which keeps the settings (dynalite has
// none) so that they outlive this thread.
let nextCall = 0;
const calls = new Map<number, ServerResponse>();
port.on('message', (message: ToWorker) => {
  if (message.type === 'ttl-answer') {
    const response = calls.get(message.id);
    calls.delete(message.id);
    if (response) writeDynamoDbAnswer(response, message.answer);
  } else if (message.type === 'close') {
    // dynalite's close waits for its pending writes and closes LevelDB.
    server.close(() => port.close());
    server.closeAllConnections();
  }
});

const verify = requestVerifier(settings.auth, 'dynamodb');
const captured = streamCapture({
  streamed: new Set(settings.streamedTables),
  handler: dynaliteHandler,
  ttlToken: settings.ttlToken,
  onChange: (change) => post({ type: 'stream', change }),
});

const front = async (request: IncomingMessage, response: ServerResponse) => {
  const body = await wholeBody(request, response, MAX_REQUEST_BYTES);
  if (body === undefined) return;
  if (!(await verifyServiceRequest(verify, request, body, response))) return;
  const problem = nestedDeeperThan(body, MAX_JSON_NESTING)
    ? // As DynamoDB words it (a recorded answer to an item nested past 32 levels).
      'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit'
    : deepExpressionProblem(body);
  if (problem) {
    writeDynamoDbAnswer(
      response,
      dynamoDbAnswer(
        400,
        { __type: 'com.amazon.coral.validate#ValidationException', message: problem },
        request.headers['content-type'],
      ),
    );
    return;
  }
  const operation = ttlOperationOf(request);
  if (!operation) {
    const forward = () => toDynalite(request, response, body);
    if (!captured(request, response, body, forward)) forward();
    return;
  }
  const id = nextCall++;
  calls.set(id, response);
  response.once('close', () => calls.delete(id));
  post({ type: 'ttl', id, operation, body: new Uint8Array(body), contentType: request.headers['content-type'] });
};

server.on('request', (request: IncomingMessage, response: ServerResponse) => {
  // A request cut short costs nothing more; any other failure here is DynamoDB's 500 for this request alone.
  front(request, response).catch((error: unknown) =>
    answerFailure('dynamodb', response, error, (failed) => writeDynamoDbAnswer(failed, internalError(request, error))),
  );
});

/**
 * Resolves once dynalite has answered a ListTables from its store, which opens LevelDB: a directory another process
 * holds makes dynalite throw here, before the port is taken, and the start fails with that error.
 */
const storeOpen = () => callDynalite(dynaliteHandler, 'ListTables', {});

await storeOpen();
server.once('error', (error) => {
  throw error;
});
server.listen(settings.port, settings.host, () => {
  listening((server.address() as AddressInfo).port);
});
