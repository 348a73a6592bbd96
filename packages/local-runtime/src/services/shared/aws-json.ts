import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SigV4Failure } from '../../gateway/auth/sigv4.ts';
import { continueTrace } from '../../traces/trace-context.ts';
import { readRequestBody } from './local-service.ts';
import { jsonAuthError, type RequestVerifier } from './request-auth.ts';

export type JsonRequest = Record<string, unknown>;

/**
 * Deeper than any request shape of an AWS JSON service (DynamoDB's 32 levels of nested attributes are about 70 levels
 * of JSON), and the depth past which AWS's own JSON reader (Jackson: StreamReadConstraints' default maximum nesting
 * depth) refuses a document: past it, code that walks or coerces the input recursively would overflow the stack.
 */
const MAX_NESTING = 1000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPENERS = new Set([0x5b, 0x7b]);
const CLOSERS = new Set([0x5d, 0x7d]);

/**
 * Whether the JSON text `body` nests objects and arrays deeper than `limit`: read from the bytes (strings skipped), so
 * that it costs one pass and no parse, and is asked before anything walks the document recursively.
 */
export const nestedDeeperThan = (body: Uint8Array, limit = MAX_NESTING): boolean => {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < body.length; index += 1) {
    const byte = body[index] as number;
    if (inString) {
      if (byte === BACKSLASH) index += 1;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (OPENERS.has(byte)) {
      depth += 1;
      if (depth > limit) return true;
    } else if (CLOSERS.has(byte)) depth -= 1;
  }
  return false;
};

/**
 * AWS's JSON deserializer refuses a value of the wrong type for its member with 400 `SerializationException` before
 * the operation runs; its wording names what it found (e.g. DynamoDB's "Start of structure or map found where not
 * expected.").
 */
export const wrongTypeMessage = (value: unknown): string => {
  if (Array.isArray(value)) return 'Start of list found where not expected';
  if (typeof value === 'object' && value !== null) return 'Start of structure or map found where not expected.';
  return `Unexpected value type in payload: ${typeof value}`;
};

/**
 * A failure the client's values caused where an operation coerced them to a string or a number: an object whose own
 * `toString` / `valueOf` keys are not functions (`{"toString": 1}`) cannot be converted. The local services read
 * members without a model, so this is where AWS's model would have refused the value's type.
 */
const isCoercionFailure = (error: unknown): error is TypeError =>
  error instanceof TypeError && error.message.includes('Cannot convert object to primitive value');

/** An error the service answers with: HTTP status, `__type`, message and any extra headers. */
export interface JsonError {
  status: number;
  type: string;
  message: string;
  headers?: Record<string, string>;
}

export interface AwsJsonProtocol {
  /** `AmazonSQS`, `AWSStepFunctions`, `AmazonSSM`: the part of `X-Amz-Target` before the operation. */
  targetPrefix: string;
  /** `application/x-amz-json-1.0` or `-1.1`. */
  contentType: string;
  operations: Record<string, (input: JsonRequest) => unknown>;
  /** The service's own errors as answers; anything else is a bug of the local service and is thrown. */
  errorOf: (error: unknown) => JsonError | undefined;
  /** How the service names the protocol's own errors (`UnknownOperationException` or a namespaced form). */
  protocolErrorType?: (name: string) => string;
  /** Larger bodies are refused with 413 (default 1 MiB). */
  maxBodyBytes?: number;
  /**
   * The `__type` of the service's own 500, for a failure of the local service itself (default: the common error
   * `InternalFailure`, "The request processing has failed because of an unknown error", AWS API references, "Common
   * Errors").
   */
  internalErrorType?: string;
  /** The request's SigV4 signature, checked before anything else is read from it. */
  verify: RequestVerifier;
  /** How the service answers a refused signature (default: 400 with the error's name, see jsonAuthError). */
  authErrorOf?: (failure: SigV4Failure) => JsonError;
}

/**
 * One AWS JSON protocol endpoint (what the AWS SDK for JavaScript v3 speaks to SQS, Step Functions, SSM): the
 * operation comes from `X-Amz-Target: <prefix>.<Operation>`, the input is a JSON object, an error is HTTP 4xx with
 * `{"__type": ..., "message": ...}`. A request not signed as `verify` wants is refused first; an unknown operation
 * is `UnknownOperationException`, a body that is not a JSON object `SerializationException`.
 */
export const awsJsonHandler =
  (protocol: AwsJsonProtocol) =>
  async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      response
        .writeHead(status, { 'Content-Type': protocol.contentType, 'x-amzn-RequestId': randomUUID(), ...headers })
        .end(JSON.stringify(body));
    const typeOf = protocol.protocolErrorType ?? ((name: string) => name);
    const target = String(request.headers['x-amz-target'] ?? '');
    const body = await readRequestBody(request, protocol.maxBodyBytes);
    if (body === undefined) {
      send(413, { __type: typeOf('RequestEntityTooLargeException'), message: 'Request entity too large' });
      return;
    }
    const signature = await protocol.verify(request, body);
    if (!signature.ok) {
      const answer: JsonError = protocol.authErrorOf?.(signature) ?? jsonAuthError(signature, typeOf);
      send(answer.status, { __type: answer.type, message: answer.message }, answer.headers);
      return;
    }
    const name = target.startsWith(`${protocol.targetPrefix}.`) ? target.slice(protocol.targetPrefix.length + 1) : '';
    const operation = Object.hasOwn(protocol.operations, name) ? protocol.operations[name] : undefined;
    if (!operation) {
      send(400, { __type: typeOf('UnknownOperationException'), message: `Unknown operation ${target}` });
      return;
    }
    let input: JsonRequest;
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      input = parsed as JsonRequest;
    } catch {
      send(400, {
        __type: typeOf('SerializationException'),
        message: 'Start of structure or map found where not expected.',
      });
      return;
    }
    if (nestedDeeperThan(body)) {
      send(400, { __type: typeOf('SerializationException'), message: `JSON nested deeper than ${MAX_NESTING} levels` });
      return;
    }
    try {
      // What the operation starts (an execution, a message) carries the caller's trace header on.
      const traceHeader = request.headers['x-amzn-trace-id'];
      send(
        200,
        await continueTrace(Array.isArray(traceHeader) ? traceHeader[0] : traceHeader, undefined, () =>
          operation(input),
        ),
      );
    } catch (error) {
      if (isCoercionFailure(error)) {
        send(400, { __type: typeOf('SerializationException'), message: wrongTypeMessage({}) });
        return;
      }
      const answer = protocol.errorOf(error);
      if (answer) {
        send(answer.status, { __type: answer.type, message: answer.message }, answer.headers);
        return;
      }
      // A bug of the local service, thrown synchronously or not: this request gets the service's 500, nothing else.
      console.error(`[${protocol.targetPrefix}] ${name} failed`, error);
      send(500, {
        __type: protocol.internalErrorType ?? typeOf('InternalFailure'),
        message: `The local service failed: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  };
