import type { Exchange } from '../../gateway/exchange.ts';
import {
  type AwsServiceEndpoints,
  callAwsService,
  HOSTED_SERVICES,
  serviceTargetOf,
} from '../../gateway/integrations/aws-service.ts';
import { type IntegrationResult, jsonResult } from '../../gateway/integrations/result.ts';
import { vtlContext } from '../../gateway/request-context.ts';
import type { Operation } from '../model.ts';
import { fillPathPlaceholders, mapBackendAnswer } from './http.ts';
import { requestParameterTargets } from './parameters.ts';
import { renderRequest } from './templates.ts';

const notEmulated = (operation: Operation, service: string): IntegrationResult =>
  jsonResult(501, {
    message: `The AWS service integration to ${service} of ${operation.method} ${operation.resourcePath} is not emulated by the local runtime (it hosts ${HOSTED_SERVICES.join(', ')}).`,
  });

/**
 * An AWS service integration (`type: aws`): the request template builds the service request, which goes to the local
 * endpoint in the service's own protocol, and the integration responses map the answer, selected by the service's
 * HTTP status (developer guide, "Tutorial: Create a REST API as an Amazon SQS proxy" and "... Step Functions").
 * The integration's credentials role is not assumed: the request is signed with the local credentials.
 */
export const awsServiceIntegration = async (
  exchange: Exchange,
  operation: Operation,
  stageVariables: Record<string, string>,
  endpoints: AwsServiceEndpoints,
): Promise<IntegrationResult> => {
  const { integration } = operation;
  const target = serviceTargetOf(integration.uri);
  if (!target || !HOSTED_SERVICES.includes(target.service) || !endpoints(target.service)) {
    return notEmulated(operation, target?.service ?? integration.uri);
  }
  const context = vtlContext(exchange);
  const mapped = requestParameterTargets(integration.requestParameters, { exchange, stageVariables, context });
  const rendered = renderRequest(exchange, integration, context, stageVariables);
  const started = performance.now();
  // A path URI's `{name}` placeholders (`s3:path/{bucket}/{key}`) come from `integration.request.path.*` mappings.
  const path = { ...mapped.path, ...rendered?.requestOverride.path };
  const answer = await callAwsService(
    {
      target: target.kind === 'path' ? { ...target, value: fillPathPlaceholders(target.value, path) } : target,
      // An ANY integration method passes the client's own (test_apigateway_s3.py test_apigateway_s3_any: the same
      // integration reads, writes and deletes the object).
      method: integration.httpMethod === 'ANY' ? exchange.request.method : integration.httpMethod,
      headers: { ...mapped.header, ...rendered?.requestOverride.header },
      query: { ...mapped.querystring, ...rendered?.requestOverride.querystring },
      body: rendered ? Buffer.from(rendered.output) : exchange.request.body,
      timeoutMs: integration.timeoutMs,
    },
    endpoints,
  );
  if (!answer) return notEmulated(operation, target.service);
  return mapBackendAnswer(exchange, integration, answer, started, rendered?.context ?? context, stageVariables);
};
