import { type Exchange, headerOf } from '../../gateway/exchange.ts';
import { GatewayError } from '../../gateway/gateway-error.ts';
import { type MappingInput, type RenderResult, renderMappingTemplate } from '../../gateway/mapping/render.ts';
import { isBinaryRequest } from '../binary-media.ts';
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
  // An empty template is none for this content type: the body passes through (see asTemplates in model.ts).
  if (template === '') return undefined;
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
  // CONVERT_TO_BINARY has made a text body binary before the template, which cannot take bytes: API Gateway answers
  // 500 (test_apigateway_s3.py test_apigw_s3_binary_support_request_convert_to_binary_with_request_template, the
  // application/json request its template matches).
  if (
    integration.contentHandling === 'CONVERT_TO_BINARY' &&
    !isBinaryRequest(exchange.binaryMediaTypes ?? [], exchange.request)
  ) {
    throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error', {
      status: 500,
      reason: 'CONVERT_TO_BINARY: a request template cannot render a binary body',
    });
  }
  return render(template, mappingInput(exchange, body), context, stageVariables);
};

/** velocityjs wraps what a helper throws; the stack overflow is somewhere down the cause chain or in the text. */
const isStackOverflow = (error: unknown): boolean => {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth++) {
    if (current instanceof RangeError || current.message.includes('Maximum call stack size exceeded')) return true;
  }
  return false;
};

/**
 * A template that cannot be rendered is the API's fault: 500, as API Gateway answers. A body nested too deeply for
 * the template engine to walk (`$input.json`/`$input.path` recurse) is the request's: 400, with the reason logged.
 */
export const render = (
  template: string,
  input: MappingInput,
  context: Record<string, unknown>,
  stageVariables: Record<string, string>,
): RenderResult => {
  try {
    return renderMappingTemplate(template, input, context, stageVariables);
  } catch (error) {
    if (isStackOverflow(error)) {
      throw new GatewayError('BAD_REQUEST_BODY', 'Invalid request body', {
        cause: error,
        reason: 'the mapping template ran out of stack walking the body: its JSON is nested too deeply',
      });
    }
    throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error', {
      status: 500,
      cause: error,
      reason: `the mapping template failed: ${(error as Error).message}`,
    });
  }
};
