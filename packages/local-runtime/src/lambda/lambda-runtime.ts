import { randomUUID } from 'node:crypto';
import { lambdaInvocation } from '../traces/lambda-trace.ts';
import { EnvironmentBudget } from './environment-budget.ts';
import type { PoolOptions } from './environment-slots.ts';
import { type FunctionConfig, FunctionPool, type InvokeOptions, type InvokeOutcome } from './function-pool.ts';
import { PythonPool } from './python-pool.ts';
import { SpareThreads } from './spare-threads.ts';

/** A function's execution environments: worker threads for Node.js, processes of the host Python for python3.x. */
type Pool = FunctionPool | PythonPool;

import type { LambdaErrorPayload } from './protocol.ts';

export class FunctionNotFoundError extends Error {
  override readonly name = 'ResourceNotFoundException';
}

export interface LambdaRuntimeOptions {
  /** Execution environments per function. */
  maxConcurrency?: number;
  /**
   * An execution environment idle this long ends, and its function's next invocation is a cold start (default
   * DEFAULT_IDLE_TIMEOUT_MS; 0: never). A debugged function's environment is never reclaimed.
   */
  idleTimeoutMs?: number;
  /**
   * Execution environments alive at once across all functions (default DEFAULT_MAX_ENVIRONMENTS): at the ceiling, a
   * new one ends the longest-idle one first (see environment-budget.ts).
   */
  maxEnvironments?: number;
  /** One line per failed invocation: the function, the request id and the error (first stack frame). */
  log?: (line: string) => void;
  /** Every line a function writes (Lambda's `<time>\t<request id>\t<LEVEL>\t<message>` for its console). */
  functionOutput?: (logicalId: string, line: string) => void;
}

/**
 * How long an idle execution environment is kept: 5 minutes. Lambda keeps one "for some time in anticipation of
 * another function invocation" (Lambda developer guide, "Understanding the Lambda execution environment lifecycle",
 * Shutdown phase) and does not publish how long; measurements of idle functions (theburningmonk/
 * lambda-when-will-i-coldstart and later ones) saw environments reclaimed after minutes of idleness, 5 to 15 for most.
 * The short end keeps a large template's memory down locally.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60_000;

/**
 * 50 environments: about 600 MB of worker threads (11-12 MB each, measured by `npm run bench:scale`), which keeps a
 * runtime serving a template of hundreds of functions under a gigabyte, while leaving ten warm environments each to
 * five functions under load.
 */
export const DEFAULT_MAX_ENVIRONMENTS = 50;

/** How long the background init checks wait after an invocation starts (see checkInBackground). */
const QUIET_MS = 1000;

const oneLine = (text: string): string => text.split('\n')[0]?.trim() ?? '';

/** `ErrorType: message at handler (/path/app.js:3:9)`: what a failed invocation's log line says. */
export const describeError = (error: LambdaErrorPayload): string => {
  const frame = error.trace.find((line) => /^\s*at /.test(line))?.trim();
  return `${error.errorType}: ${oneLine(error.errorMessage)}${frame ? ` ${frame}` : ''}`;
};

/** Every function of the template, reachable by logical id, name or ARN (what integration URIs and ASL name). */
export class LambdaRuntime {
  private readonly pools = new Map<string, Pool>();
  private readonly byKey = new Map<string, Pool>();
  private readonly log: (line: string) => void;
  private closed = false;
  private lastInvocation = Number.NEGATIVE_INFINITY;
  private readonly budget: EnvironmentBudget;
  private readonly threads: SpareThreads;

  constructor(functions: FunctionConfig[], options: LambdaRuntimeOptions = {}) {
    this.log = options.log ?? (() => {});
    const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.budget = new EnvironmentBudget(options.maxEnvironments ?? DEFAULT_MAX_ENVIRONMENTS);
    this.threads = new SpareThreads(idleMs);
    for (const config of functions) {
      const output = options.functionOutput;
      const poolOptions: PoolOptions = {
        ...(output ? { onOutput: (line: string) => output(config.logicalId, line) } : {}),
        // A debugged function has one environment (one debugger port), never reclaimed.
        ...(config.debug
          ? { maxConcurrency: 1 }
          : { maxConcurrency: options.maxConcurrency ?? 10, idleMs, budget: this.budget, threads: this.threads }),
      };
      const pool: Pool = /^python3\.\d+$/.test(config.runtime)
        ? new PythonPool(config, poolOptions)
        : new FunctionPool(config, poolOptions);
      this.pools.set(config.logicalId, pool);
      // An AutoPublishAlias is reached by its ARN (`${Fn.Arn}:live`, `!Ref FnAliaslive`) and name:alias, as the
      // published version 1 is.
      const qualifiers = ['$LATEST', ...(config.alias === undefined ? [] : [config.alias, '1'])];
      const keys = [config.logicalId, config.name, config.arn];
      for (const qualifier of qualifiers) keys.push(`${config.arn}:${qualifier}`, `${config.name}:${qualifier}`);
      for (const key of keys) this.byKey.set(key, pool);
    }
    // A spare thread for the first cold start to take, of the shape most Node.js functions share.
    this.threads.prepareForMost(
      [...this.pools.values()].flatMap((pool) =>
        pool instanceof FunctionPool && !pool.config.debug && !pool.config.problem ? [pool.threadShape] : [],
      ),
    );
  }

  get functions(): FunctionConfig[] {
    return [...this.pools.values()].map((pool) => pool.config);
  }

  find(target: string): Pool | undefined {
    return this.byKey.get(target);
  }

  /** A fresh Lambda request id per invocation by default: API Gateway's own request id is a different one. */
  async invoke(
    target: string,
    event: unknown,
    requestId: string = randomUUID(),
    options: InvokeOptions = {},
  ): Promise<InvokeOutcome> {
    const pool = this.byKey.get(target);
    if (!pool) {
      this.log(`[lambda] ${target}: no such function (ResourceNotFoundException)`);
      throw new FunctionNotFoundError(`Function not found: ${target}`);
    }
    this.lastInvocation = performance.now();
    const trace = lambdaInvocation(pool.config.name);
    const outcome = await pool.invoke(event, requestId, { ...options, traceHeader: trace.header });
    trace.end({
      status: outcome.status,
      coldStart: outcome.coldStart,
      requestId: outcome.requestId,
      ...(outcome.status === 'error' ? { errorType: outcome.error.errorType } : {}),
    });
    const { logicalId, problem, timeoutSeconds } = pool.config;
    if (outcome.status === 'timeout') {
      this.log(`[lambda] ${logicalId} ${outcome.requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
    } else if (outcome.status === 'error') {
      const what = problem === outcome.error ? 'not run' : 'failed';
      this.log(`[lambda] ${logicalId} ${outcome.requestId} ${what}: ${describeError(outcome.error)}`);
    }
    return outcome;
  }

  /**
   * Runs the init of `logicalIds` (default: every function) once, one function at a time, in the background, and
   * calls `failed` for each that fails; those functions answer their error from then on. Start-up does not wait for
   * it: an environment per function before the first request would make start-up grow with the template (a second
   * or more per 25 functions on two cores). A function that already has an environment is skipped (its invocation
   * runs the init anyway), and so is everything once the runtime closes. Each check waits for a second without
   * invocations: on a busy runtime the checks would take the CPU the requests' cold starts need.
   */
  checkInBackground(logicalIds: string[], failed: (logicalId: string, error: LambdaErrorPayload) => void): void {
    const pools = [...this.pools.values()].filter((pool) => logicalIds.includes(pool.config.logicalId));
    void (async () => {
      for (const pool of pools) {
        await this.quiet();
        if (this.closed) return;
        if (pool.size > 0) continue;
        const error = await pool.check();
        if (error && !this.closed) failed(pool.config.logicalId, error);
      }
    })();
  }

  /** Starts the debugged functions' environments now, so a debugger can attach before the first invocation. */
  async warmDebugged(): Promise<void> {
    await Promise.all([...this.pools.values()].filter((pool) => pool.config.debug).map((pool) => pool.warm()));
  }

  /** Every environment ends once idle: the next invocation of each function is a cold start (module state anew). */
  renew(): void {
    for (const pool of this.pools.values()) pool.reload(pool.config.bundle);
  }

  /** After a rebuild: new invocations load the new bundles. */
  reload(bundles: Record<string, string>): void {
    for (const [logicalId, bundle] of Object.entries(bundles)) this.pools.get(logicalId)?.reload(bundle);
  }

  /** Resolves once no invocation has started for QUIET_MS (or the runtime closed). */
  private async quiet(): Promise<void> {
    for (;;) {
      const wait = this.lastInvocation + QUIET_MS - performance.now();
      if (wait <= 0 || this.closed) return;
      await new Promise((resolve) => setTimeout(resolve, wait).unref());
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
    await this.threads.close();
  }
}
