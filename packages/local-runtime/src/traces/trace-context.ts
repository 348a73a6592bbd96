import { AsyncLocalStorage } from 'node:async_hooks';
import { formatTraceHeader, newSegmentId, parseTraceHeader } from './trace-header.ts';
import type { Span, TraceStore } from './trace-store.ts';

/**
 * The trace a piece of the runtime is working for, carried through its async calls the way AWS services pass the
 * trace header on: what API Gateway forwards, what a Step Functions state or a queue message carries. Whatever runs
 * inside (a function invocation, a call to a local service) hangs its span under `parentId`.
 */
export interface ActiveTrace {
  traceId: string;
  /** The segment or subsegment new spans hang under. */
  parentId?: string;
  sampled: boolean;
  /** Where spans go; without one (a header that came in over HTTP) nothing is recorded, the header passes on. */
  store?: TraceStore;
}

const storage = new AsyncLocalStorage<ActiveTrace>();

export const activeTrace = (): ActiveTrace | undefined => storage.getStore();

export const runInTrace = <T>(trace: ActiveTrace, run: () => T): T => storage.run(trace, run);

/** `X-Amzn-Trace-Id` for a call made now, under the active trace. */
export const currentTraceHeader = (): string | undefined => {
  const trace = storage.getStore();
  return trace
    ? formatTraceHeader({
        root: trace.traceId,
        ...(trace.parentId ? { parent: trace.parentId } : {}),
        sampled: trace.sampled,
      })
    : undefined;
};

/**
 * Runs `run` in the trace a header names (an incoming request's `X-Amzn-Trace-Id`, a message's `AWSTraceHeader`);
 * without a valid header, in the active one. `store` records spans made inside (else the active trace's store).
 */
export const continueTrace = <T>(header: string | undefined, store: TraceStore | undefined, run: () => T): T => {
  const parsed = parseTraceHeader(header);
  const active = storage.getStore();
  if (!parsed) return active && store && !active.store ? storage.run({ ...active, store }, run) : run();
  const recorder = store ?? active?.store;
  return storage.run(
    {
      traceId: parsed.root,
      ...(parsed.parent ? { parentId: parsed.parent } : {}),
      sampled: parsed.sampled ?? true,
      ...(recorder ? { store: recorder } : {}),
    },
    run,
  );
};

const nowSeconds = () => Date.now() / 1000;

/** A span being timed: `end` records it (with what went wrong, if anything). */
export interface OpenSpan {
  readonly id: string;
  /** The trace its children run in. */
  readonly trace: ActiveTrace;
  end(fields?: Partial<Pick<Span, 'error' | 'fault' | 'cause' | 'http' | 'aws' | 'metadata' | 'annotations'>>): void;
}

/** Opens a span under the active trace (undefined when none is active or it is not sampled or not recorded). */
export const openSpan = (
  name: string,
  fields: Partial<Pick<Span, 'origin' | 'namespace' | 'metadata' | 'http' | 'aws' | 'annotations'>> = {},
  parent: ActiveTrace | undefined = storage.getStore(),
): OpenSpan | undefined => {
  if (!parent?.store || !parent.sampled) return undefined;
  const { store } = parent;
  const id = newSegmentId();
  const start = nowSeconds();
  const base: Span = {
    id,
    traceId: parent.traceId,
    ...(parent.parentId ? { parentId: parent.parentId } : {}),
    name,
    start,
    source: 'runtime',
    ...fields,
  };
  store.record(base);
  return {
    id,
    trace: { ...parent, parentId: id },
    end: (more = {}) => {
      store.record({
        ...base,
        ...more,
        metadata: { ...base.metadata, ...more.metadata },
        http: { ...base.http, ...more.http },
        end: nowSeconds(),
      });
    },
  };
};

/**
 * Runs `run` as a span named `name` of the active trace (just runs it when there is none: no async wrapper then, as
 * on every request of an untraced stage).
 */
export const span = <T>(name: string, run: () => Promise<T>, fields?: Parameters<typeof openSpan>[1]): Promise<T> => {
  const opened = openSpan(name, fields);
  if (!opened) return run();
  return (async () => {
    try {
      const result = await storage.run(opened.trace, run);
      opened.end();
      return result;
    } catch (error) {
      opened.end({
        fault: true,
        cause: { exceptions: [{ message: error instanceof Error ? error.message : String(error) }] },
      });
      throw error;
    }
  })();
};
