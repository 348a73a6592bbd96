import type { InvokeOutcome } from '../../lambda/function-pool.ts';
import type { LambdaErrorPayload } from '../../lambda/protocol.ts';
import { endpointTimedOut, GatewayError } from '../gateway-error.ts';

export type InvokeFunction = (functionArn: string, event: unknown, requestId: string) => Promise<InvokeOutcome>;

export type LambdaAnswer = { ok: true; result: unknown } | { ok: false; error: LambdaErrorPayload };

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
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const invocation = invoke(functionArn, event, requestId).catch((error: unknown) => {
    throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error', { status: 500, cause: error });
  });
  const outcome = await Promise.race([invocation, timedOut]).finally(() => clearTimeout(timer));
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
