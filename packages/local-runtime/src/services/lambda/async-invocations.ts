import type { InvokeOutcome } from '../../lambda/function-pool.ts';
import { describeError } from '../../lambda/lambda-runtime.ts';

/**
 * Asynchronous invocations (`InvocationType: Event`), as Lambda runs them (Lambda developer guide, "How Lambda
 * handles errors and retries with asynchronous invocation"): the event is queued and the caller answered at once;
 * a function error or timeout is retried twice by default (the function's EventInvokeConfig.MaximumRetryAttempts,
 * 0-2), one minute before the second attempt and two minutes before the third (times the runtime's time scale), with
 * the same request id; an event older than MaximumEventAgeInSeconds (default 6 hours) is not tried again. An event
 * whose attempts are spent is logged and dropped: on-failure destinations and dead-letter queues are not run locally.
 */
export interface AsyncInvocation {
  logicalId: string;
  event: unknown;
  requestId: string;
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
}

export interface AsyncInvocationsOptions {
  invoke: (logicalId: string, event: unknown, requestId: string) => Promise<InvokeOutcome>;
  log: (line: string) => void;
  timeScale: number;
}

const RETRY_DELAYS_SECONDS = [60, 120];

export class AsyncInvocations {
  private readonly options: AsyncInvocationsOptions;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private generation = 0;

  constructor(options: AsyncInvocationsOptions) {
    this.options = options;
  }

  enqueue(invocation: AsyncInvocation): void {
    this.attempt(invocation, 1, Date.now(), this.generation);
  }

  /** Queued and waiting retries are dropped (reset); attempts running now finish. */
  clear(): void {
    this.generation += 1;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Drops what waits and lets what runs finish. */
  async close(): Promise<void> {
    this.clear();
    await Promise.allSettled([...this.running]);
  }

  private attempt(invocation: AsyncInvocation, attempt: number, queuedAt: number, generation: number): void {
    const run = this.run(invocation, attempt, queuedAt, generation).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  private async run(invocation: AsyncInvocation, attempt: number, queuedAt: number, generation: number) {
    const { logicalId, requestId } = invocation;
    let outcome: InvokeOutcome;
    try {
      outcome = await this.options.invoke(logicalId, invocation.event, requestId);
    } catch (error) {
      this.options.log(`[lambda] ${logicalId} ${requestId} asynchronous invocation dropped: ${String(error)}`);
      return;
    }
    if (outcome.status === 'ok' || generation !== this.generation) return;
    const why = outcome.status === 'timeout' ? 'timed out' : `failed (${describeError(outcome.error)})`;
    const attempts = invocation.maximumRetryAttempts + 1;
    const delaySeconds = RETRY_DELAYS_SECONDS[attempt - 1];
    const ageSeconds = (Date.now() - queuedAt) / 1000;
    if (
      attempt >= attempts ||
      delaySeconds === undefined ||
      ageSeconds + delaySeconds > invocation.maximumEventAgeSeconds
    ) {
      this.options.log(
        `[lambda] ${logicalId} ${requestId} asynchronous invocation ${why} on attempt ${attempt} of ${attempts}: dropped (no destination or dead-letter queue runs locally)`,
      );
      return;
    }
    const delayMs = delaySeconds * 1000 * this.options.timeScale;
    this.options.log(
      `[lambda] ${logicalId} ${requestId} asynchronous invocation ${why} on attempt ${attempt} of ${attempts}: retried in ${(delayMs / 1000).toFixed(delayMs < 1000 ? 2 : 0)} s`,
    );
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.attempt(invocation, attempt + 1, queuedAt, generation);
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }
}
