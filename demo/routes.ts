import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalRoute } from 'sam-local-runtime';
import { apiDocs } from './api-docs.ts';

/**
 * The starter's own pages beside the local runtime's (`npm start` passes this file with --routes): the orders demo
 * page at `/_local/` — sign in, connect, place an order, watch it live — and the API reference (`/_local/docs`,
 * `/_local/openapi.json`, `/_local/asyncapi.json`: demo/api-docs.ts).
 */
const demoPage: LocalRoute = (request: IncomingMessage, response: ServerResponse) => {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (request.method !== 'GET' || (path !== '/_local/' && path !== '/_local')) return false;
  // Read on each request, so an edited page shows on reload.
  const page = readFileSync(new URL('./index.html', import.meta.url));
  response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
  return true;
};

export default [demoPage, apiDocs];
