import { randomText } from '../gateway/exchange.ts';

/**
 * The X-Ray trace header as AWS services pass it on (X-Ray developer guide, "Tracing header"):
 * `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`. Lambda gives it to a function as
 * `_X_AMZN_TRACE_ID`, API Gateway forwards it as `X-Amzn-Trace-Id`, SQS keeps it as `AWSTraceHeader`.
 */
export interface TraceHeader {
  /** `1-{epoch seconds, 8 hex}-{24 hex}` */
  root: string;
  /** The id of the segment or subsegment the next one hangs under. */
  parent?: string;
  sampled?: boolean;
}

const ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SEGMENT_ID = /^[0-9a-f]{16}$/;

export const isTraceId = (value: string): boolean => ROOT.test(value);

/** A header's fields; undefined when it names no valid root. Unknown fields (`Lineage=...`) are ignored. */
export const parseTraceHeader = (value: string | undefined): TraceHeader | undefined => {
  if (!value) return undefined;
  const fields = new Map<string, string>();
  for (const part of value.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  const root = fields.get('root');
  if (!root || !ROOT.test(root)) return undefined;
  const parent = fields.get('parent');
  const sampled = fields.get('sampled');
  return {
    root,
    ...(parent && SEGMENT_ID.test(parent) ? { parent } : {}),
    ...(sampled === '1' || sampled === '0' ? { sampled: sampled === '1' } : {}),
  };
};

export const formatTraceHeader = (header: TraceHeader): string =>
  [
    `Root=${header.root}`,
    ...(header.parent ? [`Parent=${header.parent}`] : []),
    ...(header.sampled === undefined ? [] : [`Sampled=${header.sampled ? 1 : 0}`]),
  ].join(';');

export const newTraceId = (now = Date.now()): string =>
  `1-${Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0')}-${randomText(12, 'hex')}`;

/** A segment or subsegment id: 64 random bits as 16 hex digits. */
export const newSegmentId = (): string => randomText(8, 'hex');
