import { type Exchange, headerOf } from '../exchange.ts';
import { GatewayError } from '../gateway-error.ts';
import { type MappingInput, type RenderResult, renderMappingTemplate } from '../mapping/render.ts';
import type { Integration } from '../model.ts';

export const mappingInput = (exchange: Exchange, body: string): MappingInput => ({
  body,
  params: {
    path: exchange.match?.pathParameters ?? {},
    querystring: exchange.request.query,
    header: exchange.request.headers,
  },
});

export const contentTypeOf = (exchange: Exchange): string =>
  (headerOf(exchange.request, 'content-type') ?? 'application/json').split(';')[0]?.trim().toLowerCase() ||
  'application/json';

/**
 * The request template for the request's content type, or passthrough, as `passthroughBehavior` says
 * (developer guide, "Method request data mapping: passthrough behaviors"): `when_no_match` passes the body through
 * when no template matches, `when_no_templates` only when there are no templates at all, `never` answers 415.
 */
export const renderRequest = (
  exchange: Exchange,
  integration: Integration,
  context: Record<string, unknown>,
  stageVariables: Record<string, string>,
): RenderResult | undefined => {
  const templates = integration.requestTemplates;
  const contentType = contentTypeOf(exchange);
  const template = Object.entries(templates).find(([type]) => type.toLowerCase() === contentType)?.[1];
  const body = exchange.request.body.toString('utf8');
  if (template === undefined) {
    const hasTemplates = Object.keys(templates).length > 0;
    if (
      integration.passthroughBehavior === 'never' ||
      (integration.passthroughBehavior === 'when_no_templates' && hasTemplates)
    ) {
      throw new GatewayError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type');
    }
    return undefined;
  }
  return render(template, mappingInput(exchange, body), context, stageVariables);
};

/** A template that cannot be rendered is the API's fault: 500, as API Gateway answers. */
export const render = (
  template: string,
  input: MappingInput,
  context: Record<string, unknown>,
  stageVariables: Record<string, string>,
): RenderResult => {
  try {
    return renderMappingTemplate(template, input, context, stageVariables);
  } catch (error) {
    throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error', { status: 500, cause: error });
  }
};
