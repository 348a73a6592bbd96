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
    const path = requestUrl(request.url).pathname;
    if (request.method === 'POST') {
      const page = pages.find((candidate) => candidate.post && path.startsWith(`${candidate.path}/`));
      if (!page?.post) return false;
      const name = path.slice(page.path.length + 1);
      let decoded: string;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        decoded = name;
      }
      const { status, body } = await page.post(decoded);
      response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body, null, 2));
      return true;
    }
    if (request.method !== 'GET') return false;
    const page = pages.find((candidate) => candidate.path === path);
    if (!page) return false;
    const body = await page.read();
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body, null, 2));
    return true;
  };
