import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { awsJsonHandler } from '../shared/aws-json.ts';
import { type LocalService, listenService, readRequestBody } from '../shared/local-service.ts';
import { internalFailure, SqsError, unsupportedOperation } from './errors.ts';
import type { StoredMessage } from './message.ts';
import { operations, type SqsInput, type SqsOutput } from './operations.ts';
import { parseQueryParameters, queryAnswer, queryError } from './query-protocol.ts';
import type { Queue } from './queue.ts';
import { QueueRegistry, type QueueSeed } from './registry.ts';

export interface SqsService extends LocalService {
  registry: QueueRegistry;
  /** Runs one operation in process, as the JSON protocol would (the event source poller and Step Functions use it). */
  call(action: string, input: SqsInput): Promise<SqsOutput>;
}

const run = async (registry: QueueRegistry, action: string, input: SqsInput): Promise<SqsOutput> => {
  const operation = operations[action];
  if (!operation) throw unsupportedOperation(action);
  return operation(registry, input);
};

/** AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Action>`), what the AWS SDK for JavaScript v3 speaks. */
const jsonProtocol = (registry: QueueRegistry) =>
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
  });

/** The query protocol: `Action=...` form-encoded (or in the query string), the queue in the path. */
const answerQuery = async (
  registry: QueueRegistry,
  request: IncomingMessage,
  body: string,
  response: ServerResponse,
) => {
  const requestId = randomUUID();
  const url = new URL(request.url ?? '/', 'http://localhost');
  const flat = Object.fromEntries(new URLSearchParams(body));
  for (const [key, value] of url.searchParams) flat[key] ??= value;
  const json = String(request.headers.accept ?? '').includes('application/json');
  const write = (answer: { status: number; contentType: string; body: string }) =>
    response
      .writeHead(answer.status, { 'Content-Type': answer.contentType, 'x-amzn-RequestId': requestId })
      .end(answer.body);
  const action = flat.Action;
  try {
    if (!action) throw new SqsError('MissingAction', 'The request must contain the parameter Action.');
    if (!operations[action]) {
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
  timeScale?: number;
  host?: string;
  port?: number;
  onDeadLetter?: (message: StoredMessage, from: Queue, to: Queue) => void;
}): Promise<SqsService> => {
  let registry: QueueRegistry | undefined;
  let json: ReturnType<typeof jsonProtocol> | undefined;
  const service = await listenService(
    'sqs',
    async (request, response) => {
      if (!registry || !json) throw new Error('SQS is starting');
      if (typeof request.headers['x-amz-target'] === 'string') {
        await json(request, response);
        return;
      }
      const body = (await readRequestBody(request, 2 * 1_048_576))?.toString('utf8');
      if (body === undefined) {
        response.writeHead(413, { 'Content-Type': 'text/plain' }).end('Request entity too large');
        return;
      }
      await answerQuery(registry, request, body, response);
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
  json = jsonProtocol(created);
  return {
    ...service,
    registry: created,
    call: (action, input) => run(created, action, input),
    close: async () => {
      created.close();
      await service.close();
    },
  };
};
