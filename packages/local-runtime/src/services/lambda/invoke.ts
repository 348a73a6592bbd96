import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FunctionConfig } from '../../lambda/function-pool.ts';
import { FunctionNotFoundError, type LambdaRuntime } from '../../lambda/lambda-runtime.ts';
import { SerializedEvent } from '../../lambda/protocol.ts';
import { errorBodyOf, invocationLogLines } from '../../lambda/report.ts';
import { decodedPathPart, requestUrl } from '../../shared/request-url.ts';
import { readRequestBody } from '../shared/local-service.ts';
import type { RequestVerifier } from '../shared/request-auth.ts';
import type { AsyncInvocations } from './async-invocations.ts';
import { LambdaApiError, resourceNotFound, validationError } from './errors.ts';
import { parseFunctionName } from './names.ts';

/**
 * Invoke (Lambda API reference, "Invoke"): `POST /2015-03-31/functions/{FunctionName}/invocations`, the payload as
 * the body, `X-Amz-Invocation-Type` (RequestResponse by default, Event, DryRun), `X-Amz-Log-Type` (Tail) and the
 * `Qualifier` query parameter. A function error is not an API error: 200 with `X-Amz-Function-Error: Unhandled` and
 * the runtime's error payload as the body.
 */
export const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

// Lambda quotas (developer guide, "Lambda quotas"): 6 MB synchronous, 1 MB asynchronous (raised from 256 KB in 2025).
const MAX_SYNC_BYTES = 6 * 1024 * 1024;
const MAX_ASYNC_BYTES = 1024 * 1024;
/** Lambda's Tail is the last 4 KB of the invocation's log. */
const TAIL_BYTES = 4096;
const INVOCATION_TYPES = ['RequestResponse', 'Event', 'DryRun'];

export interface InvokeContext {
  functions: () => LambdaRuntime | undefined;
  /** Who may invoke: requests signed as the local services require (see request-auth.ts). */
  verify: RequestVerifier;
  asyncInvocations: AsyncInvocations;
  region: string;
  accountId: string;
}

interface Target {
  config: FunctionConfig;
  /** `X-Amz-Executed-Version`: `$LATEST`, or 1 for the AutoPublishAlias and its version. */
  version: string;
}

/** Queues an asynchronous invocation with the function's own retry settings (EventInvokeConfig). */
const enqueueAsync = (context: InvokeContext, config: FunctionConfig, event: unknown, requestId: string): void =>
  context.asyncInvocations.enqueue({
    logicalId: config.logicalId,
    event,
    requestId,
    maximumRetryAttempts: config.asyncRetries?.maximumRetryAttempts ?? 2,
    maximumEventAgeSeconds: config.asyncRetries?.maximumEventAgeSeconds ?? 21_600,
  });

/**
 * An asynchronous invocation by another service (an EventBridge rule's or an SNS subscription's target), as the
 * Invoke API's `InvocationType: Event` queues it; throws LambdaApiError when no function answers to `functionArn`.
 */
export const invokeAsync = (context: InvokeContext, functionArn: string, event: unknown): string => {
  const requestId = randomUUID();
  enqueueAsync(context, targetOf(context, functionArn, undefined).config, event, requestId);
  return requestId;
};

const targetOf = (context: InvokeContext, rawName: string, qualifierParameter: string | undefined): Target => {
  const reference = parseFunctionName(rawName, qualifierParameter);
  const { qualifier } = reference;
  const arnOf = (name: string) =>
    `arn:aws:lambda:${reference.region ?? context.region}:${reference.accountId ?? context.accountId}:function:${name}${qualifier === undefined ? '' : `:${qualifier}`}`;
  const runtime = context.functions();
  if (!runtime) throw new LambdaApiError('ServiceException', 500, 'The local functions are not ready yet', 'Service');
  const config = runtime.find(reference.name)?.config;
  if (
    !config ||
    (reference.region !== undefined && reference.region !== context.region) ||
    (reference.accountId !== undefined && reference.accountId !== context.accountId)
  ) {
    throw resourceNotFound(arnOf(config?.name ?? reference.name));
  }
  if (qualifier === undefined || qualifier === '$LATEST') return { config, version: '$LATEST' };
  if (config.alias !== undefined && (qualifier === config.alias || qualifier === '1')) return { config, version: '1' };
  throw resourceNotFound(arnOf(config.name));
};

/**
 * The payload as the function gets it: checked to be JSON, then passed on as the text it was (Lambda hands the bytes to
 * the runtime), so a document nested deeper than a JSON.stringify of the parsed value could go still arrives.
 */
const payloadOf = (body: Buffer): SerializedEvent => {
  const text = body.toString('utf8');
  if (text.trim() === '') return new SerializedEvent('{}');
  try {
    JSON.parse(text);
    return new SerializedEvent(text);
  } catch (error) {
    throw new LambdaApiError(
      'InvalidRequestContentException',
      400,
      `Could not parse request body into json: Could not parse payload into json: ${(error as Error).message}`,
    );
  }
};

/** Whether an `X-Amz-Client-Context` is what Invoke takes: base64 of a JSON object. */
const isClientContext = (value: string): boolean => {
  if (value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return false;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
};

const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export const answerInvoke = async (
  context: InvokeContext,
  request: IncomingMessage,
  response: ServerResponse,
  rawName: string,
): Promise<void> => {
  const url = requestUrl(request.url);
  const invocationType = header(request, 'x-amz-invocation-type') ?? 'RequestResponse';
  const limit = invocationType === 'Event' ? MAX_ASYNC_BYTES : MAX_SYNC_BYTES;
  const body = await readRequestBody(request, limit);
  if (!body) {
    const size = Number(header(request, 'content-length') ?? Number.NaN);
    // Lambda's own words for each (observed: RequestEntityTooLargeException, not the model's RequestTooLargeException).
    throw new LambdaApiError(
      'RequestEntityTooLargeException',
      413,
      invocationType === 'Event'
        ? `${Number.isFinite(size) ? size : 'The'} byte payload is too large for the Event invocation type (limit ${MAX_ASYNC_BYTES} bytes)`
        : `Request must be smaller than ${MAX_SYNC_BYTES} bytes for the InvokeFunction operation`,
    );
  }
  // Lambda is a REST-JSON service: a request it cannot attribute to a caller is refused before anything else, 403.
  const signature = await context.verify(request, body);
  if (!signature.ok) throw new LambdaApiError(signature.errorType, 403, signature.message);
  if (!INVOCATION_TYPES.includes(invocationType)) {
    throw validationError(
      invocationType,
      'invocationType',
      `Member must satisfy enum value set: [${INVOCATION_TYPES}]`,
    );
  }
  const logType = header(request, 'x-amz-log-type') ?? 'None';
  if (logType !== 'None' && logType !== 'Tail') {
    throw validationError(logType, 'logType', 'Member must satisfy enum value set: [Tail, None]');
  }
  const clientContext = header(request, 'x-amz-client-context');
  // Lambda's own words (a recorded answer to a ClientContext that is not base64 JSON).
  if (clientContext !== undefined && !isClientContext(clientContext)) {
    throw new LambdaApiError(
      'InvalidRequestContentException',
      400,
      'Client context must be a valid Base64-encoded JSON object.',
    );
  }
  // A name whose percent-encoding is broken is no function name (it was a 500 of the endpoint's own).
  const name = decodedPathPart(rawName);
  if (name === undefined) {
    throw validationError(
      rawName,
      'functionName',
      'Member must satisfy regular expression pattern: (arn:...)?[a-zA-Z0-9-_.]+(:...)?',
    );
  }
  const target = targetOf(context, name, url.searchParams.get('Qualifier') ?? undefined);
  const event = payloadOf(body);
  const { config, version } = target;
  const runtime = context.functions();
  if (!runtime) throw new LambdaApiError('ServiceException', 500, 'The local functions are not ready yet', 'Service');
  if (invocationType === 'DryRun') {
    response.writeHead(204, { 'x-amzn-RequestId': randomUUID() }).end();
    return;
  }
  if (invocationType === 'Event') {
    const requestId = randomUUID();
    enqueueAsync(context, config, event, requestId);
    response.writeHead(202, { 'x-amzn-RequestId': requestId, 'Content-Length': '0' }).end();
    return;
  }
  const tail = logType === 'Tail';
  const outcome = await runtime
    .invoke(config.logicalId, event, undefined, tail ? { logs: true } : {})
    .catch((error: unknown) => {
      // The template was reloaded between the look-up and the call.
      if (error instanceof FunctionNotFoundError) throw resourceNotFound(config.arn);
      throw error;
    });
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'x-amzn-RequestId': outcome.requestId,
    'X-Amz-Executed-Version': version,
  };
  if (tail) {
    const log = Buffer.from(`${invocationLogLines(outcome, config, version).join('\n')}\n`);
    headers['X-Amz-Log-Result'] = log.subarray(Math.max(0, log.length - TAIL_BYTES)).toString('base64');
  }
  const error = errorBodyOf(outcome, config);
  let payload = error
    ? JSON.stringify(error)
    : (JSON.stringify(outcome.status === 'ok' ? outcome.result : null) ?? 'null');
  if (!error && Buffer.byteLength(payload) > MAX_SYNC_BYTES) {
    // Lambda's answer to a result over the quota: a function error of its own.
    payload = JSON.stringify({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_SYNC_BYTES} bytes).`,
    });
    headers['X-Amz-Function-Error'] = 'Unhandled';
  }
  if (error) headers['X-Amz-Function-Error'] = 'Unhandled';
  response.writeHead(200, headers).end(payload);
};
