import { type RunningRuntime, type StartRuntimeOptions, startRuntime } from './harness.ts';

/** A test runner's suite hook, called as jest's and vitest's `beforeAll`/`afterAll` are: `(fn, timeoutMs)`. */
export type SuiteHook = (run: () => Promise<unknown>, timeoutMs?: number) => void;

export interface SuiteRuntimeOptions extends StartRuntimeOptions {
  /** How long the runtime may take to start (default 120 s: a cold build on a loaded machine). */
  startTimeoutMs?: number;
  /** The runner's hooks, where they are not the globals `beforeAll` and `afterAll`. */
  hooks?: { beforeAll: SuiteHook; afterAll: SuiteHook };
}

const globalHooks = (): { beforeAll: SuiteHook; afterAll: SuiteHook } => {
  const { beforeAll, afterAll } = globalThis as { beforeAll?: SuiteHook; afterAll?: SuiteHook };
  if (!beforeAll || !afterAll) throw new Error('runtimeForSuite: no global beforeAll/afterAll; pass options.hooks');
  return { beforeAll, afterAll };
};

/**
 * Starts the runtime before the enclosing suite (the file, or the `describe` it is called in) and stops it after, and
 * answers the running runtime at once: its members read the one started, so a suite declares it where it declares
 * its tests. `args` may be a function, called when the suite starts, for arguments another hook sets up first (a
 * back end's URL). Hooks run in the order they are declared: a `beforeAll` declared after this call sees it started.
 */
export const runtimeForSuite = (
  args: string[] | (() => string[]),
  options: SuiteRuntimeOptions = {},
): RunningRuntime => {
  const { startTimeoutMs = 120_000, hooks = globalHooks(), ...startOptions } = options;
  let started: RunningRuntime | undefined;
  const running = (): RunningRuntime => {
    if (!started) throw new Error('the runtime is not running: use it inside a test or a hook declared after it');
    return started;
  };
  hooks.beforeAll(async () => {
    started = await startRuntime(typeof args === 'function' ? args() : args, startOptions);
  }, startTimeoutMs);
  hooks.afterAll(async () => {
    await started?.stop();
  });
  return {
    get info() {
      return running().info;
    },
    get base() {
      return running().base;
    },
    get pid() {
      return running().pid;
    },
    output: () => running().output(),
    exited: () => running().exited(),
    waitForOutput: (pattern, timeoutMs) => running().waitForOutput(pattern, timeoutMs),
    keyOf: (logicalId) => running().keyOf(logicalId),
    serviceUrl: (name) => running().serviceUrl(name),
    clientConfig: (name) => running().clientConfig(name),
    tableName: () => running().tableName(),
    tableItems: () => running().tableItems(),
    token: (body) => running().token(body),
    stop: () => running().stop(),
  };
};
