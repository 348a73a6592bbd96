import type { EnvironmentBudget } from './environment-budget.ts';
import type { SpareThreads } from './spare-threads.ts';

/**
 * The execution environments of one function, whatever runs them (worker threads for Node.js, processes for
 * Python), with Lambda's rules: an environment runs one invocation at a time; concurrent invocations get more
 * environments up to `max`, then wait their turn; an environment of an older code generation or of a closed pool is
 * not reused; a discarded one (timed out, crashed) frees its slot for a waiter, which gets a fresh environment.
 */
export interface SlotEnvironment {
  /** The code generation it was started with (see renew). */
  generation: number;
  invocations: number;
}

/** How a function's pool runs its environments: the runtime's settings, the same for every function. */
export interface PoolOptions {
  /** Environments at once (Lambda's concurrency for the function). */
  maxConcurrency?: number;
  /** Every line the function's environments write. */
  onOutput?: (line: string) => void;
  /** An environment idle this long ends; absent or 0: never. */
  idleMs?: number;
  budget?: EnvironmentBudget;
  /** Threads started ahead of cold starts (Node.js functions). */
  threads?: SpareThreads;
}

export interface SlotOptions<E> {
  max: number;
  /** For the error an invocation gets once the pool is closed. */
  name: string;
  start: (generation: number) => E | Promise<E>;
  stop: (environment: E) => unknown;
  /** An environment idle this long ends (its function's next invocation is a cold start); absent or 0: never. */
  idleMs?: number;
  /** The runtime's ceiling on environments alive at once, shared by every function's slots. */
  budget?: EnvironmentBudget;
}

const noop = () => {};

export class EnvironmentSlots<E extends SlotEnvironment> {
  private idle: E[] = [];
  /** When each idle environment became idle (see SlotOptions.idleMs). */
  private readonly idleSince = new Map<E, number>();
  /**
   * One timer for the slots, due when the environment idle longest reaches idleMs: a busy function's invocations
   * arm no timer of their own (the idle list is last in, first out, so its first is the one idle longest).
   */
  private sweep: NodeJS.Timeout | undefined;
  private busy = new Set<E>();
  /** Environments counted in the budget, each with the reclaimer the budget may call while it is idle. */
  private readonly counted = new Map<E, () => void>();
  private waiters: ((environment: E) => void)[] = [];
  private starting = 0;
  private generation = 0;
  private closed = false;
  private readonly options: SlotOptions<E>;

  constructor(options: SlotOptions<E>) {
    this.options = options;
  }

  /** Environments in use, idle or starting (for tests and the banner). */
  get size(): number {
    return this.idle.length + this.busy.size + this.starting;
  }

  /** An environment for one invocation, counted; `coldStart` when it is that environment's first. */
  async begin(): Promise<{ environment: E; coldStart: boolean }> {
    const environment = await this.acquire();
    const coldStart = environment.invocations === 0;
    environment.invocations += 1;
    return { environment, coldStart };
  }

  async acquire(): Promise<E> {
    if (this.closed) throw new Error(`${this.options.name}: the runtime is shutting down`);
    // Last in, first out: the most recently used environment serves, and the others age towards their reclaim.
    const environment = this.idle.pop();
    if (environment) {
      this.leaveIdle(environment);
      this.options.budget?.woke(this.counted.get(environment) ?? noop);
      this.busy.add(environment);
      return environment;
    }
    if (this.busy.size + this.starting < this.options.max) return this.fresh();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The invocation is over: the environment serves a waiter, or waits idle for the next one. */
  release(environment: E): void {
    if (environment.generation !== this.generation || this.closed) {
      this.discard(environment);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter(environment);
      return;
    }
    this.busy.delete(environment);
    this.idle.push(environment);
    const { idleMs, budget } = this.options;
    if (budget?.exceeded) {
      this.reclaim(environment);
      return;
    }
    budget?.idled(this.counted.get(environment) ?? noop);
    if (idleMs) {
      this.idleSince.set(environment, performance.now());
      this.sweep ??= setTimeout(() => this.reclaimIdle(), idleMs).unref();
    }
  }

  /** Ends the environments idle for `idleMs`, as Lambda reclaims idle execution environments, then waits for the next. */
  private reclaimIdle(): void {
    this.sweep = undefined;
    const idleMs = this.options.idleMs ?? 0;
    const now = performance.now();
    for (const environment of [...this.idle]) {
      const since = this.idleSince.get(environment) ?? now;
      if (now - since >= idleMs) this.reclaim(environment);
    }
    const oldest = this.idle[0];
    if (oldest === undefined) return;
    const due = (this.idleSince.get(oldest) ?? now) + idleMs - now;
    this.sweep = setTimeout(() => this.reclaimIdle(), Math.max(1, due)).unref();
  }

  /** Ends an idle environment (its idle time is up, or the budget needs its room). */
  private reclaim(environment: E): void {
    this.leaveIdle(environment);
    if (!this.idle.includes(environment)) return;
    this.idle = this.idle.filter((other) => other !== environment);
    this.uncount(environment);
    void this.options.stop(environment);
  }

  /** The environment no longer counts in the budget (it ended, or is ending). */
  private uncount(environment: E): void {
    const reclaimer = this.counted.get(environment);
    if (!reclaimer) return;
    this.counted.delete(environment);
    this.options.budget?.woke(reclaimer);
    this.options.budget?.ended();
  }

  private leaveIdle(environment: E): void {
    this.idleSince.delete(environment);
  }

  /** Ends the environment; a waiter blocked on the concurrency limit gets a fresh one in the freed slot. */
  discard(environment: E): void {
    this.forget(environment);
    void this.options.stop(environment);
    const waiter = this.waiters.shift();
    if (waiter && !this.closed) void this.fresh().then(waiter);
  }

  /** The environment ended on its own (its thread or process exited): it no longer takes a slot. */
  forget(environment: E): void {
    this.leaveIdle(environment);
    this.uncount(environment);
    this.busy.delete(environment);
    this.idle = this.idle.filter((other) => other !== environment);
  }

  /** New code: environments started from now on load it; the idle ones end now, the busy ones when released. */
  renew(): void {
    this.generation += 1;
    for (const environment of this.idle.splice(0)) {
      this.leaveIdle(environment);
      this.uncount(environment);
      void this.options.stop(environment);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.sweep);
    const all = [...this.idle, ...this.busy];
    for (const environment of this.idle) this.leaveIdle(environment);
    for (const environment of all) this.uncount(environment);
    this.idle = [];
    this.busy.clear();
    await Promise.all(all.map((environment) => this.options.stop(environment)));
  }

  private async fresh(): Promise<E> {
    this.starting += 1;
    const { budget } = this.options;
    budget?.makeRoom();
    budget?.started();
    try {
      const environment = await this.options.start(this.generation);
      this.busy.add(environment);
      if (budget) this.counted.set(environment, () => this.reclaim(environment));
      return environment;
    } catch (error) {
      budget?.ended();
      throw error;
    } finally {
      this.starting -= 1;
    }
  }
}
