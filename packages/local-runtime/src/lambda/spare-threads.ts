import { Worker } from 'node:worker_threads';
import type { ThreadData } from './protocol.ts';
import { workerEntry } from './worker-entry.ts';

/** How a thread is started: its data and its heap limit (the function's MemorySize), which cannot change later. */
export interface ThreadShape {
  data: ThreadData;
  maxOldGenerationSizeMb: number;
}

interface Spare {
  worker: Worker;
  reclaim?: NodeJS.Timeout;
}

const keyOf = (shape: ThreadShape): string => `${shape.maxOldGenerationSizeMb}\n${JSON.stringify(shape.data)}`;

/** A thread of the shape, started now: it loads what every environment loads, then waits for its function. */
const startThread = async (shape: ThreadShape): Promise<Worker> => {
  const worker = new Worker(await workerEntry(), {
    workerData: shape.data,
    // Nothing of the runtime's own environment: the function's arrives with its assignment and is the only one.
    env: {},
    resourceLimits: { maxOldGenerationSizeMb: shape.maxOldGenerationSizeMb },
    stdout: true,
    stderr: true,
  });
  worker.unref();
  return worker;
};

/**
 * Threads started ahead of the cold starts that need them. Starting a worker thread is most of a cold start's cost
 * (a Node.js instance and the environment's own bootstrap: about 25 ms of CPU before the function's code loads); a
 * cold start that finds a spare of its shape pays only for its function's init, and a new spare starts behind it
 * for the next one. A spare shares nothing with the environment it becomes but that bootstrap: no function code has
 * run in it and its `process.env` is empty until assigned. One spare a shape at most, started on the first cold start
 * of that shape; a spare no cold start takes within `idleMs` ends, as idle environments do.
 */
export class SpareThreads {
  private readonly spares = new Map<string, Spare>();
  /** Shapes whose spare is starting: a burst of cold starts starts one, not one each. */
  private readonly starting = new Set<string>();
  private readonly idleMs: number;
  private closed = false;

  /** `idleMs`: how long an untaken spare is kept (0: for the life of the runtime). */
  constructor(idleMs: number) {
    this.idleMs = idleMs;
  }

  /** A thread of this shape for a new environment: the spare when there is one, else a new thread. */
  async take(shape: ThreadShape): Promise<Worker> {
    const key = keyOf(shape);
    const spare = this.spares.get(key);
    this.spares.delete(key);
    if (spare) {
      clearTimeout(spare.reclaim);
      spare.worker.removeAllListeners('exit');
      spare.worker.removeAllListeners('error');
    }
    const worker = spare?.worker ?? (await startThread(shape));
    // The next one starts once this turn is over, so the caller's assignment is posted first.
    setImmediate(() => void this.replenish(key, shape));
    return worker;
  }

  /** Starts a spare of this shape now (none if one is waiting): the first cold start need not start a thread. */
  prepare(shape: ThreadShape): void {
    void this.replenish(keyOf(shape), shape);
  }

  /** Starts a spare of the shape most of `shapes` have (none for none). */
  prepareForMost(shapes: ThreadShape[]): void {
    const counts = new Map<string, { shape: ThreadShape; count: number }>();
    for (const shape of shapes) {
      const key = keyOf(shape);
      const entry = counts.get(key) ?? { shape, count: 0 };
      entry.count += 1;
      counts.set(key, entry);
    }
    const most = [...counts.values()].sort((a, b) => b.count - a.count)[0];
    if (most) this.prepare(most.shape);
  }

  /** Spares waiting (for tests and the runtime page). */
  get size(): number {
    return this.spares.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    const spares = [...this.spares.values()];
    this.spares.clear();
    await Promise.all(
      spares.map((spare) => {
        clearTimeout(spare.reclaim);
        return spare.worker.terminate();
      }),
    );
  }

  private async replenish(key: string, shape: ThreadShape): Promise<void> {
    if (this.closed || this.spares.has(key) || this.starting.has(key)) return;
    this.starting.add(key);
    const spare: Spare = { worker: await startThread(shape).finally(() => this.starting.delete(key)) };
    if (this.closed || this.spares.has(key)) {
      void spare.worker.terminate();
      return;
    }
    this.spares.set(key, spare);
    // A spare that fails or ends on its own is no longer one.
    spare.worker.once('exit', () => {
      if (this.spares.get(key) === spare) this.spares.delete(key);
    });
    spare.worker.on('error', () => {});
    if (this.idleMs) {
      spare.reclaim = setTimeout(() => {
        if (this.spares.get(key) !== spare) return;
        this.spares.delete(key);
        void spare.worker.terminate();
      }, this.idleMs).unref();
    }
  }
}
