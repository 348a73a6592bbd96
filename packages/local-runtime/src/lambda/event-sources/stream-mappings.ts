import type { TemplateObject } from '../../template/load.ts';
import { type DataField, mappingFilterOf } from './record-filter.ts';
import type { StreamBatchSettings } from './stream-batches.ts';

/** A setting of a stream mapping the local poller does not apply: what is said of it at start-up, when anything. */
export type NotRun = Record<string, (value: unknown) => string | undefined>;

// A null property is unset, as the Kinesis reader had it (the DynamoDB reader read it as 0).
const integerOf = (value: unknown, fallback: number): number =>
  value === undefined || value === null ? fallback : Number(value);

const inRange = (number: number, low: number, high: number): boolean =>
  Number.isInteger(number) && number >= low && number <= high;

/**
 * The batch settings of a stream mapping (DynamoDB stream or Kinesis) from its properties, by CreateEventSourceMapping's
 * rules for stream sources (Lambda API reference, CreateEventSourceMapping: BatchSize 1-10000, default 100;
 * MaximumBatchingWindowInSeconds 0-300; MaximumRetryAttempts -1-10000, default -1; MaximumRecordAgeInSeconds -1 or
 * 60-604800, default -1), FilterCriteria matched against `field`; or the problem that keeps the mapping from running,
 * prefixed with `source`. The settings in `notRun` that are set are named in `notes`.
 */
export const streamBatchSettingsOf = (
  source: string,
  properties: TemplateObject,
  field: DataField,
  notRun: NotRun,
  notes: string[],
): StreamBatchSettings | string => {
  const batchSize = integerOf(properties.BatchSize, 100);
  if (!inRange(batchSize, 1, 10_000)) return `${source}: BatchSize must be from 1 to 10000`;
  const window = integerOf(properties.MaximumBatchingWindowInSeconds, 0);
  if (!inRange(window, 0, 300)) return `${source}: MaximumBatchingWindowInSeconds must be from 0 to 300`;
  const retries = integerOf(properties.MaximumRetryAttempts, -1);
  if (!inRange(retries, -1, 10_000)) return `${source}: MaximumRetryAttempts must be from -1 to 10000`;
  const age = integerOf(properties.MaximumRecordAgeInSeconds, -1);
  if (!inRange(age, -1, 604_800) || (age >= 0 && age < 60)) {
    return `${source}: MaximumRecordAgeInSeconds must be -1 or from 60 to 604800`;
  }
  const filtered = mappingFilterOf(properties.FilterCriteria, field);
  if ('problem' in filtered) return `${source}: ${filtered.problem}`;
  for (const [property, why] of Object.entries(notRun)) {
    const note = properties[property] === undefined ? undefined : why(properties[property]);
    if (note) notes.push(`${source}.${property}: ${note}`);
  }
  const types = Array.isArray(properties.FunctionResponseTypes) ? properties.FunctionResponseTypes.map(String) : [];
  const bisect = properties.BisectBatchOnFunctionError;
  return {
    batchSize,
    batchingWindowSeconds: window,
    reportBatchItemFailures: types.includes('ReportBatchItemFailures'),
    maximumRetryAttempts: retries,
    bisectBatchOnFunctionError: bisect === true || bisect === 'true',
    maximumRecordAgeSeconds: age,
    ...filtered,
  };
};
