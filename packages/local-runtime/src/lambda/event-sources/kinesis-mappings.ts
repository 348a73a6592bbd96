import { type DeclaredMapping, declaredMappings } from '../../runtime/event-sources.ts';
import type { LocalStack } from '../../template/stack.ts';
import type { KinesisEventSourceMapping, StartingPosition } from './kinesis-poller.ts';
import { KINESIS_DATA } from './record-filter.ts';
import { type NotRun, streamBatchSettingsOf } from './stream-mappings.ts';

/**
 * MaximumRetryAttempts -1 (the default) retries a failing batch until its records expire, 24 hours or more in AWS
 * (Lambda developer guide, "Error handling for Kinesis"); locally a batch that still fails after this many retries
 * is skipped, with a log line. The DynamoDB stream source does not cap it: it retries until the records expire, as
 * the Lambda API reference documents for both (CreateEventSourceMapping, MaximumRetryAttempts: "-1 ... infinite ...
 * until the record expires in the event source"). The cap is this source's own local choice, kept as it was.
 */
export const LOCAL_RETRY_CAP = 100;

const POSITIONS: readonly string[] = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'];

// Settings of a Kinesis mapping the local poller does not apply: each is named at start-up when set.
const NOT_RUN: NotRun = {
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
  const settings = streamBatchSettingsOf(source, properties, KINESIS_DATA, NOT_RUN, notes);
  if (typeof settings === 'string') return settings;
  return {
    source,
    functionId,
    streamName,
    streamArn: arn,
    startingPosition: position as StartingPosition,
    ...(position === 'AT_TIMESTAMP' ? { startingTimestamp: timestamp } : {}),
    invokeIdentityArn: roleOf(stack, functionId),
    ...settings,
    maximumRetryAttempts: settings.maximumRetryAttempts === -1 ? LOCAL_RETRY_CAP : settings.maximumRetryAttempts,
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
