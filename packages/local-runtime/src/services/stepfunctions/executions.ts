import { ExecutionHistory } from './history.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export const EXECUTION_STATUSES: readonly ExecutionStatus[] = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
];

export interface Execution {
  executionArn: string;
  stateMachineArn: string;
  /** The state machine's name, for log lines. */
  machineName: string;
  machineType: 'STANDARD' | 'EXPRESS';
  name: string;
  status: ExecutionStatus;
  /** Epoch ms. */
  startDate: number;
  stopDate?: number;
  /** The input as the caller sent it, and its parsed value (idempotent starts compare values, not spacing). */
  input: string;
  inputValue: unknown;
  output?: string;
  error?: string;
  cause?: string;
  history: ExecutionHistory;
  /** The X-Ray trace header it was started with (StartExecution's `traceHeader`, or the call's own). */
  traceHeader?: string;
  /** Stops the run; present while it runs. */
  abort?: () => void;
}

export const newExecution = (fields: Omit<Execution, 'status' | 'startDate' | 'history'>): Execution => ({
  ...fields,
  status: 'RUNNING',
  startDate: Date.now(),
  history: new ExecutionHistory(),
});

/** Ends a running execution; a closed one keeps its first outcome. */
export const closeExecution = (
  execution: Execution,
  outcome: { status: Exclude<ExecutionStatus, 'RUNNING'>; output?: string; error?: string; cause?: string },
): boolean => {
  if (execution.status !== 'RUNNING') return false;
  execution.status = outcome.status;
  execution.stopDate = Date.now();
  if (outcome.output !== undefined) execution.output = outcome.output;
  if (outcome.error !== undefined) execution.error = outcome.error;
  if (outcome.cause !== undefined) execution.cause = outcome.cause;
  return true;
};

const seconds = (ms: number) => ms / 1000;

/** An item of ListExecutions (API reference, "ExecutionListItem"); dates are epoch seconds in the JSON protocol. */
export const listedExecution = (execution: Execution) => ({
  executionArn: execution.executionArn,
  stateMachineArn: execution.stateMachineArn,
  name: execution.name,
  status: execution.status,
  startDate: seconds(execution.startDate),
  ...(execution.stopDate === undefined ? {} : { stopDate: seconds(execution.stopDate) }),
});

/** DescribeExecution's output (API reference, "DescribeExecution"). */
export const describeExecution = (execution: Execution) => ({
  ...listedExecution(execution),
  input: execution.input,
  inputDetails: { included: true },
  ...(execution.output === undefined ? {} : { output: execution.output, outputDetails: { included: true } }),
  ...(execution.error === undefined ? {} : { error: execution.error }),
  ...(execution.cause === undefined ? {} : { cause: execution.cause }),
  ...(execution.traceHeader === undefined ? {} : { traceHeader: execution.traceHeader }),
  redriveCount: 0,
  redriveStatus: 'NOT_REDRIVABLE',
});
