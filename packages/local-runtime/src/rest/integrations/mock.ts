import type { Exchange } from '../../gateway/exchange.ts';
import type { IntegrationResult } from '../../gateway/integrations/result.ts';
import { vtlContext } from '../../gateway/request-context.ts';
import type { Operation } from '../model.ts';
import { mapIntegrationResponse } from './integration-response.ts';
import { renderRequest } from './templates.ts';

/**
 * MOCK: no back end. The request template's `statusCode` picks the integration response, whose selection
 * pattern is matched against that status code (developer guide, "Set up mock integrations in API Gateway").
 */
export const mockIntegration = async (
  exchange: Exchange,
  operation: Operation,
  stageVariables: Record<string, string>,
): Promise<IntegrationResult> => {
  const { integration } = operation;
  const context = vtlContext(exchange);
  const rendered = renderRequest(exchange, integration, context, stageVariables);
  let statusCode = 200;
  const output = rendered?.output ?? exchange.request.body.toString('utf8');
  try {
    const parsed = JSON.parse(output) as { statusCode?: unknown };
    if (typeof parsed.statusCode === 'number' || typeof parsed.statusCode === 'string')
      statusCode = Number(parsed.statusCode);
  } catch {
    // A template that renders no JSON leaves the default 200, as API Gateway's mock does.
  }
  exchange.integrationStatus = statusCode;
  return mapIntegrationResponse(
    exchange,
    integration,
    String(statusCode),
    { headers: {}, body: '' },
    rendered?.context ?? context,
    stageVariables,
  );
};
