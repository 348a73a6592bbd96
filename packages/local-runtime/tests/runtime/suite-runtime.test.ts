import { call, runtimeForSuite, type SuiteHook } from '../../src/testing/index.ts';
import { fixtureTemplate } from '../fixture-runtime.ts';

/** runtimeForSuite, driven through hooks the test holds: when it starts, what it starts with, that it stops. */
const heldHooks = () => {
  const held: { before?: () => Promise<unknown>; after?: () => Promise<unknown>; timeoutMs?: number } = {};
  const beforeAll: SuiteHook = (run, timeoutMs) => {
    held.before = run;
    held.timeoutMs = timeoutMs;
  };
  const afterAll: SuiteHook = (run) => {
    held.after = run;
  };
  return { held, hooks: { beforeAll, afterAll } };
};

it('names the mistake when the runtime is read before its suite has started it', () => {
  const { hooks } = heldHooks();
  const runtime = runtimeForSuite(['--template', fixtureTemplate('vtl-document')], { hooks });
  expect(() => runtime.info).toThrow(/the runtime is not running/);
});

it('reads its arguments when the suite starts, serves through the runtime it returned, and stops it after', async () => {
  const { held, hooks } = heldHooks();
  let argsRead = 0;
  const runtime = runtimeForSuite(
    () => {
      argsRead += 1;
      return ['--template', fixtureTemplate('vtl-document')];
    },
    { hooks, startTimeoutMs: 60_000 },
  );
  expect({ argsRead, timeoutMs: held.timeoutMs }).toEqual({ argsRead: 0, timeoutMs: 60_000 });
  try {
    await held.before?.();
    expect(argsRead).toBe(1);
    const answer = await call(`${runtime.info.restUrl}/_local/runtime`);
    expect(answer.status).toBe(200);
    expect(runtime.exited()).toBe(false);
  } finally {
    await held.after?.();
  }
  expect(runtime.exited()).toBe(true);
}, 120_000);
