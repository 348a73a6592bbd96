import type { LocalEndpoint } from '../../gateway/integrations/aws-service.ts';
import { abortableWait } from '../../shared/abortable-wait.ts';
import { callJsonService } from '../shared/json-caller.ts';
import type { LocalService } from '../shared/local-service.ts';
import type { ServiceAuth } from '../shared/request-auth.ts';
import type { Json } from '../stepfunctions/task-services.ts';
import { startKinesaliteThread } from './kinesalite-thread.ts';
import type { StreamSeed } from './streams.ts';

export interface KinesisService extends LocalService {
  /** The template's streams: ARN → name. */
  streamNames: ReadonlyMap<string, string>;
  /** Calls the local Kinesis as its SDK does (the event source pollers' GetRecords). */
  call(action: string, input: Record<string, Json>): Promise<Record<string, Json>>;
  /** The template's streams: deleted with any created since, then created again empty. */
  reset(): Promise<void>;
  /** How many puts (PutRecord, PutRecords) have written to `stream` since the start. */
  putsTo(stream: string): number;
  /** Resolves once `stream` has had more than `since` puts, after `ms`, or when `signal` aborts. */
  nextPut(stream: string, since: number, ms: number, signal: AbortSignal): Promise<void>;
  /** `listener` runs each time the streams are made anew (a reset, a restart of the emulation). */
  onRecreated(listener: () => void): void;
  /** Each stream with its shards. */
  streams(): Promise<{ name: string; shards: string[] }[]>;
}

const untilActive = async (call: KinesisService['call'], name: string) => {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const { StreamDescriptionSummary } = await call('DescribeStreamSummary', { StreamName: name });
    if (isActive(StreamDescriptionSummary)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`stream ${name} did not become ACTIVE`);
};

const isActive = (summary: Json | undefined) =>
  typeof summary === 'object' && summary !== null && !Array.isArray(summary) && summary.StreamStatus === 'ACTIVE';

const namesOf = (listed: Record<string, Json>): string[] =>
  Array.isArray(listed.StreamNames) ? listed.StreamNames.map(String) : [];

/**
 * The local Kinesis Data Streams endpoint: kinesalite in a supervised worker thread (kinesalite-thread.ts), every
 * request signed as `auth` wants, on HTTP/1.1 and cleartext HTTP/2, with the template's streams created at start.
 */
export const startKinesisService = async (options: {
  streams: StreamSeed[];
  region: string;
  auth: ServiceAuth;
  endpointAt: (url: string) => LocalEndpoint;
  host: string;
  port?: number;
  log: (line: string) => void;
}): Promise<KinesisService> => {
  let endpoint: LocalEndpoint | undefined;
  const call: KinesisService['call'] = async (action, input) => {
    if (!endpoint) throw new Error('the local Kinesis is not started');
    return (await callJsonService(endpoint, 'kinesis', action, input)) as Record<string, Json>;
  };
  const recreated = new Set<() => void>();
  const puts = new Map<string, number>();
  const waiting = new Map<string, Set<() => void>>();
  const recordsPut = (stream: string) => {
    puts.set(stream, (puts.get(stream) ?? 0) + 1);
    for (const wake of waiting.get(stream) ?? []) wake();
  };
  const nextPut: KinesisService['nextPut'] = async (stream, since, ms, signal) => {
    if ((puts.get(stream) ?? 0) > since) return;
    await abortableWait(ms, signal, (wake) => {
      const wakers = waiting.get(stream) ?? new Set<() => void>();
      waiting.set(stream, wakers);
      wakers.add(wake);
      return () => wakers.delete(wake);
    });
  };
  const create = async () => {
    for (const stream of options.streams) {
      await call('CreateStream', { StreamName: stream.name, ShardCount: stream.shardCount });
      await untilActive(call, stream.name);
    }
  };
  const createAgain = async () => {
    await create();
    for (const listener of recreated) listener();
  };
  const thread = await startKinesaliteThread({
    host: options.host,
    port: options.port ?? 0,
    auth: options.auth,
    log: options.log,
    restarted: createAgain,
    recordsPut,
    faults: process.env.SAM_LOCAL_RUNTIME_TEST_FAULTS === '1',
  });
  endpoint = options.endpointAt(thread.url);
  try {
    await create();
  } catch (error) {
    await thread.close();
    throw error;
  }
  return {
    name: 'kinesis',
    url: thread.url,
    streamNames: new Map(options.streams.map((stream) => [stream.arn, stream.name])),
    close: () => thread.close(),
    call,
    reset: async () => {
      for (const name of namesOf(await call('ListStreams', {}))) {
        await call('DeleteStream', { StreamName: name });
      }
      await createAgain();
    },
    putsTo: (stream) => puts.get(stream) ?? 0,
    nextPut,
    onRecreated: (listener) => {
      recreated.add(listener);
    },
    streams: async () =>
      Promise.all(
        namesOf(await call('ListStreams', {})).map(async (name) => {
          const { Shards } = await call('ListShards', { StreamName: name });
          const shards = Array.isArray(Shards)
            ? Shards.map((shard) => String((shard as Record<string, Json>).ShardId))
            : [];
          return { name, shards };
        }),
      ),
  };
};
