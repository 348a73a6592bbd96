import { fixtureRuntime } from '../fixture-runtime.ts';
import { PNG_BYTES } from '../fixtures/binary-media/functions/binary.ts';

/**
 * Binary media types of a REST API (developer guide, "Binary media types for REST APIs" and "Content type
 * conversions in API Gateway"), black-box over HTTP. An API with none is covered by the parity suite (recording
 * test_aws_proxy_response_payload_format_validation "invoke-api-b64-encoded-true": the base64 text is sent).
 */
const runtime = fixtureRuntime('binary-media');

const bytes = Buffer.from(PNG_BYTES);

const send = async (path: string, init: RequestInit = {}) => {
  const response = await fetch(`${runtime.base}${path}`, init);
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: Buffer.from(await response.arrayBuffer()),
  };
};

describe('request side: the Content-Type against the binary media types', () => {
  it('passes a binary type (SAM ~1 spelling) to a proxy integration as base64 with isBase64Encoded', async () => {
    const answer = await send('/echo', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: bytes });
    expect(JSON.parse(answer.body.toString())).toEqual({ body: bytes.toString('base64'), isBase64Encoded: true });
  });

  it('reads the OpenAPI extension x-amazon-apigateway-binary-media-types too', async () => {
    const answer = await send('/echo', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-custom-binary; charset=binary' },
      body: bytes,
    });
    expect(JSON.parse(answer.body.toString()).isBase64Encoded).toBe(true);
  });

  it('passes any other type as text, whatever it is', async () => {
    const answer = await send('/echo', { method: 'POST', headers: { 'Content-Type': 'image/jpeg' }, body: 'plain' });
    expect(JSON.parse(answer.body.toString())).toEqual({ body: 'plain', isBase64Encoded: false });
  });
});

describe('response side: the first Accept type against the binary media types', () => {
  it('decodes an isBase64Encoded answer when the first Accept type is binary', async () => {
    const answer = await send('/png', { headers: { Accept: 'image/png, text/html' } });
    expect([answer.status, answer.type, [...answer.body]]).toEqual([200, 'image/png', PNG_BYTES]);
  });

  it('sends the base64 text when the first Accept type is not binary (even with a binary one later)', async () => {
    const answer = await send('/png', { headers: { Accept: 'text/html, image/png' } });
    expect(answer.body.toString()).toBe(bytes.toString('base64'));
  });
});

describe('contentHandling', () => {
  it('CONVERT_TO_TEXT gives the request template a binary body as base64', async () => {
    const answer = await send('/as-text', {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: bytes,
    });
    expect(JSON.parse(answer.body.toString())).toBe(bytes.toString('base64'));
  });

  it('CONVERT_TO_BINARY on the integration response decodes the base64 text to bytes', async () => {
    const answer = await send('/round-trip', {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', Accept: 'application/octet-stream' },
      body: bytes,
    });
    expect([answer.status, [...answer.body]]).toEqual([200, PNG_BYTES]);
  });
});
