import { EnvironmentBudget } from '../../src/lambda/environment-budget.ts';
import { EnvironmentSlots } from '../../src/lambda/environment-slots.ts';
import { eventually } from '../../src/testing/index.ts';

interface Fake {
  generation: number;
  invocations: number;
  name: string;
}

/** Slots of fake environments: what started and what ended, in order. */
const slotsOf = (options: { idleMs?: number; budget?: EnvironmentBudget; max?: number } = {}) => {
  const started: string[] = [];
  const stopped: string[] = [];
  let next = 0;
  const slots = new EnvironmentSlots<Fake>({
    max: options.max ?? 10,
    name: 'Fn',
    ...(options.idleMs ? { idleMs: options.idleMs } : {}),
    ...(options.budget ? { budget: options.budget } : {}),
    start: (generation) => {
      const name = `e${++next}`;
      started.push(name);
      return { generation, invocations: 0, name };
    },
    stop: (environment) => stopped.push(environment.name),
  });
  return { slots, started, stopped };
};

describe('EnvironmentSlots', () => {
  it('ends each environment once it has been idle for idleMs, the one idle longest first; a busy one is kept', async () => {
    const { slots, stopped } = slotsOf({ idleMs: 150 });
    const first = await slots.acquire();
    const second = await slots.acquire();
    const third = await slots.acquire();
    slots.release(first);
    await new Promise((wait) => setTimeout(wait, 80));
    slots.release(second);
    expect(await eventually(() => stopped.length >= 1, 2000)).toBe(true);
    expect(stopped[0]).toBe('e1');
    expect(await eventually(() => stopped.length === 2, 2000)).toBe(true);
    expect(stopped).toEqual(['e1', 'e2']);
    // The busy one stays, and serves again once released.
    expect(slots.size).toBe(1);
    slots.release(third);
    expect((await slots.acquire()).name).toBe('e3');
    await slots.close();
  });

  it('an environment used again starts its idle time anew', async () => {
    const { slots, stopped } = slotsOf({ idleMs: 200 });
    const environment = await slots.acquire();
    slots.release(environment);
    for (let turn = 0; turn < 4; turn++) {
      await new Promise((wait) => setTimeout(wait, 100));
      slots.release(await slots.acquire());
    }
    // 400 ms in all, never 200 ms idle at once.
    expect(stopped).toEqual([]);
    expect(await eventually(() => stopped.length === 1, 2000)).toBe(true);
    await slots.close();
  });

  it("with a budget shared by two functions' slots, a new environment ends the other function's idle one", async () => {
    const budget = new EnvironmentBudget(1);
    const a = slotsOf({ budget });
    const b = slotsOf({ budget });
    a.slots.release(await a.slots.acquire());
    const fromB = await b.slots.acquire();
    expect(a.stopped).toEqual(['e1']);
    expect(budget.size).toBe(1);
    // Above the ceiling while both are busy; the first to come back idle ends instead.
    const fromA = await a.slots.acquire();
    expect(budget.size).toBe(2);
    a.slots.release(fromA);
    expect(a.stopped).toEqual(['e1', 'e2']);
    b.slots.release(fromB);
    expect(b.stopped).toEqual([]);
    expect(budget.size).toBe(1);
    await Promise.all([a.slots.close(), b.slots.close()]);
    expect(budget.size).toBe(0);
  });
});
