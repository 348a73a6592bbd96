import type { Span, Trace } from './trace-store.ts';

/** One line of a trace's waterfall: a span, indented under its parent, placed on the trace's time line. */
export interface WaterfallRow {
  id: string;
  parentId?: string;
  name: string;
  /** What the span is: `AWS::Lambda::Function`, `aws` (an SDK call), `remote`, or the runtime's own subsegment. */
  kind: string;
  depth: number;
  /** From the trace's first span. */
  offsetMs: number;
  /** Absent while the span is in progress. */
  durationMs?: number;
  status: 'ok' | 'error' | 'fault';
  /** `StartExecution`, `POST 202`, `ColdStart: true`...: the short facts worth a glance. */
  detail: string;
  annotations: Record<string, string | number | boolean>;
}

export interface Waterfall {
  traceId: string;
  /** Epoch ms of the first span. */
  startedAt: number;
  durationMs: number;
  rows: WaterfallRow[];
}

const detailOf = (span: Span): string => {
  const parts: string[] = [];
  const operation = span.aws?.operation;
  if (typeof operation === 'string') parts.push(operation);
  const request = span.http?.request as { method?: unknown; url?: unknown } | undefined;
  if (typeof request?.method === 'string') parts.push(`${request.method} ${String(request.url ?? '')}`.trim());
  const status = (span.http?.response as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number') parts.push(String(status));
  const type = span.metadata?.type;
  if (typeof type === 'string') parts.push(type);
  return parts.join(' ');
};

/**
 * A segment's origin, an SDK subsegment's namespace, else what the runtime's own subsegments are: a stage's
 * (`gateway`: its authorizer, its integration) or a state machine's (`state`).
 */
const kindOf = (span: Span, parent: Span | undefined): string => {
  if (span.origin) return span.origin;
  if (span.namespace) return span.namespace;
  if (span.source === 'runtime' && parent?.origin === 'AWS::ApiGateway::Stage') return 'gateway';
  if (span.source === 'runtime' && parent?.origin === 'AWS::StepFunctions::StateMachine') return 'state';
  return 'subsegment';
};

/** The spans of a trace in tree order (each after its parent, siblings by start time), with depth and timing. */
export const waterfallOf = (trace: Trace): Waterfall => {
  const byId = new Map(trace.spans.map((span) => [span.id, span]));
  const children = new Map<string | undefined, Span[]>();
  for (const span of trace.spans) {
    const parent = span.parentId && byId.has(span.parentId) ? span.parentId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const start = Math.min(...trace.spans.map((span) => span.start));
  const end = Math.max(...trace.spans.map((span) => span.end ?? span.start));
  const rows: WaterfallRow[] = [];
  const visited = new Set<string>();
  const visit = (parent: string | undefined, depth: number) => {
    for (const span of (children.get(parent) ?? []).sort((a, b) => a.start - b.start)) {
      if (visited.has(span.id)) continue;
      visited.add(span.id);
      rows.push({
        id: span.id,
        ...(span.parentId ? { parentId: span.parentId } : {}),
        name: span.name,
        kind: kindOf(span, parent === undefined ? undefined : byId.get(parent)),
        depth,
        offsetMs: (span.start - start) * 1000,
        ...(span.end === undefined ? {} : { durationMs: (span.end - span.start) * 1000 }),
        status: span.fault ? 'fault' : span.error || span.throttle ? 'error' : 'ok',
        detail: detailOf(span),
        annotations: span.annotations ?? {},
      });
      visit(span.id, depth + 1);
    }
  };
  visit(undefined, 0);
  return { traceId: trace.traceId, startedAt: start * 1000, durationMs: (end - start) * 1000, rows };
};
