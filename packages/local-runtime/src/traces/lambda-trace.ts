import { activeTrace, openSpan } from './trace-context.ts';
import { formatTraceHeader, newSegmentId, newTraceId } from './trace-header.ts';

/** How an invocation ended, as the trace shows it. */
export interface InvocationEnd {
  status: 'ok' | 'error' | 'timeout';
  coldStart: boolean;
  requestId: string;
  errorType?: string;
}

/**
 * The Lambda service's part of a trace: the function's segment (`AWS::Lambda::Function`) under whatever invoked it,
 * and the `_X_AMZN_TRACE_ID` the execution environment gets for the invocation, whose Parent is that segment, so the
 * function's own X-Ray SDK hangs its subsegments there (Lambda developer guide, "Visualize Lambda function
 * invocations using AWS X-Ray"). Without an active trace the invocation gets a trace of its own, not sampled, as an
 * untraced caller's invocation of a function with PassThrough tracing does.
 */
export const lambdaInvocation = (functionName: string): { header: string; end: (end: InvocationEnd) => void } => {
  const active = activeTrace();
  const opened = openSpan(functionName, { origin: 'AWS::Lambda::Function' }, active);
  if (!opened) {
    return {
      header: formatTraceHeader({
        root: active?.traceId ?? newTraceId(),
        parent: active?.parentId ?? newSegmentId(),
        sampled: active?.sampled ?? false,
      }),
      end: () => {},
    };
  }
  return {
    header: formatTraceHeader({ root: opened.trace.traceId, parent: opened.id, sampled: true }),
    end: (end) =>
      opened.end({
        ...(end.status === 'error' ? { error: true } : {}),
        ...(end.status === 'timeout' ? { fault: true } : {}),
        ...(end.errorType ? { cause: { exceptions: [{ type: end.errorType }] } } : {}),
        metadata: { requestId: end.requestId, coldStart: end.coldStart },
        annotations: { ColdStart: end.coldStart },
      }),
  };
};
