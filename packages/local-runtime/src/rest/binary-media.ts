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
 * A text payload as API Gateway holds it: decoded as UTF-8, each invalid sequence replaced by U+FFFD (the recorded
 * ETag of a gzip body PUT through an s3:path integration as text/plain is that of its bytes so replaced:
 * test_apigateway_s3.snapshot.json test_apigw_s3_binary_support_request[None] "get-obj-text-type-binary-raw").
 */
const asText = (body: Buffer): Buffer => Buffer.from(body.toString('utf8'));

/**
 * Base64 as API Gateway decodes it (java.util.Base64's basic decoder): the standard alphabet, padding optional but
 * right when present, nothing else (no whitespace). Undefined for any other text: API Gateway answers 500 then
 * (test_apigw_s3_binary_support_request_convert_to_binary: a raw or plain-text body with CONVERT_TO_BINARY).
 */
const strictBase64 = (text: string): Buffer | undefined => {
  const unpadded = text.replace(/={1,2}$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(unpadded) || unpadded.length % 4 === 1) return undefined;
  if (unpadded.length !== text.length && text.length % 4 !== 0) return undefined;
  return Buffer.from(text, 'base64');
};

/**
 * A payload converted as API Gateway converts it (developer guide, "Content type conversions in API Gateway", the
 * table): CONVERT_TO_TEXT encodes a binary payload as base64 and keeps a text one; CONVERT_TO_BINARY decodes a text
 * payload from base64 and keeps a binary one; with no contentHandling, a payload becomes what `wantBinary` says the
 * other side takes (a request passes as it is; a response follows the first Accept type): binary to text is base64,
 * text to binary is decoded from base64. A text payload is held as UTF-8 text. Undefined when a text payload to decode
 * is no base64 (API Gateway answers 500).
 */
export const convertContent = (
  body: Buffer,
  handling: ContentHandling | undefined,
  binary: boolean,
  wantBinary = binary,
): Buffer | undefined => {
  const toBinary = handling === undefined ? wantBinary : handling === 'CONVERT_TO_BINARY';
  if (binary) return toBinary ? body : Buffer.from(body.toString('base64'));
  const text = asText(body);
  return toBinary ? strictBase64(text.toString('utf8')) : text;
};
