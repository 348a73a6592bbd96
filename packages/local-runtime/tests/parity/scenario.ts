import type { RunningRuntime } from '../../src/testing/index.ts';
import type { Masks } from './compare.ts';
import type { RecordingId } from './recordings.ts';

/** The runtime's base URL of each API of fixture/template.yaml, by logical id. */
export type Bases = Record<string, string>;

export interface Outcome {
  status: number;
  value: unknown;
}

/** One recording reproduced: how to ask the runtime for it, and how to read what it answered. */
export interface Scenario {
  area: string;
  id: RecordingId;
  /** Asks the runtime; `value` is compared with the recording (shaped as the recording's test shaped it). */
  run?: (bases: Bases, runtime: RunningRuntime) => Promise<Outcome>;
  /** The status code the recording's test asserted (the recordings do not hold it). */
  status?: number;
  masks?: Masks;
  /** The runtime it runs on: fixture/template.yaml's (default), or fixture/s3-template.yaml's. */
  fixture?: 's3';
  /** Why the recording cannot apply to a runtime on one machine (then there is no `run`). */
  notApplicable?: string;
}

/** `event.body` parsed when it is JSON, as the recordings' apigateway_proxy_event transformer shows it. */
export const withParsedBody = (event: unknown): unknown => {
  if (typeof event !== 'object' || event === null || !('body' in event) || typeof event.body !== 'string') return event;
  try {
    return { ...event, body: JSON.parse(event.body) as unknown };
  } catch {
    return event;
  }
};
