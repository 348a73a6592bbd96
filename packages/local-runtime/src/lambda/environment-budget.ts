/**
 * The runtime's ceiling on execution environments alive at once, across all its functions. Locally every
 * environment is a thread or a process of this machine (about 11 MB for a Node.js worker thread before the
 * function's own code), so a template of hundreds of functions would otherwise keep hundreds alive until their idle
 * timeout. At the ceiling, a new environment first ends the environment that has been idle longest, of whichever
 * function: Lambda, too, may reclaim an idle environment at any time, and the function's next invocation is a cold
 * start. Busy environments are never ended for it: when every environment is busy, a new one starts above the
 * ceiling, and the first to come back idle ends instead.
 */
export class EnvironmentBudget {
  readonly max: number;
  private live = 0;
  /** Idle environments' reclaimers, longest idle first (a Set keeps insertion order). */
  private readonly idle = new Set<() => void>();

  /** `max`: environments alive at once (Infinity: no ceiling). */
  constructor(max: number) {
    this.max = max;
  }

  /** Environments alive (busy, idle or starting). */
  get size(): number {
    return this.live;
  }

  /** Before an environment starts: ends the longest-idle ones until there is room, if any are idle. */
  makeRoom(): void {
    for (const reclaim of this.idle) {
      if (this.live < this.max) return;
      this.idle.delete(reclaim);
      reclaim();
    }
  }

  started(): void {
    this.live += 1;
  }

  ended(): void {
    this.live -= 1;
  }

  /** Above the ceiling: an environment coming back idle ends instead. */
  get exceeded(): boolean {
    return this.live > this.max;
  }

  /** The environment is idle from now on; `reclaim` ends it (and calls ended()). */
  idled(reclaim: () => void): void {
    this.idle.add(reclaim);
  }

  /** The environment serves again (or ended): it is no longer a candidate. */
  woke(reclaim: () => void): void {
    this.idle.delete(reclaim);
  }
}
