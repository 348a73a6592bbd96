import type { FunctionConfig, InvokeOutcome } from './function-pool.ts';
import type { LambdaErrorPayload } from './protocol.ts';

/**
 * What Lambda reports of one invocation beyond the function's own lines: the error body of a timeout, and the
 * START / END / REPORT lines it writes around the function's output (Lambda developer guide, "Using CloudWatch Logs
 * with Lambda": the REPORT line). Memory used is not measured locally, so Max Memory Used is left out.
 */
export const timedOutError = (requestId: string, timeoutSeconds: number): LambdaErrorPayload => ({
  errorType: 'Sandbox.Timedout',
  errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
  trace: [],
});

/** The error body a failed invocation answers: the runtime's payload, or Lambda's own for a timeout. */
export const errorBodyOf = (outcome: InvokeOutcome, config: FunctionConfig): LambdaErrorPayload | undefined => {
  if (outcome.status === 'error') return outcome.error;
  if (outcome.status === 'timeout') return timedOutError(outcome.requestId, config.timeoutSeconds);
  return undefined;
};

export const startLine = (requestId: string, version: string): string =>
  `START RequestId: ${requestId} Version: ${version}`;

/** What Lambda writes after the function's own lines: the timeout, END and REPORT. */
export const endLines = (outcome: InvokeOutcome, config: FunctionConfig): string[] => {
  const { requestId, durationMs } = outcome;
  // A cold start's REPORT ends with its init phase, as Lambda's does (it is not billed for managed runtimes).
  const initDuration =
    outcome.initDurationMs === undefined ? '' : `Init Duration: ${outcome.initDurationMs.toFixed(2)} ms\t`;
  const timedOut =
    outcome.status === 'timeout'
      ? [`${new Date().toISOString()} ${requestId} Task timed out after ${config.timeoutSeconds.toFixed(2)} seconds`]
      : [];
  return [
    ...timedOut,
    `END RequestId: ${requestId}`,
    `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(durationMs))} ms\tMemory Size: ${config.memoryMB} MB\t${initDuration}`,
  ];
};

/** The invocation's whole log as Lambda keeps it (what `LogType: Tail` answers the end of). */
export const invocationLogLines = (outcome: InvokeOutcome, config: FunctionConfig, version: string): string[] => [
  startLine(outcome.requestId, version),
  ...(outcome.logs ?? []),
  ...endLines(outcome, config),
];
