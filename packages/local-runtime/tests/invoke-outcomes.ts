import type { InvokeOutcome } from '../src/lambda/function-pool.ts';

/** What a function invocation reports, for tests that stand in for the Lambda runtime. */
export const okOutcome = (result: unknown): InvokeOutcome => ({
  status: 'ok',
  requestId: 'r',
  result,
  durationMs: 1,
  coldStart: false,
});

export const errorOutcome = (errorType: string, errorMessage: string): InvokeOutcome => ({
  status: 'error',
  requestId: 'r',
  error: { errorType, errorMessage, trace: [] },
  durationMs: 1,
  coldStart: false,
});
