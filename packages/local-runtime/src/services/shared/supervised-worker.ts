import { Worker } from 'node:worker_threads';

/** What a supervised worker posts once its port listens (its other messages go to `onMessage`). */
export type ListeningMessage = { type: 'listening'; port: number };

export interface SupervisedWorker {
  /** The port it listens on, the same after each restart. */
  port: number;
  /** Stops it for good: `stop` ends the current worker (by default it is terminated). */
  close(stop?: (worker: Worker) => Promise<void>): Promise<void>;
}

const RESTART_ATTEMPTS = 5;

export const describeFailure = (failure: unknown): string =>
  failure instanceof Error ? failure.message : String(failure);

/**
 * A service emulation (dynalite, kinesalite) in a worker thread that is started again on the same port when it dies,
 * so that a fault inside it costs the requests in flight on it, never the runtime. A worker that dies before it
 * listens fails the start (rejects); one that cannot be restarted after RESTART_ATTEMPTS tries is logged and left
 * down (its callers then get connection errors). `restarted` runs after each restart, before it is logged as
 * `<what> stopped (<why>) and was restarted on port <port><note>`.
 */
export const superviseWorker = async (options: {
  script: URL;
  workerData: (port: number) => unknown;
  /** 0 for any free port at the first start. */
  port: number;
  /** `[dynamodb] the DynamoDB emulation`: how the log names it. */
  what: string;
  /** Said after a restart (`; its data is kept`). */
  restartNote: string;
  log: (line: string) => void;
  onMessage?: (worker: Worker, message: unknown) => void;
  restarted?: () => Promise<void>;
}): Promise<SupervisedWorker> => {
  let closing = false;
  let current: Worker | undefined;
  let restarting: Promise<void> | undefined;

  const spawn = (port: number) =>
    new Promise<{ worker: Worker; port: number }>((resolve, reject) => {
      const worker = new Worker(options.script, { workerData: options.workerData(port) });
      worker.on('message', (message: unknown) => {
        const listening = message as Partial<ListeningMessage> | null;
        if (listening?.type === 'listening' && typeof listening.port === 'number') {
          resolve({ worker, port: listening.port });
        } else options.onMessage?.(worker, message);
      });
      // Settling an already resolved promise does nothing: these only matter before the worker listens.
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the worker exited with code ${code} before listening`)));
    });

  const { worker: first, port } = await spawn(options.port);

  const restart = async (failure: unknown) => {
    let lastError: unknown;
    for (let attempt = 1; attempt <= RESTART_ATTEMPTS && !closing; attempt += 1) {
      try {
        const { worker } = await spawn(port);
        if (closing) {
          await worker.terminate();
          return;
        }
        watch(worker);
        await options.restarted?.();
        options.log(
          `${options.what} stopped (${describeFailure(failure)}) and was restarted on port ${port}${options.restartNote}`,
        );
        return;
      } catch (error) {
        lastError = error;
        // The dead worker's port (and any lock it held) is released as its thread ends; a moment later it is free.
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
    if (!closing) {
      options.log(
        `${options.what} stopped (${describeFailure(failure)}) and could not be restarted: ${describeFailure(lastError)}`,
      );
    }
  };

  const watch = (worker: Worker) => {
    current = worker;
    let failure: unknown;
    worker.on('error', (error) => {
      failure = error;
    });
    worker.once('exit', (code) => {
      if (closing || current !== worker) return;
      current = undefined;
      restarting = restart(failure ?? `exit code ${code}`).finally(() => {
        restarting = undefined;
      });
    });
  };
  watch(first);

  return {
    port,
    close: async (stop = async (worker) => void (await worker.terminate())) => {
      closing = true;
      await restarting;
      const worker = current;
      current = undefined;
      if (worker) await stop(worker);
    },
  };
};
