import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RouteEntry } from './route-table.ts';

/** What `GET /_local/runtime` reports, and what a local route is handed: URLs, keys, issuer, credentials. */
export interface RuntimeInfo {
  restUrl: string;
  /** The stack's region: what the local credentials sign for. */
  region: string;
  /** Every REST and HTTP API stage, with the URL that serves it. */
  apis: { logicalId: string; id: string; kind: 'REST' | 'HTTP'; stage: string; url: string }[];
  apiKeys: { logicalId: string; id: string; name: string; value: string; usagePlan?: string }[];
  issuer: { issuer: string; jwksUri: string; clientId: string };
  credentials: { accessKeyId: string; secretAccessKey: string; accountId: string; userName: string };
  services: { name: string; url: string }[];
  wsUrl: string;
  webSockets: { logicalId: string; id: string; stage: string; url: string }[];
  /** Each function URL and the local origin serving it (`http://127.0.0.1:3020/`), every path its function's. */
  functionUrls: { logicalId: string; id: string; authType: 'NONE' | 'AWS_IAM'; url: string }[];
  /** Every route of every API and stage: method and path or route key, integration, authorizer, API key, CORS. */
  routes: RouteEntry[];
}

/**
 * A project's own page or endpoint beside the runtime's (a demo page, an API reference): it is offered every request
 * outside the APIs' stages, before the runtime's own `/_local` pages, and answers `true` when it handled it.
 */
export type LocalRoute = (
  request: IncomingMessage,
  response: ServerResponse,
  runtime: RuntimeInfo,
) => boolean | Promise<boolean>;

export class LocalRoutesError extends Error {
  override readonly name = 'LocalRoutesError';
}

/** `--routes FILE`: a module whose default export is a LocalRoute or a list of them. */
export const loadLocalRoutes = async (file: string): Promise<LocalRoute[]> => {
  // process.features.typescript is undefined before Node.js 22.10 and false where types are not stripped.
  if (/\.[cm]?ts$/.test(file) && !process.features.typescript) {
    throw new LocalRoutesError(
      `--routes ${file}: a TypeScript file, and Node.js ${process.version} does not strip types (22.18 and later do; 22.12 to 22.17 with NODE_OPTIONS=--experimental-strip-types): use such a Node.js, or point --routes at JavaScript`,
    );
  }
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
  } catch (error) {
    throw new LocalRoutesError(`--routes ${file}: cannot load it (${(error as Error).message})`);
  }
  const routes = Array.isArray(module.default) ? module.default : [module.default];
  if (routes.length === 0 || routes.some((route) => typeof route !== 'function')) {
    throw new LocalRoutesError(`--routes ${file}: its default export must be a function (request, response, runtime)`);
  }
  return routes as LocalRoute[];
};
