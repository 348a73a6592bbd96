import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadYamlFile, type TemplateObject } from 'sam-local-runtime';
import { lintOpenApi } from '../../scripts/spec/lint.ts';
import { cleanOpenApi, type JsonObject } from '../../scripts/spec/openapi.ts';

/**
 * `npm run spec`'s OpenAPI: the deployed view of api/openapi.yaml, readable by any OpenAPI tool (Redocly's lint
 * finds nothing), with what API Gateway keeps in extensions said in OpenAPI's own terms.
 */
const doc = cleanOpenApi();
const paths = doc.paths as Record<string, Record<string, JsonObject>>;
const source = loadYamlFile('api/openapi.yaml') as TemplateObject;
const operations = Object.entries(paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
);

it('passes redocly lint (recommended rules) with 0 errors and 0 warnings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const result = lintOpenApi(file);
    expect(result.problems).toEqual([]);
    expect({ errors: result.errors, warnings: result.warnings }).toEqual({ errors: 0, warnings: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

it('has no x-amazon-apigateway-* extension and no CloudFormation intrinsic left', () => {
  const text = JSON.stringify(doc);
  expect(text).not.toMatch(/x-amazon-apigateway-/);
  expect(text).not.toMatch(/"(Fn::[A-Za-z]+|Ref)":/);
});

it('keeps every operation of api/openapi.yaml but the CORS preflights, with ANY spelt out and {proxy+} as {proxy}', () => {
  const sourceIds = Object.values(source.paths as Record<string, Record<string, TemplateObject>>).flatMap((item) =>
    Object.entries(item)
      .filter(([method]) => method !== 'options')
      .map(([, operation]) => String(operation.operationId)),
  );
  expect(operations.some(({ method }) => method === 'options')).toBe(false);
  const ids = operations.map(({ operation }) => String(operation.operationId));
  for (const id of sourceIds) expect(ids.some((candidate) => candidate === id || candidate.startsWith(id))).toBe(true);
  expect(Object.keys(paths['/v1/legacy/{proxy}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch', 'post', 'put']);
});

it('documents placeholder servers for a deployed stage and for npm start', () => {
  expect(doc.servers).toEqual([
    expect.objectContaining({
      url: 'https://{apiId}.execute-api.{region}.amazonaws.com/{stage}',
      variables: expect.objectContaining({ stage: expect.objectContaining({ enum: ['dev', 'test', 'prod'] }) }),
    }),
    expect.objectContaining({ url: 'http://127.0.0.1:{port}/{stage}' }),
  ]);
});

it('states every required scheme in one requirement (API Gateway enforces them all), Fn::If resolved', () => {
  const security = (path: string, method: string) => paths[path]?.[method]?.security;
  expect(security('/health', 'get')).toEqual([]);
  expect(security('/v1/orders', 'post')).toEqual([{ ApiKey: [], TokenAuthorizer: [] }]);
  expect(security('/v2/orders', 'post')).toEqual([{ ApiKey: [], TokenAuthorizer: [] }]);
  expect(security('/v1/me', 'get')).toEqual([{ CognitoAuthorizer: [] }]);
  expect(security('/v1/admin/usage', 'get')).toEqual([{ SigV4: [] }]);
  const schemes = (doc.components as JsonObject).securitySchemes as Record<string, JsonObject>;
  expect(schemes.ApiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key' });
  expect(schemes.TokenAuthorizer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  expect(schemes.CognitoAuthorizer).toMatchObject({ type: 'http', scheme: 'bearer' });
  expect(schemes.SigV4).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
  expect(String(schemes.SigV4?.description)).toMatch(/Signature Version 4/);
});

describe('every answer the gateway may give is documented', () => {
  it.each(operations.map(({ path, method, operation }) => [`${method} ${path}`, operation]))(
    '%s',
    (_name, operation) => {
      const responses = (operation as JsonObject).responses as JsonObject;
      const security = ((operation as JsonObject).security as JsonObject[])[0] ?? {};
      expect(responses['429']).toBeDefined();
      if (Object.keys(security).length > 0) expect(responses['403']).toBeDefined();
      if ('TokenAuthorizer' in security || 'CognitoAuthorizer' in security) expect(responses['401']).toBeDefined();
      if ((operation as JsonObject).requestBody) expect(responses['413']).toBeDefined();
    },
  );

  it('400 where API Gateway validates requests, with its string `errors`', () => {
    for (const [path, method] of [
      ['/v1/orders', 'post'],
      ['/v2/orders', 'post'],
      ['/v1/events', 'post'],
      ['/v1/orders/{orderId}', 'get'],
    ] as const) {
      expect(paths[path]?.[method]?.responses).toHaveProperty('400');
    }
    const responses = (doc.components as JsonObject).responses as Record<string, JsonObject>;
    expect(Object.keys(responses).sort()).toEqual(
      ['GatewayBadRequest', 'GatewayError', 'Forbidden', 'RequestTooLarge', 'TooManyRequests', 'Unauthorized'].sort(),
    );
    expect(JSON.stringify(responses.GatewayBadRequest)).toContain('validationErrorString');
  });
});

it('has one error model: message always, code from the functions, errors as a field list or the gateway string', () => {
  const schemas = (doc.components as JsonObject).schemas as Record<string, JsonObject>;
  expect(schemas.Error).toMatchObject({
    required: ['message'],
    properties: {
      message: { type: 'string' },
      code: { type: 'string' },
      errors: { oneOf: [{ type: 'array', items: { $ref: '#/components/schemas/FieldIssue' } }, { type: 'string' }] },
    },
  });
  const errorRefs = JSON.stringify(doc.paths).match(/#\/components\/schemas\/[A-Za-z]*Error[A-Za-z]*/g) ?? [];
  expect(new Set(errorRefs)).toEqual(new Set(['#/components/schemas/Error']));
});
