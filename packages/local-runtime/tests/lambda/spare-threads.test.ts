import { Worker } from 'node:worker_threads';
import { EnvironmentBudget } from '../../src/lambda/environment-budget.ts';
import { SpareThreads, type ThreadShape } from '../../src/lambda/spare-threads.ts';
import { eventually } from '../../src/testing/index.ts';

const SDK = new URL('../../package.json', import.meta.url).href;
const shape = (maxOldGenerationSizeMb: number): ThreadShape => ({
  data: { sdkFallback: SDK, localHosts: {} },
  maxOldGenerationSizeMb,
});

/** The id of a thread started (and ended) now. */
const probeThreadId = async (): Promise<number> => {
  const probe = new Worker('', { eval: true });
  const id = probe.threadId;
  await probe.terminate();
  return id;
};

describe('SpareThreads', () => {
  let threads: SpareThreads;
  afterEach(() => threads?.close());

  it('hands a cold start the thread started ahead of it, and starts the next spare behind it', async () => {
    threads = new SpareThreads(0);
    threads.prepare(shape(128));
    expect(await eventually(() => threads.size === 1, 5000)).toBe(true);
    // Thread ids count up: a thread started before this probe is the spare, one started after it is new.
    const probe = await probeThreadId();
    const taken = await threads.take(shape(128));
    expect(taken.threadId).toBeLessThan(probe);
    expect(threads.size).toBe(0);
    expect(await eventually(() => threads.size === 1, 5000)).toBe(true);
    const nextProbe = await probeThreadId();
    const next = await threads.take(shape(128));
    expect(next.threadId).toBeGreaterThan(probe);
    expect(next.threadId).toBeLessThan(nextProbe);
    await Promise.all([taken.terminate(), next.terminate()]);
  });

  it('keeps spares apart by shape: a function of another MemorySize gets a thread of its own heap limit', async () => {
    threads = new SpareThreads(0);
    threads.prepare(shape(128));
    expect(await eventually(() => threads.size === 1, 5000)).toBe(true);
    const probe = await probeThreadId();
    const other = await threads.take(shape(1024));
    expect(other.threadId).toBeGreaterThan(probe);
    // The 128 MB spare is still there, and one of 1024 MB starts behind the take.
    expect(await eventually(() => threads.size === 2, 5000)).toBe(true);
    await other.terminate();
  });

  it('starts ahead the spare of the shape most functions share', async () => {
    threads = new SpareThreads(0);
    threads.prepareForMost([shape(128), shape(1024), shape(1024)]);
    expect(await eventually(() => threads.size === 1, 5000)).toBe(true);
    const probe = await probeThreadId();
    const most = await threads.take(shape(1024));
    expect(most.threadId).toBeLessThan(probe);
    await most.terminate();
  });

  it('ends a spare no cold start took within the idle time', async () => {
    threads = new SpareThreads(200);
    threads.prepare(shape(128));
    expect(await eventually(() => threads.size === 1, 5000)).toBe(true);
    expect(await eventually(() => threads.size === 0, 5000)).toBe(true);
  });

  it('starts no spare once closed', async () => {
    threads = new SpareThreads(0);
    await threads.close();
    threads.prepare(shape(128));
    await new Promise((wait) => setTimeout(wait, 300));
    expect(threads.size).toBe(0);
  });
});

describe('EnvironmentBudget', () => {
  it('ends the longest-idle environments until there is room, and never a busy one', () => {
    const budget = new EnvironmentBudget(2);
    const ended: string[] = [];
    const reclaimer = (name: string) => {
      const reclaim = () => {
        ended.push(name);
        budget.ended();
      };
      return reclaim;
    };
    const a = reclaimer('a');
    const b = reclaimer('b');
    budget.started();
    budget.started();
    budget.idled(a);
    budget.idled(b);
    budget.makeRoom();
    expect(ended).toEqual(['a']);
    budget.started();
    // b woke (busy again): nothing idle is left to end, and the next one starts above the ceiling.
    budget.woke(b);
    budget.makeRoom();
    expect(ended).toEqual(['a']);
    budget.started();
    expect(budget.size).toBe(3);
    expect(budget.exceeded).toBe(true);
  });
});
