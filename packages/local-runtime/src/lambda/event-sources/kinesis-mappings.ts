import { type DeclaredMapping, declaredMappings } from '../../runtime/event-sources.ts';
import type { LocalStack } from '../../template/stack.ts';
import type { KinesisEventSourceMapping, StartingPosition } from './kinesis-poller.ts';
import { FilterCriteriaError, KINESIS_DATA, type RecordFilter, recordFilterOf } from './record-filter.ts';

/**
 * MaximumRetryAttempts -1 (the default) retries a failing batch until its records expire, 24 hours or more in AWS
 * (Lambda developer guide, "Error handling for Kinesis"); locally a batch that still fails after this many retries
 * is skipped, with a log line.
 */
export const LOCAL_RETRY_CAP = 100;

const POSITIONS: readonly string[] = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'];

// Settings of a Kinesis mapping the local poller does not apply: each is named at start-up when set.
const NOT_RUN: Record<string, (value: unknown) => string | undefined> = {
  ParallelizationFactor: (value) =>
    Number(value) > 1 ? 'each shard is read by one batch at a time (ParallelizationFactor 1)' : undefined,
  TumblingWindowInSeconds: (value) => (Number(value) > 0 ? 'tumbling windows are not run' : undefined),
  DestinationConfig: () => 'skipped records are logged, not sent to an on-failure destination',
};

/** The role a function runs as (its Role, or the one SAM makes for it): the records' invokeIdentityArn. */
const roleOf = (stack: LocalStack, functionId: string): string => {
  const role = stack.properties(functionId).Role;
  if (typeof role === 'string' && role !== '') return role;
  if (stack.resources.has(`${functionId}Role`)) return stack.getAtt(`${functionId}Role`, 'Arn');
  return `arn:aws:iam::${stack.accountId}:role/${functionId}Role`;
};

const checked = (
  stack: LocalStack,
  found: DeclaredMapping,
  streams: ReadonlyMap<string, string>,
  notes: string[],
): KinesisEventSourceMapping | string => {
  const { source, functionId, properties } = found;
  const arn = typeof found.sourceArn === 'string' ? found.sourceArn : '';
  if (arn.includes('/consumer/')) return `${source}: stream consumers (enhanced fan-out) are not run locally`;
  const streamName = streams.get(arn);
  if (!streamName) return `${source}: stream ${String(found.sourceArn)} is not a stream of this template`;
  const position = String(properties.StartingPosition ?? '');
  if (!POSITIONS.includes(position)) return `${source}: StartingPosition must be one of ${POSITIONS.join(', ')}`;
  const timestamp = Number(properties.StartingPositionTimestamp);
  if (position === 'AT_TIMESTAMP' && !Number.isFinite(timestamp)) {
    return `${source}: AT_TIMESTAMP needs StartingPositionTimestamp (seconds since the epoch)`;
  }
  const batchSize = Number(properties.BatchSize ?? 100);
  const window = Number(properties.MaximumBatchingWindowInSeconds ?? 0);
  const retries = Number(properties.MaximumRetryAttempts ?? -1);
  // The limits CreateEventSourceMapping enforces (Lambda API reference, CreateEventSourceMapping).
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    return `${source}: BatchSize must be from 1 to 10000`;
  }
  if (!Number.isInteger(window) || window < 0 || window > 300) {
    return `${source}: MaximumBatchingWindowInSeconds must be from 0 to 300`;
  }
  if (!Number.isInteger(retries) || retries < -1 || retries > 10_000) {
    return `${source}: MaximumRetryAttempts must be from -1 to 10000`;
  }
  const age = Number(properties.MaximumRecordAgeInSeconds ?? -1);
  if (!Number.isInteger(age) || age < -1 || (age >= 0 && age < 60) || age > 604_800) {
    return `${source}: MaximumRecordAgeInSeconds must be -1 or from 60 to 604800`;
  }
  let filter: RecordFilter | undefined;
  try {
    filter = recordFilterOf(properties.FilterCriteria, KINESIS_DATA);
  } catch (error) {
    if (error instanceof FilterCriteriaError) return `${source}: ${error.message}`;
    throw error;
  }
  for (const [property, why] of Object.entries(NOT_RUN)) {
    const note = properties[property] === undefined ? undefined : why(properties[property]);
    if (note) notes.push(`${source}.${property}: ${note}`);
  }
  const types = Array.isArray(properties.FunctionResponseTypes) ? properties.FunctionResponseTypes.map(String) : [];
  const bisect = properties.BisectBatchOnFunctionError;
  return {
    source,
    functionId,
    streamName,
    streamArn: arn,
    startingPosition: position as StartingPosition,
    ...(position === 'AT_TIMESTAMP' ? { startingTimestamp: timestamp } : {}),
    batchSize,
    batchingWindowSeconds: window,
    maximumRetryAttempts: retries === -1 ? LOCAL_RETRY_CAP : retries,
    reportBatchItemFailures: types.includes('ReportBatchItemFailures'),
    bisectBatchOnFunctionError: bisect === true || bisect === 'true',
    invokeIdentityArn: roleOf(stack, functionId),
    maximumRecordAgeSeconds: age,
    ...(filter ? { filter } : {}),
  };
};

/**
 * The template's Kinesis event sources: SAM `Events` of type Kinesis and `AWS::Lambda::EventSourceMapping` resources
 * on a stream (`streams`: the template's streams, ARN → name). A bad one is a problem, named and not run; settings
 * the local poller does not apply are notes.
 */
export const kinesisEventSourcesOf = (
  stack: LocalStack,
  streams: ReadonlyMap<string, string>,
  functionIdOf: (nameOrArn: string) => string | undefined,
): { mappings: KinesisEventSourceMapping[]; problems: string[] } => {
  const { found, problems } = declaredMappings(
    stack,
    { eventType: 'Kinesis', arnService: 'kinesis', sourceProperty: 'Stream' },
    functionIdOf,
  );
  const mappings: KinesisEventSourceMapping[] = [];
  for (const candidate of found) {
    const result = checked(stack, candidate, streams, problems);
    if (typeof result === 'string') problems.push(result);
    else mappings.push(result);
  }
  return { mappings, problems };
};
