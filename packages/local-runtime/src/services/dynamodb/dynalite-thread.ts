import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ServiceAuth } from '../shared/request-auth.ts';
import type { ItemChange } from './stream-records.ts';
import { type DynamoDbAnswer, dynamoDbAnswer, type TtlOperation } from './ttl-api.ts';

/** What the worker is started with (dynalite-worker.ts). */
export interface WorkerSettings {
  /** The LevelDB directory. */
  path: string;
  host: string;
  /** 0 for any free port at the first start; the same port at each restart. */
  port: number;
  /** Who may call the endpoint: each request's SigV4 signature is checked in the worker, before dynalite sees it. */
  auth: ServiceAuth;
  /** Whether the test-only faults are answered (see dynalite-worker.ts). */
  faults: boolean;
  /** The tables whose writes are captured for their stream (stream-capture.ts). */
  streamedTables: string[];
  /** The value of TTL_DELETION_HEADER that marks the TTL sweeper's deletions. */
  ttlToken: string;
}

export interface TtlCall {
  operation: TtlOperation;
  body: Uint8Array;
  contentType: string | undefined;
}

export type FromWorker =
  | { type: 'listening'; port: number }
  | ({ type: 'ttl'; id: number } & TtlCall)
  | { type: 'stream'; change: ItemChange };
export type ToWorker = { type: 'ttl-answer'; id: number; answer: DynamoDbAnswer } | { type: 'close' };

export interface DynaliteThread {
  url: string;
  close(): Promise<void>;
}

// dynalite-worker.ts beside this file in the sources, dynalite-worker.js in the built package (dist/).
const WORKER = new URL(`./dynalite-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
const RESTART_ATTEMPTS = 5;

const describe = (failure: unknown) => (failure instanceof Error ? failure.message : String(failure));

/**
 * dynalite in a worker thread that is restarted when it dies, on the same port and with the same data, so that a
 * fault of the DynamoDB emulation costs the requests in flight on it, never the runtime (see dynalite-worker.ts).
 * Its LevelDB lives in `persistDir` when given, otherwise in a temporary directory removed at close: a restarted
 * worker reopens it. A worker that dies before it listens fails the start; one that cannot be restarted after
 * RESTART_ATTEMPTS tries is logged and left down (its callers then get connection errors).
 */
export const startDynaliteThread = async (options: {
  host: string;
  port: number;
  auth: ServiceAuth;
  persistDir?: string;
  log: (line: string) => void;
  answerTtl: (call: TtlCall) => Promise<DynamoDbAnswer>;
  faults?: boolean;
  streamedTables?: string[];
  ttlToken?: string;
  onStreamChange?: (change: ItemChange) => void;
}): Promise<DynaliteThread> => {
  const temporary = options.persistDir === undefined;
  const path = options.persistDir ?? (await mkdtemp(join(tmpdir(), 'sam-local-runtime-dynamodb-')));
  let closing = false;
  let current: Worker | undefined;
  let restarting: Promise<void> | undefined;

  const spawn = (port: number) =>
    new Promise<{ worker: Worker; port: number }>((resolve, reject) => {
      const settings: WorkerSettings = {
        path,
        host: options.host,
        port,
        auth: options.auth,
        faults: options.faults ?? false,
        streamedTables: options.streamedTables ?? [],
        ttlToken: options.ttlToken ?? '',
      };
      const worker = new Worker(WORKER, { workerData: settings });
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'listening') {
          resolve({ worker, port: message.port });
          return;
        }
        if (message.type === 'stream') {
          options.onStreamChange?.(message.change);
          return;
        }
        const { id, ...call } = message;
        options.answerTtl(call).then(
          (answer) => worker.postMessage({ type: 'ttl-answer', id, answer } satisfies ToWorker),
          (error: unknown) => {
            options.log(`[dynamodb] ${call.operation} failed: ${describe(error)}`);
            const answer = dynamoDbAnswer(
              500,
              { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'The local DynamoDB failed' },
              call.contentType,
            );
            worker.postMessage({ type: 'ttl-answer', id, answer } satisfies ToWorker);
          },
        );
      });
      // Settling an already resolved promise does nothing: these only matter before the worker listens.
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the DynamoDB worker exited with code ${code} before listening`)));
    });

  const { worker: first, port } = await spawn(options.port).catch((error: unknown) => {
    if (temporary) void rm(path, { recursive: true, force: true });
    throw new Error(
      `the local DynamoDB could not start${options.persistDir ? ` on ${options.persistDir} (is another runtime using it?)` : ''}: ${describe(error)}`,
      { cause: error },
    );
  });

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
        options.log(
          `[dynamodb] the DynamoDB emulation stopped (${describe(failure)}) and was restarted on port ${port}; its data is kept`,
        );
        return;
      } catch (error) {
        lastError = error;
        // The dead worker's port and LevelDB lock are released as its thread ends; a moment later they are free.
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
    if (!closing) {
      options.log(
        `[dynamodb] the DynamoDB emulation stopped (${describe(failure)}) and could not be restarted: ${describe(lastError)}`,
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
    url: `http://${options.host}:${port}`,
    close: async () => {
      closing = true;
      await restarting;
      const worker = current;
      current = undefined;
      if (worker) {
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.postMessage({ type: 'close' } satisfies ToWorker);
        // dynalite finishes its pending writes and closes LevelDB; a worker that does not end soon is stopped.
        const timer = setTimeout(() => void worker.terminate(), 5000);
        await exited;
        clearTimeout(timer);
      }
      if (temporary) await rm(path, { recursive: true, force: true });
    },
  };
};
