import {
  binaryMediaTypesOf,
  convertContent,
  isBinaryMediaType,
  mergeBinaryMediaTypes,
} from '../../src/rest/binary-media.ts';
import { restApiOf } from '../../src/rest/model.ts';
import type { TemplateObject } from '../../src/template/load.ts';

/** Binary media types (developer guide, "Binary media types for REST APIs", "Content type conversions in API Gateway"). */
describe('binary media types', () => {
  it('reads a RestApi/SAM list (`~1` for `/`) with the OpenAPI extension, each type once, in lower case', () => {
    const body: TemplateObject = { 'x-amazon-apigateway-binary-media-types': ['application/pdf'] };
    mergeBinaryMediaTypes(body, ['image~1PNG', 'application~1pdf', '*~1*']);
    expect(binaryMediaTypesOf(body)).toEqual(['application/pdf', 'image/png', '*/*']);
    const api = restApiOf('Api', 'abc', { StageName: 'dev' }, { openapi: '3.0.1', paths: {}, ...body });
    expect(api.binaryMediaTypes).toEqual(['application/pdf', 'image/png', '*/*']);
    expect(restApiOf('Api', 'abc', {}, { openapi: '3.0.1', paths: {} }).binaryMediaTypes).toEqual([]);
  });

  it('matches a media type without its parameters, with `*` for any part', () => {
    expect(isBinaryMediaType(['image/*'], 'image/jpeg; q=1')).toBe(true);
    expect(isBinaryMediaType(['*/*'], 'text/plain')).toBe(true);
    expect(isBinaryMediaType(['image/png'], 'IMAGE/PNG')).toBe(true);
    expect(isBinaryMediaType(['image/png'], 'image/jpeg')).toBe(false);
    expect(isBinaryMediaType([], 'image/png')).toBe(false);
    expect(isBinaryMediaType(['*/*'], undefined)).toBe(false);
  });

  it('converts as contentHandling says: to text only a binary payload, to binary only a text one', () => {
    const bytes = Buffer.from([0xff, 0x00, 0x89]);
    expect(convertContent(bytes, 'CONVERT_TO_TEXT', true)?.toString()).toBe(bytes.toString('base64'));
    expect(convertContent(Buffer.from('plain'), 'CONVERT_TO_TEXT', false)?.toString()).toBe('plain');
    expect([...(convertContent(Buffer.from(bytes.toString('base64')), 'CONVERT_TO_BINARY', false) ?? [])]).toEqual([
      ...bytes,
    ]);
    expect(convertContent(bytes, 'CONVERT_TO_BINARY', true)).toBe(bytes);
    expect(convertContent(bytes, undefined, true)).toBe(bytes);
  });

  it('with no contentHandling, converts to what the other side takes (a response: its first Accept type)', () => {
    const bytes = Buffer.from([0xff, 0x00, 0x89]);
    expect(convertContent(bytes, undefined, true, false)?.toString()).toBe(bytes.toString('base64'));
    expect([...(convertContent(Buffer.from(bytes.toString('base64')), undefined, false, true) ?? [])]).toEqual([
      ...bytes,
    ]);
    expect(convertContent(Buffer.from('plain'), undefined, false, false)?.toString()).toBe('plain');
  });

  it('holds a text payload as UTF-8 (invalid bytes become U+FFFD) and decodes only strict base64', () => {
    expect([...(convertContent(Buffer.from([0x61, 0xff, 0x62]), undefined, false) ?? [])]).toEqual([
      0x61, 0xef, 0xbf, 0xbd, 0x62,
    ]);
    for (const text of ['not base64', 'QUJD\n', 'QUJDR', 'QQ=', '{"a": 1}'])
      expect({ text, decoded: convertContent(Buffer.from(text), 'CONVERT_TO_BINARY', false) }).toEqual({
        text,
        decoded: undefined,
      });
    expect(convertContent(Buffer.from('QUI'), 'CONVERT_TO_BINARY', false)?.toString()).toBe('AB');
    expect(convertContent(Buffer.from('QUI='), 'CONVERT_TO_BINARY', false)?.toString()).toBe('AB');
  });
});
