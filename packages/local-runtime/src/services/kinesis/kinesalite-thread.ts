import { moduleBeside } from '../../shared/module-beside.ts';
import type { ServiceAuth } from '../shared/request-auth.ts';
import { describeFailure, superviseWorker } from '../shared/supervised-worker.ts';

/** What the worker is started with (kinesalite-worker.ts). */
export interface KinesisWorkerSettings {
  host: string;
  /** 0 for any free port at the first start; the same port at each restart. */
  port: number;
  /** Who may call the endpoint: each request's SigV4 signature is checked in the worker, before kinesalite. */
  auth: ServiceAuth;
  /** Whether the test-only faults are answered (see kinesalite-worker.ts). */
  faults: boolean;
}

/** What the worker posts after a put: the stream written to. */
export type RecordsPut = { type: 'records'; stream: string };

export interface KinesaliteThread {
  url: string;
  close(): Promise<void>;
}

// kinesalite-worker.ts beside this file in the sources, kinesalite-worker.js in the built package (dist/).
const WORKER = moduleBeside(import.meta.url, 'kinesalite-worker');

/**
 * kinesalite in a worker thread, started again on the same port when it dies (shared/supervised-worker.ts), so that
 * a fault of the Kinesis emulation costs the requests in flight on it, never the runtime. Its streams live in the
 * thread's memory: a restarted worker starts empty, and `restarted` puts the template's streams back (the records
 * put before are lost, which the log says).
 */
export const startKinesaliteThread = async (options: {
  host: string;
  port: number;
  auth: ServiceAuth;
  log: (line: string) => void;
  restarted: () => Promise<void>;
  /** A PutRecord or PutRecords wrote to `stream`. */
  recordsPut: (stream: string) => void;
  faults?: boolean;
}): Promise<KinesaliteThread> => {
  const supervised = await superviseWorker({
    script: WORKER,
    workerData: (port): KinesisWorkerSettings => ({
      host: options.host,
      port,
      auth: options.auth,
      faults: options.faults ?? false,
    }),
    port: options.port,
    what: '[kinesis] the Kinesis emulation',
    restartNote: ": the template's streams are back, empty",
    log: options.log,
    restarted: options.restarted,
    onMessage: (_worker, message) => {
      const put = message as Partial<RecordsPut> | null;
      if (put?.type === 'records' && typeof put.stream === 'string') options.recordsPut(put.stream);
    },
  }).catch((error: unknown) => {
    throw new Error(`the local Kinesis could not start: ${describeFailure(error)}`, { cause: error });
  });
  return {
    url: `http://${options.host}:${supervised.port}`,
    // Nothing to flush: the streams are in memory.
    close: () => supervised.close(),
  };
};
