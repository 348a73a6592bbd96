import type { LibraryEvent } from './event-tap.ts';
import type { Execution } from './executions.ts';

const MAX_CAUSE = 200;

const label = (execution: Execution) => `[stepfunctions] ${execution.machineName}/${execution.name}`;

const short = (cause: string) => (cause.length > MAX_CAUSE ? `${cause.slice(0, MAX_CAUSE)}…` : cause);

export const logStarted = (log: (line: string) => void, execution: Execution): void =>
  log(`${label(execution)} RUNNING`);

/** `[stepfunctions] my-workflow/exec-1 SUCCEEDED (1.2 s)`, with the error and cause when it did not succeed. */
export const logEnded = (log: (line: string) => void, execution: Execution): void => {
  const seconds = (((execution.stopDate ?? Date.now()) - execution.startDate) / 1000).toFixed(1);
  const why = execution.error || execution.cause ? ` ${execution.error ?? ''}: ${short(execution.cause ?? '')}` : '';
  log(`${label(execution)} ${execution.status} (${seconds} s)${why}`);
};

/** A line per failed state attempt, and per caught error, so a retry storm or a fallback path shows in the log. */
export const stateLogger = (log: (line: string) => void, execution: Execution) => {
  const attempts = new Map<string, number>();
  return (event: LibraryEvent): void => {
    if (event.type === 'StateEntered') attempts.set(event.state.name, 1);
    else if (event.type === 'StateRetried') attempts.set(event.state.name, (attempts.get(event.state.name) ?? 1) + 1);
    else if (event.type === 'StateFailed' && event.state.type !== 'Fail') {
      const attempt = attempts.get(event.state.name) ?? 1;
      log(
        `${label(execution)} ${event.state.name} attempt ${attempt} failed: ${event.Error}: ${short(String(event.Cause ?? ''))}`,
      );
    } else if (event.type === 'StateCaught') {
      log(`${label(execution)} ${event.state.name} caught → ${event.catch.catcher.Next}`);
    }
  };
};
