import { vtlContext } from '../context.ts';
import type { Exchange } from '../exchange.ts';
import type { Operation } from '../model.ts';
import { mapBackendAnswer, sendToBackend } from './http.ts';
import { requestParameterTargets } from './parameters.ts';
import { renderRequest } from './templates.ts';
import { type IntegrationResult, jsonResult } from './types.ts';

/** Where the local runtime serves an AWS service (`sqs`, `states`, ...), if it does. */
export type AwsServiceEndpoints = (service: string) => string | undefined;

type Protocol = { kind: 'query' } | { kind: 'json'; contentType: string; targetPrefix: string };

// The wire protocol of each service the runtime hosts: what API Gateway itself speaks to it.
const PROTOCOLS: Record<string, Protocol> = {
  sqs: { kind: 'query' },
  states: { kind: 'json', contentType: 'application/x-amz-json-1.0', targetPrefix: 'AWSStepFunctions' },
  dynamodb: { kind: 'json', contentType: 'application/x-amz-json-1.0', targetPrefix: 'DynamoDB_20120810' },
  ssm: { kind: 'json', contentType: 'application/x-amz-json-1.1', targetPrefix: 'AmazonSSM' },
};

export interface ServiceTarget {
  service: string;
  kind: 'action' | 'path';
  /** The action name, or the path after `path/`. */
  value: string;
  /** Extra query parameters of an action URI (`action/SendMessage&QueueUrl=...`). */
  query: string;
}

/**
 * `arn:aws:apigateway:{region}:{subdomain.}{service}:{action|path}/{...}` (API Gateway API reference, Integration:
 * uri) → what to call.
 */
export const serviceTargetOf = (uri: string): ServiceTarget | undefined => {
  const match = /^arn:[^:]+:apigateway:[^:]*:(?:[^.:]+\.)?([^:.]+):(action|path)\/(.*)$/.exec(uri);
  if (!match) return undefined;
  const [, service = '', kind = 'path', rest = ''] = match;
  if (kind === 'action') {
    const [value = '', ...query] = rest.split('&');
    return { service, kind, value, query: query.join('&') };
  }
  const [value = '', query = ''] = rest.split('?');
  return { service, kind: 'path', value, query };
};

const notEmulated = (operation: Operation, service: string): IntegrationResult =>
  jsonResult(501, {
    message: `The AWS service integration to ${service} of ${operation.method} ${operation.resourcePath} is not emulated by the local runtime (it hosts ${Object.keys(PROTOCOLS).join(', ')}).`,
  });

/**
 * An AWS service integration (`type: aws`): the request template builds the service request, which goes to the local
 * endpoint in the service's own protocol, and the integration responses map the answer, selected by the service's
 * HTTP status (developer guide, "Tutorial: Create a REST API as an Amazon SQS proxy" and "... Step Functions").
 * The integration's credentials role is not assumed: the local services do not check IAM.
 */
export const awsServiceIntegration = async (
  exchange: Exchange,
  operation: Operation,
  stageVariables: Record<string, string>,
  endpoints: AwsServiceEndpoints,
): Promise<IntegrationResult> => {
  const { integration } = operation;
  const target = serviceTargetOf(integration.uri);
  const protocol = target ? PROTOCOLS[target.service] : undefined;
  const base = target ? endpoints(target.service) : undefined;
  if (!target || !protocol || !base) return notEmulated(operation, target?.service ?? integration.uri);
  const context = vtlContext(exchange);
  const mapped = requestParameterTargets(integration.requestParameters, { exchange, stageVariables, context });
  const rendered = renderRequest(exchange, integration, context, stageVariables);
  const body = rendered ? Buffer.from(rendered.output) : exchange.request.body;
  const headers: Record<string, string> = { ...mapped.header, ...rendered?.requestOverride.header };
  const has = (name: string) => Object.keys(headers).some((key) => key.toLowerCase() === name);
  const url = new URL(base);
  const query = new URLSearchParams(target.query);
  for (const [name, value] of Object.entries({ ...mapped.querystring, ...rendered?.requestOverride.querystring })) {
    query.set(name, value);
  }
  if (protocol.kind === 'json') {
    if (target.kind === 'action') headers['X-Amz-Target'] = `${protocol.targetPrefix}.${target.value}`;
    else url.pathname = `/${target.value}`;
    if (!has('content-type')) headers['Content-Type'] = protocol.contentType;
  } else {
    if (target.kind === 'action') query.set('Action', target.value);
    else url.pathname = `/${target.value}`;
    // API Gateway asks query-protocol services for JSON, which is why SQS templates read `$.SendMessageResponse`.
    if (!has('accept')) headers.Accept = 'application/json';
  }
  url.search = query.toString();
  const started = performance.now();
  const answer = await sendToBackend(url, integration.httpMethod, headers, body, integration.timeoutMs);
  return mapBackendAnswer(exchange, integration, answer, started, context, stageVariables);
};
