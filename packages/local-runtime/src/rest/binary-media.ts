import { type GatewayRequest, headerOf } from '../gateway/exchange.ts';
import { isObject, type TemplateObject, type TemplateValue } from '../template/load.ts';

/**
 * Binary media types of a REST API (developer guide, "Binary media types for REST APIs"; "Content type conversions
 * in API Gateway"). SAM's `BinaryMediaTypes` and a RestApi's `BinaryMediaTypes` escape `/` as `~1`
 * (`image~1png`); the OpenAPI extension `x-amazon-apigateway-binary-media-types` holds them plain.
 */
export const BINARY_MEDIA_TYPES_EXTENSION = 'x-amazon-apigateway-binary-media-types';

export type ContentHandling = 'CONVERT_TO_BINARY' | 'CONVERT_TO_TEXT';

const unescaped = (value: TemplateValue): string => String(value).replaceAll('~1', '/').trim().toLowerCase();

/** The extension's list with a template property's (`~1`-escaped) list added, each type once. */
export const mergeBinaryMediaTypes = (body: TemplateObject, property: TemplateValue | undefined): void => {
  const own = Array.isArray(body[BINARY_MEDIA_TYPES_EXTENSION]) ? body[BINARY_MEDIA_TYPES_EXTENSION] : [];
  const added = Array.isArray(property) ? property : [];
  if (own.length + added.length === 0) return;
  body[BINARY_MEDIA_TYPES_EXTENSION] = [...new Set([...own, ...added].map(unescaped))];
};

export const binaryMediaTypesOf = (body: TemplateObject): string[] => {
  const raw = body[BINARY_MEDIA_TYPES_EXTENSION];
  return Array.isArray(raw) ? raw.filter((item) => !isObject(item)).map(unescaped) : [];
};

export const contentHandlingOf = (value: TemplateValue | undefined): ContentHandling | undefined => {
  const handling = String(value ?? '').toUpperCase();
  return handling === 'CONVERT_TO_BINARY' || handling === 'CONVERT_TO_TEXT' ? handling : undefined;
};

const mediaTypeOf = (value: string): string => value.split(';')[0]?.trim().toLowerCase() ?? '';

/** A media type against the list: `image/png`, `image/*` and `*\/*` entries (a `*` stands for any part). */
export const isBinaryMediaType = (types: readonly string[], value: string | undefined): boolean => {
  const type = mediaTypeOf(value ?? '');
  if (type === '' || types.length === 0) return false;
  const [main, sub] = type.split('/');
  return types.some((entry) => {
    const [entryMain, entrySub] = entry.split('/');
    return (entryMain === '*' || entryMain === main) && (entrySub === '*' || entrySub === sub);
  });
};

/** API Gateway reads only the first media type of `Accept` ("Content type conversions in API Gateway", Important). */
export const firstAcceptType = (request: GatewayRequest): string | undefined =>
  headerOf(request, 'accept')?.split(',')[0]?.trim();

/** The request's body is binary when its Content-Type is one of the API's binary media types. */
export const isBinaryRequest = (types: readonly string[], request: GatewayRequest): boolean =>
  isBinaryMediaType(types, headerOf(request, 'content-type'));

/**
 * `contentHandling` applied to a payload: CONVERT_TO_TEXT encodes a binary payload as base64 (a text one is kept);
 * CONVERT_TO_BINARY decodes a text payload from base64 (a binary one is kept); undefined passes it through.
 */
export const convertContent = (body: Buffer, handling: ContentHandling | undefined, binary: boolean): Buffer => {
  if (handling === 'CONVERT_TO_TEXT' && binary) return Buffer.from(body.toString('base64'));
  if (handling === 'CONVERT_TO_BINARY' && !binary) return Buffer.from(body.toString('utf8'), 'base64');
  return body;
};
