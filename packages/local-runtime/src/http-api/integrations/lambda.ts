import { GatewayError } from '../../gateway/gateway-error.ts';
import { type InvokeFunction, invokeForGateway } from '../../gateway/integrations/lambda-invoke.ts';
import type { IntegrationResult } from '../../gateway/integrations/result.ts';
import { eventV1, eventV2, resultOf } from '../events.ts';
import { type HttpExchange, internalError, serviceUnavailable } from '../exchange.ts';
import type { HttpIntegration } from '../model.ts';

type LambdaIntegration = Extract<HttpIntegration, { kind: 'lambda' }>;

/**
 * A Lambda proxy integration of an HTTP API: the payload format's event, the function's answer read by that format's
 * rules. A function error (or its own timeout) is 500 Internal Server Error; the integration timeout (30 s at most)
 * is 503 Service Unavailable.
 */
export const lambdaIntegration =
  (invoke: InvokeFunction, functionTimeout: (arn: string) => number) =>
  async (exchange: HttpExchange, integration: LambdaIntegration): Promise<IntegrationResult> => {
    const event = integration.payloadFormat === '2.0' ? eventV2(exchange) : eventV1(exchange);
    let answer: Awaited<ReturnType<typeof invokeForGateway>>;
    try {
      answer = await invokeForGateway(
        invoke,
        integration.functionArn,
        event,
        exchange.request.requestId,
        integration.timeoutMs,
        functionTimeout(integration.functionArn),
      );
    } catch (error) {
      if (error instanceof GatewayError && error.type === 'INTEGRATION_TIMEOUT') {
        throw serviceUnavailable(`the integration timed out after ${integration.timeoutMs} ms`);
      }
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw internalError(`${integration.functionArn} could not be invoked (${cause})`);
    }
    if (!answer.ok) {
      throw internalError(`the function failed: ${answer.error.errorType}: ${answer.error.errorMessage}`);
    }
    return resultOf(answer.result, integration.payloadFormat);
  };
