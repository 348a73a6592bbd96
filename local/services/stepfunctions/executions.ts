export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  /** Epoch ms. */
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  abort?: () => void;
}

const seconds = (ms: number) => ms / 1000;

/** DescribeExecution's output (API reference, DescribeExecution); dates are epoch seconds in the JSON protocol. */
export const listedExecution = (execution: Execution) => ({
  executionArn: execution.executionArn,
  stateMachineArn: execution.stateMachineArn,
  name: execution.name,
  status: execution.status,
  startDate: seconds(execution.startDate),
  ...(execution.stopDate === undefined ? {} : { stopDate: seconds(execution.stopDate) }),
});

/** DescribeExecution's output (API reference, DescribeExecution); dates are epoch seconds in the JSON protocol. */
export const describeExecution = (execution: Execution) => ({
  ...listedExecution(execution),
  input: execution.input,
  inputDetails: { included: true },
  ...(execution.output === undefined ? {} : { output: execution.output, outputDetails: { included: true } }),
  ...(execution.error === undefined ? {} : { error: execution.error }),
  ...(execution.cause === undefined ? {} : { cause: execution.cause }),
  redriveCount: 0,
  redriveStatus: 'NOT_REDRIVABLE',
});
