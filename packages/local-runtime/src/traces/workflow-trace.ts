import { type OpenSpan, openSpan, runInTrace } from './trace-context.ts';
import { parseTraceHeader } from './trace-header.ts';
import type { TraceStore } from './trace-store.ts';

/**
 * A Step Functions execution in the trace that started it (developer guide, "View X-Ray traces in Step Functions"):
 * the execution is a segment named after its state machine (origin `AWS::StepFunctions::StateMachine`) under the
 * caller's span, each state entered is a subsegment of it, and a task's calls (a function, a queue) run in its
 * state's subsegment, so they hang under it. States inside Parallel branches and Map iterations are not shown on
 * their own: their tasks hang under the Parallel or Map state.
 */
export interface WorkflowTrace {
  /** A state of the machine itself is entered. */
  entered(state: string): void;
  /** ...and left, or failed (it stays open: a Retry may run it again; the next state closes it). */
  exited(state: string, failed: boolean): void;
  /** Runs a task attempt of `state` in that state's subsegment. */
  inState<T>(state: string, run: () => Promise<T>): Promise<T>;
  end(status: string): void;
}

export const workflowTrace = (
  header: string | undefined,
  store: TraceStore | undefined,
  execution: { machineName: string; executionArn: string },
): WorkflowTrace | undefined => {
  const parsed = parseTraceHeader(header);
  if (!parsed || !store || parsed.sampled === false) return undefined;
  const segment = openSpan(
    execution.machineName,
    { origin: 'AWS::StepFunctions::StateMachine', metadata: { executionArn: execution.executionArn } },
    { traceId: parsed.root, ...(parsed.parent ? { parentId: parsed.parent } : {}), sampled: true, store },
  );
  if (!segment) return undefined;
  // The machine's own states run one at a time; a failed one stays open while its Retry runs it again.
  let current: { state: string; span: OpenSpan; failed: boolean } | undefined;
  const close = () => {
    current?.span.end(current.failed ? { error: true } : {});
    current = undefined;
  };
  return {
    entered: (state) => {
      close();
      const opened = openSpan(state, {}, segment.trace);
      if (opened) current = { state, span: opened, failed: false };
    },
    exited: (state, failed) => {
      if (current?.state !== state) return;
      // Left after a failure: a Retry ran it again and it succeeded.
      current.failed = failed;
      if (!failed) close();
    },
    inState: (state, run) => runInTrace(current?.state === state ? current.span.trace : segment.trace, run),
    end: (status) => {
      close();
      segment.end({
        metadata: { status },
        ...(status === 'FAILED' ? { error: true } : status === 'TIMED_OUT' ? { fault: true } : {}),
      });
    },
  };
};
