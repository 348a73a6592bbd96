import type { Exchange } from '../gateway/exchange.ts';
import { GatewayError, RESPONSE_TYPES } from '../gateway/gateway-error.ts';
import type { IntegrationResult } from '../gateway/integrations/result.ts';
import { renderMappingTemplate } from '../gateway/mapping/render.ts';
import { vtlContext } from '../gateway/request-context.ts';
import { mappingValue } from './integrations/parameters.ts';
import { mappingInput } from './integrations/templates.ts';
import type { GatewayResponse, RestApi } from './model.ts';

/**
 * Turns a GatewayError into the answer API Gateway gives: the response type's own customisation from
 * `x-amazon-apigateway-gateway-responses`, else DEFAULT_4XX / DEFAULT_5XX, else API Gateway's default
 * (`{"message":$context.error.messageString}`); headers from `gatewayresponse.header.*`; `x-amzn-ErrorType` always
 * (developer guide, "Gateway responses for REST APIs in API Gateway").
 */
export const errorContext = (error: GatewayError): Record<string, unknown> => ({
  message: error.gatewayMessage ?? '',
  // messageString is the message as a JSON string literal, quotes included, so templates can embed it raw.
  messageString: JSON.stringify(error.gatewayMessage),
  responseType: error.type,
  validationErrorString: error.validationErrors ?? '',
});

const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

const customisationFor = (api: RestApi, error: GatewayError, status: number): GatewayResponse | undefined =>
  api.gatewayResponses[error.type] ?? api.gatewayResponses[status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'];

export const gatewayErrorResponse = (exchange: Exchange, api: RestApi, error: GatewayError): IntegrationResult => {
  const info = RESPONSE_TYPES[error.type];
  const baseStatus = error.status ?? info.status;
  const custom = customisationFor(api, error, baseStatus);
  // A status code set on the type's own customisation replaces the default; DEFAULT_* codes do not spread.
  const status = api.gatewayResponses[error.type]?.statusCode ?? baseStatus;
  const context = { ...vtlContext(exchange, errorContext(error)), status };
  const headers: Record<string, string> = {};
  for (const [target, expression] of Object.entries(custom?.responseParameters ?? {})) {
    const name = /^gatewayresponse\.header\.(.+)$/.exec(target)?.[1];
    const value = name
      ? mappingValue(expression, { exchange, stageVariables: api.stageVariables, context })
      : undefined;
    if (name && value !== undefined) headers[name] = value;
  }
  const templates = custom?.responseTemplates ?? {};
  const template = templates['application/json'] ?? Object.values(templates)[0] ?? DEFAULT_TEMPLATE;
  let body: string;
  try {
    body = renderMappingTemplate(template, mappingInput(exchange, ''), context, api.stageVariables).output;
  } catch {
    body = `{"message":${JSON.stringify(error.gatewayMessage)}}`;
  }
  return {
    status,
    headers: { 'Content-Type': 'application/json', ...headers, 'x-amzn-ErrorType': error.errorType ?? info.errorType },
    body: Buffer.from(body),
  };
};

/** Anything thrown in the pipeline that is not a GatewayError is the runtime's own fault: a 500, never a crash. */
export const asGatewayError = (error: unknown): GatewayError =>
  error instanceof GatewayError
    ? error
    : new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error', { status: 500, cause: error });
