import type { InvokeOutcome } from '../../lambda/function-pool.ts';
import { type LambdaErrorPayload, SerializedEvent } from '../../lambda/protocol.ts';
import { endpointTimedOut, GatewayError } from '../gateway-error.ts';

/** How a gateway reaches the local functions. */
export interface LambdaInvoker {
  invoke(target: string, event: unknown, requestId?: string): Promise<InvokeOutcome>;
  /** The function's configured timeout in seconds. */
  timeoutOf(target: string): number;
}

/** `arn:aws:apigateway:region:lambda:path/2015-03-31/functions/<arn>/invocations` → `<arn>`. */
export const lambdaArnOf = (uri: string): string | undefined =>
  /:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/.exec(uri)?.[1];

export type InvokeFunction = (functionArn: string, event: unknown, requestId: string) => Promise<InvokeOutcome>;

export type LambdaAnswer = { ok: true; result: unknown } | { ok: false; error: LambdaErrorPayload };

/** Lambda's synchronous invocation payload quota (Lambda developer guide, "Lambda quotas"): 6 MB. */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;

/**
 * Invokes a function the way API Gateway does: the integration times out after `timeoutMs` (504 Endpoint request
 * timed out) even if the function runs on; a function that hits its own timeout first is a function error, as
 * Lambda reports it ("Task timed out after N seconds").
 */
export const invokeForGateway = async (
  invoke: InvokeFunction,
  functionArn: string,
  event: unknown,
  requestId: string,
  timeoutMs: number,
  functionTimeoutSeconds: number,
): Promise<LambdaAnswer> => {
  const json = JSON.stringify(event) ?? 'null';
  // A UTF-16 code unit is at most 3 bytes of UTF-8: an event under a third of the limit in length is not measured.
  const size = json.length * 3 > MAX_SYNC_PAYLOAD_BYTES ? Buffer.byteLength(json) : 0;
  if (size > MAX_SYNC_PAYLOAD_BYTES) {
    // Lambda refuses the invoke (RequestEntityTooLargeException) and the function never runs; API Gateway answers
    // 413 {"message": "Request Too Long"} typed BadRequestException (observed on a REST API's Lambda integration).
    throw new GatewayError('REQUEST_TOO_LARGE', 'Request Too Long', {
      errorType: 'BadRequestException',
      reason: `the event is ${size} bytes, over Lambda's ${MAX_SYNC_PAYLOAD_BYTES}-byte synchronous payload limit; ${functionArn} was not invoked`,
    });
  }
  // One promise settled by whichever comes first (a race of two, a catch and a finally cost four more per request).
  const outcome = await new Promise<InvokeOutcome | 'timeout'>((resolve, reject) => {
    const timer = setTimeout(resolve, timeoutMs, 'timeout');
    invoke(functionArn, new SerializedEvent(json), requestId).then(
      (settled) => {
        clearTimeout(timer);
        resolve(settled);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error', { status: 500, cause: error }));
      },
    );
  });
  if (outcome === 'timeout') throw endpointTimedOut();
  if (outcome.status === 'ok') return { ok: true, result: outcome.result };
  if (outcome.status === 'timeout') {
    return {
      ok: false,
      error: {
        errorType: 'Sandbox.Timedout',
        errorMessage: `${new Date().toISOString()} ${outcome.requestId} Task timed out after ${functionTimeoutSeconds.toFixed(2)} seconds`,
        trace: [],
      },
    };
  }
  return { ok: false, error: outcome.error };
};
