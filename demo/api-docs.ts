import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { LocalRoute } from 'sam-local-runtime';
import { cleanOpenApi } from '../scripts/spec/openapi.ts';

/**
 * The API reference beside the running stage: `/_local/openapi.json` (the clean OpenAPI, its server the local
 * stage), `/_local/asyncapi.json` (the WebSocket API's AsyncAPI, its server the local WebSocket stage) and
 * `/_local/docs`, Scalar's API reference from its npm package (no CDN), whose "Test Request" calls the local stage
 * with a local API key and a token from the local issuer filled in.
 */
type RuntimeInfo = Parameters<LocalRoute>[2];

const pathOf = (request: IncomingMessage) => new URL(request.url ?? '/', 'http://localhost').pathname;

// No Access-Control-Allow-Origin: the specifications name the local stage, and only pages of the runtime's own
// origin (the docs page) read them.
const sendJson = (response: ServerResponse, body: unknown) => {
  response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body, null, 2));
};

const restStage = (runtime: RuntimeInfo) => runtime.apis.find((api) => api.kind === 'REST') ?? runtime.apis[0];

/** The clean OpenAPI with the running stage as its one server (what "Test Request" calls). */
export const localOpenApi = (runtime: RuntimeInfo) => {
  const stage = restStage(runtime);
  return cleanOpenApi({
    servers: [{ url: stage?.url ?? runtime.restUrl, description: `The local runtime, stage ${stage?.stage ?? ''}` }],
  });
};

/**
 * The AsyncAPI module (with the AsyncAPI parser and Ajv under it) loads on the first request for it, not when npm
 * start loads this file: it is most of the time this file took to load, before the runtime could answer anything.
 */
export const localAsyncApi = async (runtime: RuntimeInfo) => {
  const { asyncApiDocument } = await import('../scripts/spec/asyncapi.ts');
  const socket = runtime.webSockets[0];
  if (!socket) return asyncApiDocument();
  const url = new URL(socket.url);
  return asyncApiDocument({
    servers: {
      local: {
        host: url.host,
        pathname: url.pathname,
        protocol: url.protocol.replace(':', ''),
        description: `The local runtime, stage ${socket.stage}`,
        security: [{ $ref: '#/components/securitySchemes/queryToken' }],
      },
    },
  });
};

/** The package's standalone browser bundle (its exports map names only the Vue entry points, beside which it lies). */
const scalarBundle = (): string =>
  join(dirname(createRequire(import.meta.url).resolve('@scalar/api-reference')), 'browser', 'standalone.js');

/** HTML-safe JSON for an inline script. */
const inline = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

const docsPage = (runtime: RuntimeInfo): string => {
  const apiKey = runtime.apiKeys[0]?.value ?? '';
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Orders API reference (local)</title>
  <style>
    body { margin: 0; }
    #specs { font: 14px system-ui, sans-serif; padding: 6px 12px; background: #f4f4f5; border-bottom: 1px solid #ddd; }
  </style>
</head>
<body>
  <div id="specs">
    Specifications: <a href="/_local/openapi.json">OpenAPI (REST)</a> ·
    <a href="/_local/asyncapi.json">AsyncAPI (WebSocket)</a> · <a href="/_local/">demo page</a>
  </div>
  <div id="app"></div>
  <script src="/_local/docs/scalar.js"></script>
  <script>
    // A token of the local issuer for the token-authorizer routes (npm run token mints the same).
    fetch('/_local/issuer/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ sub: 'alice', scope: 'orders:read orders:write' }),
    })
      .then((response) => (response.ok ? response.json() : {}))
      .catch(() => ({}))
      .then(({ token = '' }) => {
        window.localToken = token;
        Scalar.createApiReference('#app', {
          url: '/_local/openapi.json',
          withDefaultFonts: false,
          telemetry: false,
          showDeveloperTools: 'never',
          agent: { disabled: true },
          mcp: { disabled: true },
          hideClientButton: false,
          authentication: {
            securitySchemes: {
              ApiKey: { value: ${inline(apiKey)} },
              TokenAuthorizer: { token },
            },
          },
        });
      });
  </script>
</body>
</html>
`;
};

/** Answers every request it takes, even when a source file is broken mid-edit (a 500 that says why). */
export const apiDocs: LocalRoute = async (request, response, runtime) => {
  if (request.method !== 'GET') return false;
  try {
    return await serve(pathOf(request), response, runtime);
  } catch (error) {
    response
      .writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' })
      .end(JSON.stringify({ message: `API reference: ${(error as Error).message}` }));
    return true;
  }
};

const serve = async (path: string, response: ServerResponse, runtime: RuntimeInfo): Promise<boolean> => {
  switch (path) {
    case '/_local/openapi.json':
      sendJson(response, localOpenApi(runtime));
      return true;
    case '/_local/asyncapi.json':
      sendJson(response, await localAsyncApi(runtime));
      return true;
    case '/_local/docs':
    case '/_local/docs/':
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(docsPage(runtime));
      return true;
    case '/_local/docs/scalar.js':
      response
        .writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'max-age=3600' })
        .end(readFileSync(scalarBundle()));
      return true;
    default:
      return false;
  }
};
