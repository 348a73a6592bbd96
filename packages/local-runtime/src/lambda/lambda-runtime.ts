import { randomUUID } from 'node:crypto';
import { type FunctionConfig, FunctionPool, type InvokeOutcome } from './function-pool.ts';

export class FunctionNotFoundError extends Error {
  override readonly name = 'ResourceNotFoundException';
}

/** Every function of the template, reachable by logical id, name or ARN (what integration URIs and ASL name). */
export class LambdaRuntime {
  private readonly pools = new Map<string, FunctionPool>();
  private readonly byKey = new Map<string, FunctionPool>();

  constructor(functions: FunctionConfig[], maxConcurrency = 10) {
    for (const config of functions) {
      const pool = new FunctionPool(config, maxConcurrency);
      this.pools.set(config.logicalId, pool);
      for (const key of [config.logicalId, config.name, config.arn, `${config.arn}:$LATEST`]) this.byKey.set(key, pool);
    }
  }

  get functions(): FunctionConfig[] {
    return [...this.pools.values()].map((pool) => pool.config);
  }

  find(target: string): FunctionPool | undefined {
    return this.byKey.get(target);
  }

  invoke(target: string, event: unknown, requestId: string = randomUUID()): Promise<InvokeOutcome> {
    const pool = this.byKey.get(target);
    if (!pool) return Promise.reject(new FunctionNotFoundError(`Function not found: ${target}`));
    return pool.invoke(event, requestId);
  }

  /** After a rebuild: new invocations load the new bundles. */
  reload(bundles: Record<string, string>): void {
    for (const [logicalId, bundle] of Object.entries(bundles)) this.pools.get(logicalId)?.reload(bundle);
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }
}
