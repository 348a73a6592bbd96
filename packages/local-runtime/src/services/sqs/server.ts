import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SigV4Result } from '../../gateway/auth/sigv4.ts';
import { keyed } from '../../shared/client-keyed.ts';
import { requestUrl } from '../../shared/request-url.ts';
import { awsJsonHandler } from '../shared/aws-json.ts';
import { type LocalService, listenService, readRequestBody } from '../shared/local-service.ts';
import { type RequestVerifier, requestVerifier, type ServiceAuth } from '../shared/request-auth.ts';
import { authFailure, internalFailure, SqsError, unsupportedOperation } from './errors.ts';
import type { StoredMessage } from './message.ts';
import { operations, type SqsInput, type SqsOutput } from './operations.ts';
import { parseQueryParameters, queryAnswer, queryError } from './query-protocol.ts';
import type { Queue } from './queue.ts';
import { QueueRegistry, type QueueSeed } from './registry.ts';

export interface SqsService extends LocalService {
  registry: QueueRegistry;
  /** Runs one operation in process, as the JSON protocol would (the event source poller and Step Functions use it). */
  call(action: string, input: SqsInput): Promise<SqsOutput>;
  /** Back to the template's queues, empty (see QueueRegistry.reset). */
  reset(): void;
}

/** The operation named `action`, never a member of Object.prototype (`Action=constructor`). */
const operationOf = (action: string) => (Object.hasOwn(operations, action) ? operations[action] : undefined);

const run = async (registry: QueueRegistry, action: string, input: SqsInput): Promise<SqsOutput> => {
  const operation = operationOf(action);
  if (!operation) throw unsupportedOperation(action);
  return operation(registry, input);
};

/** AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Action>`), what the AWS SDK for JavaScript v3 speaks. */
const jsonProtocol = (registry: QueueRegistry, verify: RequestVerifier) =>
  awsJsonHandler({
    targetPrefix: 'AmazonSQS',
    contentType: 'application/x-amz-json-1.0',
    operations: Object.fromEntries(
      Object.keys(operations).map((action) => [action, (input: SqsInput) => run(registry, action, input)]),
    ),
    // SQS names its errors `com.amazonaws.sqs#<Name>` and repeats the query protocol's code in a header (developer
    // guide, "Interpreting Amazon SQS JSON API responses").
    errorOf: (error) =>
      error instanceof SqsError
        ? {
            status: error.status,
            type: `com.amazonaws.sqs#${error.code}`,
            message: error.message,
            headers: { 'x-amzn-query-error': `${error.queryCode};${error.fault}` },
          }
        : undefined,
    protocolErrorType: (name) => `com.amazon.coral.service#${name}`,
    maxBodyBytes: 2 * 1_048_576,
    verify,
    authErrorOf: (failure) => {
      const error = authFailure(failure);
      return {
        status: error.status,
        type: `com.amazon.coral.service#${error.code}`,
        message: error.message,
        headers: { 'x-amzn-query-error': `${error.queryCode};${error.fault}` },
      };
    },
  });

/** The query protocol: `Action=...` form-encoded (or in the query string), the queue in the path. */
const answerQuery = async (
  registry: QueueRegistry,
  request: IncomingMessage,
  body: string,
  response: ServerResponse,
  signature: SigV4Result,
) => {
  const requestId = randomUUID();
  const url = requestUrl(request.url);
  const flat = keyed<string>();
  for (const [key, value] of new URLSearchParams(body)) flat[key] = value;
  for (const [key, value] of url.searchParams) flat[key] ??= value;
  const json = String(request.headers.accept ?? '').includes('application/json');
  const write = (answer: { status: number; contentType: string; body: string }) =>
    response
      .writeHead(answer.status, { 'Content-Type': answer.contentType, 'x-amzn-RequestId': requestId })
      .end(answer.body);
  const action = flat.Action;
  try {
    if (!signature.ok) throw authFailure(signature);
    if (!action) throw new SqsError('MissingAction', 'The request must contain the parameter Action.');
    if (!operationOf(action)) {
      throw new SqsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
    }
    const input = parseQueryParameters(flat);
    delete input.Action;
    delete input.Version;
    if (url.pathname.split('/').filter(Boolean).length === 2 && input.QueueUrl === undefined) {
      input.QueueUrl = url.pathname;
    }
    write(queryAnswer(action, await run(registry, action, input), requestId, json));
  } catch (error) {
    if (!(error instanceof SqsError)) console.error('[sqs] unexpected error', error);
    write(queryError(error instanceof SqsError ? error : internalFailure(error), requestId, json));
  }
};

/**
 * The local SQS endpoint: the template's queues, reachable with the AWS SDK (JSON protocol) and with form-encoded
 * query requests (API Gateway's SQS integrations, curl). Both protocols run the same operations.
 */
export const startSqsService = async (options: {
  queues: QueueSeed[];
  region: string;
  accountId: string;
  auth: ServiceAuth;
  timeScale?: number;
  host?: string;
  port?: number;
  onDeadLetter?: (message: StoredMessage, from: Queue, to: Queue) => void;
}): Promise<SqsService> => {
  let registry: QueueRegistry | undefined;
  let json: ReturnType<typeof jsonProtocol> | undefined;
  const verify = requestVerifier(options.auth, 'sqs');
  const service = await listenService(
    'sqs',
    async (request, response) => {
      if (!registry || !json) throw new Error('SQS is starting');
      if (typeof request.headers['x-amz-target'] === 'string') {
        await json(request, response);
        return;
      }
      const body = await readRequestBody(request, 2 * 1_048_576);
      if (body === undefined) {
        response.writeHead(413, { 'Content-Type': 'text/plain' }).end('Request entity too large');
        return;
      }
      await answerQuery(registry, request, body.toString('utf8'), response, await verify(request, body));
    },
    { ...(options.host ? { host: options.host } : {}), ...(options.port === undefined ? {} : { port: options.port }) },
  );
  const created = new QueueRegistry({
    baseUrl: service.url,
    region: options.region,
    accountId: options.accountId,
    timeScale: options.timeScale ?? 1,
    ...(options.onDeadLetter ? { onDeadLetter: options.onDeadLetter } : {}),
  });
  try {
    for (const seed of options.queues) created.create(seed);
  } catch (error) {
    await service.close();
    throw error;
  }
  registry = created;
  json = jsonProtocol(created, verify);
  return {
    ...service,
    registry: created,
    call: (action, input) => run(created, action, input),
    reset: () => created.reset(options.queues),
    close: async () => {
      created.close();
      await service.close();
    },
  };
};
