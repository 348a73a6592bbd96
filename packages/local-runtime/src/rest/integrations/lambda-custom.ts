import type { Exchange } from '../../gateway/exchange.ts';
import { GatewayError, internalServerError } from '../../gateway/gateway-error.ts';
import { type InvokeFunction, invokeForGateway, lambdaArnOf } from '../../gateway/integrations/lambda-invoke.ts';
import type { IntegrationResult } from '../../gateway/integrations/result.ts';
import { vtlContext } from '../../gateway/request-context.ts';
import type { Operation } from '../model.ts';
import { withTraceHeader } from './answer-trace.ts';
import { mapIntegrationResponse } from './integration-response.ts';
import { renderRequest } from './templates.ts';

/**
 * Lambda non-proxy ("custom") integration: the request template builds the payload, the function's result (or
 * its error) goes through the integration responses. A function error is selected by matching the patterns against
 * its `errorMessage`, with `{errorMessage, errorType, stackTrace}` as the body the response template sees; a
 * success takes the response whose pattern matches the empty string, normally `default` (developer guide,
 * "Handle Lambda errors in API Gateway").
 */
export const lambdaCustomIntegration =
  (invoke: InvokeFunction, functionTimeout: (arn: string) => number) =>
  async (
    exchange: Exchange,
    operation: Operation,
    stageVariables: Record<string, string>,
  ): Promise<IntegrationResult> => {
    const { integration } = operation;
    const arn = lambdaArnOf(integration.uri);
    if (!arn) throw internalServerError(`not a Lambda URI: ${integration.uri}`);
    const context = vtlContext(exchange);
    const rendered = renderRequest(exchange, integration, context, stageVariables);
    const payloadText = rendered?.output ?? exchange.request.body.toString('utf8');
    let payload: unknown;
    try {
      payload = payloadText.trim() === '' ? {} : JSON.parse(payloadText);
    } catch (error) {
      // Lambda refuses a payload that is not JSON; API Gateway reports its configuration error as a 500.
      throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error', { status: 500, cause: error });
    }
    const started = performance.now();
    const answer = await invokeForGateway(
      invoke,
      arn,
      payload,
      exchange.request.requestId,
      integration.timeoutMs,
      functionTimeout(arn),
    );
    exchange.integrationLatency = Math.round(performance.now() - started);
    exchange.integrationStatus = 200;
    if (answer.ok) {
      const body = JSON.stringify(answer.result);
      return withTraceHeader(
        exchange,
        mapIntegrationResponse(
          exchange,
          integration,
          '',
          { headers: {}, body },
          rendered?.context ?? context,
          stageVariables,
        ),
      );
    }
    const body = JSON.stringify({
      errorMessage: answer.error.errorMessage,
      errorType: answer.error.errorType,
      ...(answer.error.requestId === undefined ? {} : { requestId: answer.error.requestId }),
      stackTrace: answer.error.trace,
    });
    return withTraceHeader(
      exchange,
      mapIntegrationResponse(
        exchange,
        integration,
        answer.error.errorMessage,
        { headers: {}, body },
        rendered?.context ?? context,
        stageVariables,
      ),
    );
  };
