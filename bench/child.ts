import { type ChildProcess, spawn } from 'node:child_process';

export interface Child {
  child: ChildProcess;
  /** The `ready` pattern's match in the child's output. */
  match: RegExpExecArray;
  /** The first 200 kB of the child's output (the runtime logs every request; the start is what matters). */
  output: () => string;
}

/**
 * Starts `node <args>` (with `env` added to this process's environment, in `cwd`) and resolves once its output
 * matches `ready` (two minutes at most: bundling comes first).
 */
export const startChild = (
  args: string[],
  ready: RegExp,
  env: Record<string, string> = {},
  cwd: string = process.cwd(),
): Promise<Child> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    let output = '';
    let started = false;
    const timer = setTimeout(() => {
      // Not left running behind the bench that gave up on it.
      child.kill('SIGTERM');
      reject(new Error(`not ready:\n${output}`));
    }, 120_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (output.length < 200_000) output += chunk.toString();
      const match = started ? null : ready.exec(output);
      if (match) {
        started = true;
        clearTimeout(timer);
        resolve({ child, match, output: () => output });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });

/** `npm start` on free ports, without watch mode, bundling into `buildDir`, plus the bench's own options. */
export const startRuntimeChild = (options: string[], buildDir: string, ready: RegExp): Promise<Child> =>
  startChild(
    [
      // BENCH_CPU_PROF=<dir>: the runtime writes a CPU profile of each of its threads there when it stops (Node refuses
      // --cpu-prof in NODE_OPTIONS).
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      // The workspace's sources, as npm start runs them (a --routes module imports sam-local-runtime).
      '--conditions=sam-local-runtime-source',
      'packages/local-runtime/bin/sam-local-runtime.js',
      'start',
      '--port',
      '0',
      '--ws-port',
      '0',
      '--no-watch',
      '--build-dir',
      buildDir,
      ...options,
    ],
    ready,
  );
