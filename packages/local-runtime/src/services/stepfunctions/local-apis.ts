import { type LocalEndpoint, signForEndpoint } from '../../gateway/integrations/aws-service.ts';
import { sendToBackend } from '../../gateway/integrations/backend.ts';
import { TaskFailure } from './errors.ts';
import type { CallApi } from './task-services.ts';

// Step Functions waits for API Gateway as API Gateway waits for its integration, at most 29 s by default; a minute
// covers a raised integration timeout.
const TIMEOUT_MS = 60_000;

/**
 * How an `apigateway:invoke` task reaches the template's APIs: `rewrite` maps `https://<apiId>.execute-api...` to the
 * local origin serving that API (the REST/HTTP port, or the WebSocket port with its `@connections` API), as it does
 * for the functions' requests; a signed call signs for `execute-api` with the local credentials.
 */
export const localApiCaller =
  (rewrite: (value: string) => string, endpointAt: (url: string) => LocalEndpoint): CallApi =>
  async (request) => {
    const remote = `https://${request.host}`;
    const local = rewrite(remote);
    if (local === remote) {
      throw new TaskFailure('States.Runtime', `ApiEndpoint '${request.host}' is not an API of this template`, true);
    }
    const url = new URL(`${local.replace(/\/+$/, '')}${request.path}`);
    url.search = request.query.toString();
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, values]) => [name, values.join(',')]),
    );
    const body = Buffer.from(request.body ?? '');
    const sent = request.sign
      ? await signForEndpoint(endpointAt(url.origin), 'execute-api', { method: request.method, url, headers, body })
      : headers;
    try {
      const answer = await sendToBackend(url, request.method, sent, body, TIMEOUT_MS);
      return { status: answer.status, headers: answer.multiHeaders, body: answer.body.toString('utf8') };
    } catch (error) {
      throw Object.assign(new Error(error instanceof Error ? error.message : String(error)), {
        name: 'ConnectionFailure',
      });
    }
  };
