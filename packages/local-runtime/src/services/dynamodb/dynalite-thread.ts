import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { moduleBeside } from '../../shared/module-beside.ts';
import type { ServiceAuth } from '../shared/request-auth.ts';
import { describeFailure, superviseWorker } from '../shared/supervised-worker.ts';
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
const WORKER = moduleBeside(import.meta.url, 'dynalite-worker');

/**
 * dynalite in a worker thread that is restarted when it dies, on the same port and with the same data, so that a
 * fault of the DynamoDB emulation costs the requests in flight on it, never the runtime (see dynalite-worker.ts).
 * Its LevelDB lives in `persistDir` when given, otherwise in a temporary directory removed at close: a restarted
 * worker reopens it (shared/supervised-worker.ts restarts it).
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
  const fromWorker = (worker: Worker, received: unknown) => {
    const message = received as Exclude<FromWorker, { type: 'listening' }>;
    if (message.type === 'stream') {
      options.onStreamChange?.(message.change);
      return;
    }
    const { id, ...call } = message;
    options.answerTtl(call).then(
      (answer) => worker.postMessage({ type: 'ttl-answer', id, answer } satisfies ToWorker),
      (error: unknown) => {
        options.log(`[dynamodb] ${call.operation} failed: ${describeFailure(error)}`);
        const answer = dynamoDbAnswer(
          500,
          { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'The local DynamoDB failed' },
          call.contentType,
        );
        worker.postMessage({ type: 'ttl-answer', id, answer } satisfies ToWorker);
      },
    );
  };
  const supervised = await superviseWorker({
    script: WORKER,
    workerData: (port): WorkerSettings => ({
      path,
      host: options.host,
      port,
      auth: options.auth,
      faults: options.faults ?? false,
      streamedTables: options.streamedTables ?? [],
      ttlToken: options.ttlToken ?? '',
    }),
    port: options.port,
    what: '[dynamodb] the DynamoDB emulation',
    restartNote: '; its data is kept',
    log: options.log,
    onMessage: fromWorker,
  }).catch((error: unknown) => {
    if (temporary) void rm(path, { recursive: true, force: true });
    throw new Error(
      `the local DynamoDB could not start${options.persistDir ? ` on ${options.persistDir} (is another runtime using it?)` : ''}: ${describeFailure(error)}`,
      { cause: error },
    );
  });

  return {
    url: `http://${options.host}:${supervised.port}`,
    close: async () => {
      await supervised.close(async (worker) => {
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.postMessage({ type: 'close' } satisfies ToWorker);
        // dynalite finishes its pending writes and closes LevelDB; a worker that does not end soon is stopped.
        const timer = setTimeout(() => void worker.terminate(), 5000);
        await exited;
        clearTimeout(timer);
      });
      if (temporary) await rm(path, { recursive: true, force: true });
    },
  };
};
