import { randomUUID } from 'node:crypto';
import { lambdaInvocation } from '../traces/lambda-trace.ts';
import { type FunctionConfig, FunctionPool, type InvokeOptions, type InvokeOutcome } from './function-pool.ts';
import { PythonPool } from './python-pool.ts';

/** A function's execution environments: worker threads for Node.js, processes of the host Python for python3.x. */
type Pool = FunctionPool | PythonPool;

import type { LambdaErrorPayload } from './protocol.ts';

export class FunctionNotFoundError extends Error {
  override readonly name = 'ResourceNotFoundException';
}

export interface LambdaRuntimeOptions {
  /** Execution environments per function. */
  maxConcurrency?: number;
  /** One line per failed invocation: the function, the request id and the error (first stack frame). */
  log?: (line: string) => void;
  /** Every line a function writes (Lambda's `<time>\t<request id>\t<LEVEL>\t<message>` for its console). */
  functionOutput?: (logicalId: string, line: string) => void;
}

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

  constructor(functions: FunctionConfig[], options: LambdaRuntimeOptions = {}) {
    this.log = options.log ?? (() => {});
    for (const config of functions) {
      const output = options.functionOutput;
      const onOutput = output ? (line: string) => output(config.logicalId, line) : undefined;
      // A debugged function has one environment: one debugger port.
      const max = config.debug ? 1 : (options.maxConcurrency ?? 10);
      const pool: Pool = /^python3\.\d+$/.test(config.runtime)
        ? new PythonPool(config, max, onOutput)
        : new FunctionPool(config, max, onOutput);
      this.pools.set(config.logicalId, pool);
      // An AutoPublishAlias is reached by its ARN (`${Fn.Arn}:live`, `!Ref FnAliaslive`) and name:alias, as the
      // published version 1 is.
      const qualifiers = ['$LATEST', ...(config.alias === undefined ? [] : [config.alias, '1'])];
      const keys = [config.logicalId, config.name, config.arn];
      for (const qualifier of qualifiers) keys.push(`${config.arn}:${qualifier}`, `${config.name}:${qualifier}`);
      for (const key of keys) this.byKey.set(key, pool);
    }
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
   * Runs the init of `logicalIds` (default: every function) once, in parallel, and answers the ones that failed
   * with their error; those functions answer it from then on.
   */
  async check(logicalIds?: string[]): Promise<{ logicalId: string; error: LambdaErrorPayload }[]> {
    const pools = [...this.pools.values()].filter((pool) => !logicalIds || logicalIds.includes(pool.config.logicalId));
    const results = await Promise.all(
      pools.map(async (pool) => ({ logicalId: pool.config.logicalId, error: await pool.check() })),
    );
    return results.flatMap(({ logicalId, error }) => (error ? [{ logicalId, error }] : []));
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

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }
}
