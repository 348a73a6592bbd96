/**
 * The traces of the runtime's recent requests: X-Ray segment documents, from two sources: the runtime's own (the API
 * gateway, Lambda, Step Functions) and the ones the functions' X-Ray SDKs send to the local daemon. A segment's
 * nested `subsegments` are kept as spans of their own, under their parent, so the SDK's streamed subsegments and
 * whole segments look alike. Only the last `maxTraces` traces are kept.
 */
export interface Span {
  id: string;
  traceId: string;
  /** The segment or subsegment it hangs under (absent for the trace's root). */
  parentId?: string;
  name: string;
  /** `AWS::ApiGateway::Stage`, `AWS::Lambda::Function`, `AWS::StepFunctions::StateMachine`... for segments. */
  origin?: string;
  /** `aws` for an AWS SDK call, `remote` for an HTTP call. */
  namespace?: string;
  /** Epoch seconds, as X-Ray documents have them. */
  start: number;
  end?: number;
  annotations?: Record<string, string | number | boolean>;
  metadata?: Record<string, unknown>;
  /** `aws.operation`, `http.response.status`...: what the document says about the call. */
  aws?: Record<string, unknown>;
  http?: Record<string, unknown>;
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
  cause?: unknown;
  /** `runtime` for what the local runtime records itself, `sdk` for what a function's X-Ray SDK sent. */
  source: 'runtime' | 'sdk';
}

export interface TraceSummary {
  traceId: string;
  /** The root span's name (`OrdersApi/dev`...). */
  name: string;
  start: number;
  durationMs?: number;
  spans: number;
  error: boolean;
  /** What the root span says it served: `POST /dev/v1/orders 202`. */
  title?: string;
}

export interface Trace {
  traceId: string;
  spans: Span[];
}

type SegmentDocument = Record<string, unknown>;

const MAX_SPANS_PER_TRACE = 2_000;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const seconds = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

export class TraceStore {
  private readonly traces = new Map<string, Map<string, Span>>();
  private readonly maxTraces: number;

  constructor(maxTraces = 200) {
    this.maxTraces = maxTraces;
  }

  /** A span the runtime records (replacing an earlier version of itself, as an in-progress one is). */
  record(span: Span): void {
    let spans = this.traces.get(span.traceId);
    if (!spans) {
      spans = new Map();
      this.traces.set(span.traceId, spans);
      if (this.traces.size > this.maxTraces) {
        const oldest = this.traces.keys().next().value;
        if (oldest !== undefined) this.traces.delete(oldest);
      }
    }
    if (spans.size >= MAX_SPANS_PER_TRACE && !spans.has(span.id)) return;
    spans.set(span.id, span);
  }

  /**
   * An X-Ray segment document as the daemon receives it (X-Ray developer guide, "AWS X-Ray segment documents"):
   * a segment, or an independent subsegment (`type: "subsegment"` with `parent_id` and `trace_id`). Answers false,
   * keeping nothing, for a document without an id, a trace id, a name or a start time.
   */
  addDocument(document: unknown, inherited?: { traceId: string; parentId: string }): boolean {
    if (!isRecord(document)) return false;
    const id = text(document.id);
    const traceId = text(document.trace_id) ?? inherited?.traceId;
    const name = text(document.name);
    const start = seconds(document.start_time);
    if (!id || !traceId || !name || start === undefined) return false;
    const parentId = text(document.parent_id) ?? inherited?.parentId;
    const end = seconds(document.end_time);
    this.record({
      id,
      traceId,
      ...(parentId ? { parentId } : {}),
      name,
      ...(text(document.origin) ? { origin: text(document.origin) } : {}),
      ...(text(document.namespace) ? { namespace: text(document.namespace) } : {}),
      start,
      ...(end === undefined ? {} : { end }),
      ...(isRecord(document.annotations) ? { annotations: document.annotations as Span['annotations'] } : {}),
      ...(isRecord(document.metadata) ? { metadata: document.metadata } : {}),
      ...(isRecord(document.aws) ? { aws: document.aws } : {}),
      ...(isRecord(document.http) ? { http: document.http } : {}),
      ...(document.error === true ? { error: true } : {}),
      ...(document.fault === true ? { fault: true } : {}),
      ...(document.throttle === true ? { throttle: true } : {}),
      ...(document.cause === undefined ? {} : { cause: document.cause }),
      source: 'sdk',
    });
    if (Array.isArray(document.subsegments)) {
      for (const child of document.subsegments as SegmentDocument[]) this.addDocument(child, { traceId, parentId: id });
    }
    return true;
  }

  get(traceId: string): Trace | undefined {
    const spans = this.traces.get(traceId);
    return spans ? { traceId, spans: [...spans.values()].sort((a, b) => a.start - b.start) } : undefined;
  }

  /** Newest first. */
  list(): TraceSummary[] {
    return [...this.traces.keys()].reverse().flatMap((traceId) => {
      const trace = this.get(traceId);
      return trace ? [summaryOf(trace)] : [];
    });
  }
}

export const summaryOf = (trace: Trace): TraceSummary => {
  const ids = new Set(trace.spans.map((span) => span.id));
  const root = trace.spans.find((span) => !span.parentId || !ids.has(span.parentId)) ?? trace.spans[0];
  const start = Math.min(...trace.spans.map((span) => span.start));
  const ends = trace.spans.flatMap((span) => (span.end === undefined ? [] : [span.end]));
  const request = root?.http?.request as { method?: string; url?: string } | undefined;
  const status = (root?.http?.response as { status?: number } | undefined)?.status;
  return {
    traceId: trace.traceId,
    name: root?.name ?? '',
    start,
    ...(ends.length > 0 ? { durationMs: (Math.max(...ends) - start) * 1000 } : {}),
    spans: trace.spans.length,
    error: trace.spans.some((span) => span.error || span.fault),
    ...(request?.method ? { title: `${request.method} ${request.url ?? ''}${status ? ` ${status}` : ''}` } : {}),
  };
};
