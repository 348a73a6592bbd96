import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServicePage } from '../services/registry.ts';
import { requestUrl } from '../shared/request-url.ts';

/**
 * What a developer looks at while the runtime runs: each service's pages (`GET /_local/queues`: depths, redrive
 * targets and the first messages of each queue, so a DLQ's contents are visible; `/_local/executions`;
 * `/_local/tables`; ...), as JSON.
 */
export const localPages =
  (pages: ServicePage[]) =>
  async (request: IncomingMessage, response: ServerResponse): Promise<boolean> => {
    if (request.method !== 'GET') return false;
    const path = requestUrl(request.url).pathname;
    const page = pages.find((candidate) => candidate.path === path);
    if (!page) return false;
    const body = await page.read();
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body, null, 2));
    return true;
  };
