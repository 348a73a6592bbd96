import { headerOf } from '../gateway/exchange.ts';
import type { ApiEndpoint } from '../runtime/api-endpoint.ts';
import { openSpan, runInTrace } from './trace-context.ts';
import { formatTraceHeader, newTraceId, parseTraceHeader } from './trace-header.ts';
import type { TraceStore } from './trace-store.ts';

/**
 * A REST API stage with X-Ray tracing, as API Gateway traces one (developer guide, "Trace user requests to REST APIs
 * using X-Ray"): each request gets a segment named `{api}/{stage}` (origin `AWS::ApiGateway::Stage`) in the trace its
 * `X-Amzn-Trace-Id` names (a client's own is passed through, else the one the gateway adds), the authorizer and the
 * integration are subsegments of it (see RestGateway), and the answer carries the trace header. Locally every
 * request of a stage with TracingEnabled is sampled (start.ts applies this to those stages only). X-Ray traces REST APIs only, so HTTP APIs are left as they are: their functions still get the
 * trace header.
 */
export const tracedEndpoint = (endpoint: ApiEndpoint, store: TraceStore): ApiEndpoint => {
  if (endpoint.kind !== 'REST') return endpoint;
  return {
    kind: endpoint.kind,
    logicalId: endpoint.logicalId,
    apiId: endpoint.apiId,
    stage: endpoint.stage,
    reject: (request, type) => endpoint.reject(request, type),
    hasRoute: (method, path) => endpoint.hasRoute(method, path),
    handle: async (request) => {
      const incoming = parseTraceHeader(headerOf(request, 'x-amzn-trace-id'));
      const traceId = incoming?.root ?? newTraceId();
      const segment = openSpan(
        `${endpoint.logicalId}/${endpoint.stage}`,
        {
          origin: 'AWS::ApiGateway::Stage',
          http: { request: { method: request.method, url: request.rawPath } },
          annotations: { requestId: request.requestId },
        },
        { traceId, ...(incoming?.parent ? { parentId: incoming.parent } : {}), sampled: true, store },
      );
      const answer = segment
        ? await runInTrace(segment.trace, () => endpoint.handle(request))
        : await endpoint.handle(request);
      segment?.end({
        http: { response: { status: answer.status } },
        ...(answer.status >= 500 ? { fault: true } : answer.status >= 400 ? { error: true } : {}),
      });
      // The integration's own trace header (a Lambda proxy answer's) keeps its Root and Parent, now sampled.
      const own = Object.keys(answer.headers).find((name) => name.toLowerCase() === 'x-amzn-trace-id');
      const kept = own === undefined ? undefined : parseTraceHeader(String(answer.headers[own]));
      if (own !== undefined) delete answer.headers[own];
      answer.headers['X-Amzn-Trace-Id'] = formatTraceHeader({
        root: kept?.root ?? traceId,
        ...(kept?.parent ? { parent: kept.parent } : {}),
        sampled: true,
      });
      return answer;
    },
  };
};
