import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LocalService, listenService, readRequestBody } from '../shared/local-service.ts';
import { SqsError } from './errors.ts';
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

const JSON_TYPE = 'application/x-amz-json-1.0';

const run = async (registry: QueueRegistry, action: string, input: SqsInput): Promise<SqsOutput> => {
  const operation = operations[action];
  if (!operation) {
    throw new SqsError(
      'UnsupportedOperation',
      `${action} is not supported by the local SQS endpoint.`,
      'AWS.SimpleQueueService.UnsupportedOperation',
    );
  }
  return operation(registry, input);
};

/** AWS JSON 1.0 (`X-Amz-Target: AmazonSQS.<Action>`), what the AWS SDK for JavaScript v3 speaks. */
const answerJson = async (registry: QueueRegistry, target: string, body: string, response: ServerResponse) => {
  const requestId = randomUUID();
  const send = (status: number, payload: unknown, headers: Record<string, string> = {}) =>
    response
      .writeHead(status, { 'Content-Type': JSON_TYPE, 'x-amzn-RequestId': requestId, ...headers })
      .end(JSON.stringify(payload));
  const action = target.slice('AmazonSQS.'.length);
  if (!target.startsWith('AmazonSQS.') || !operations[action]) {
    send(400, { __type: 'com.amazon.coral.service#UnknownOperationException', message: `Unknown operation ${target}` });
    return;
  }
  let input: SqsInput;
  try {
    const parsed: unknown = JSON.parse(body || '{}');
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    input = parsed as SqsInput;
  } catch {
    send(400, {
      __type: 'com.amazon.coral.service#SerializationException',
      message: 'Start of structure or map found where not expected.',
    });
    return;
  }
  try {
    send(200, await run(registry, action, input));
  } catch (error) {
    if (!(error instanceof SqsError)) throw error;
    send(
      error.status,
      { __type: `com.amazonaws.sqs#${error.code}`, message: error.message },
      { 'x-amzn-query-error': `${error.queryCode};${error.fault}` },
    );
  }
};

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
    if (!(error instanceof SqsError)) throw error;
    write(queryError(error, requestId, json));
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
  const service = await listenService(
    'sqs',
    async (request, response) => {
      const body = (await readRequestBody(request, 2 * 1_048_576))?.toString('utf8');
      if (body === undefined) {
        response.writeHead(413, { 'Content-Type': 'text/plain' }).end('Request entity too large');
        return;
      }
      if (!registry) throw new Error('SQS is starting');
      const target = request.headers['x-amz-target'];
      if (typeof target === 'string') await answerJson(registry, target, body, response);
      else await answerQuery(registry, request, body, response);
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
