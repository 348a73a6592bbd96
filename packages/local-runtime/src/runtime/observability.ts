import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeEmf, parseEmf } from '../metrics/emf.ts';
import { metricPages } from '../metrics/metric-pages.ts';
import { MetricStore } from '../metrics/metric-store.ts';
import { tracedEndpoint } from '../traces/gateway-segment.ts';
import { continueTrace } from '../traces/trace-context.ts';
import { tracePages } from '../traces/trace-pages.ts';
import { TraceStore } from '../traces/trace-store.ts';
import { startXrayDaemon, type XrayDaemon } from '../traces/xray-daemon.ts';
import type { ApiEndpoint } from './api-endpoint.ts';

/**
 * What the runtime shows of the functions' traces and metrics: a local X-Ray daemon (the functions' X-Ray SDKs send
 * their segments there), the traces of the API, Lambda and Step Functions parts the runtime plays itself, and the
 * metrics the functions print in embedded metric format. Pages: `/_local/traces` and `/_local/metrics`.
 */
export interface Observability {
  traces: TraceStore;
  metrics: MetricStore;
  daemon: XrayDaemon;
  /** What every function's environment gets: the daemon's address, and Lambda's context-missing default. */
  environment: Record<string, string>;
  /** A REST API stage that records its requests' segments and answers with their trace header. */
  traced(endpoint: ApiEndpoint): ApiEndpoint;
  /**
   * An event source's invocation (SQS) continues the trace its first record carries (`AWSTraceHeader`), as Lambda
   * continues a message's trace.
   */
  fromRecords<T>(event: unknown, invoke: () => Promise<T>): Promise<T>;
  /** A function's output line: an EMF line is recorded and printed as one short line; others pass as they are. */
  functionOutput(write: (logicalId: string, line: string) => void): (logicalId: string, line: string) => void;
  pages(request: IncomingMessage, response: ServerResponse): boolean;
  close(): Promise<void>;
}

const traceHeaderOfRecords = (event: unknown): string | undefined => {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) return undefined;
  const first = records[0] as { attributes?: { AWSTraceHeader?: unknown } } | undefined;
  const header = first?.attributes?.AWSTraceHeader;
  return typeof header === 'string' ? header : undefined;
};

export const startObservability = async (host: string): Promise<Observability> => {
  const traces = new TraceStore();
  const metrics = new MetricStore();
  const daemon = await startXrayDaemon(traces, host);
  const showTraces = tracePages(traces);
  const showMetrics = metricPages(metrics);
  return {
    traces,
    metrics,
    daemon,
    environment: { AWS_XRAY_DAEMON_ADDRESS: daemon.address, AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR' },
    traced: (endpoint) => tracedEndpoint(endpoint, traces),
    fromRecords: (event, invoke) => continueTrace(traceHeaderOfRecords(event), traces, invoke),
    functionOutput: (write) => (logicalId, line) => {
      const points = parseEmf(line);
      if (!points) {
        write(logicalId, line);
        return;
      }
      metrics.add(logicalId, points);
      write(logicalId, points.length > 0 ? describeEmf(points) : line);
    },
    pages: (request, response) => showTraces(request, response) || showMetrics(request, response),
    close: () => daemon.close(),
  };
};
