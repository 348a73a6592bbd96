import { declaredMappings } from '../../runtime/event-sources.ts';
import type { TableStream } from '../../services/dynamodb/stream-store.ts';
import type { TemplateObject } from '../../template/load.ts';
import type { LocalStack } from '../../template/stack.ts';
import type { DynamoDbStreamMapping } from './dynamodb-stream-poller.ts';
import { DYNAMODB_RECORD } from './record-filter.ts';
import { type NotRun, streamBatchSettingsOf } from './stream-mappings.ts';

/** Settings of a stream mapping that change what Lambda does with the records but are not run locally. */
const NOT_APPLIED: NotRun = {
  ParallelizationFactor: (value) => (Number(value) === 1 ? undefined : 'one batch at a time per table locally'),
  DestinationConfig: () => 'no on-failure destination locally: a discarded batch is logged',
  TumblingWindowInSeconds: () => 'tumbling windows are not run: each batch is invoked on its own',
};

/**
 * One mapping from its properties: the stream batch settings (stream-mappings.ts) and a StartingPosition of
 * TRIM_HORIZON or LATEST (a DynamoDB stream has no AT_TIMESTAMP), or the problem that keeps it from running.
 */
const mappingOf = (
  source: string,
  functionId: string,
  arn: unknown,
  properties: TemplateObject,
  streams: (arn: string) => TableStream | undefined,
  notes: string[],
): DynamoDbStreamMapping | string => {
  const stream = typeof arn === 'string' ? streams(arn) : undefined;
  if (!stream) return `${source}: stream ${String(arn)} is not the stream of a table of this template`;
  const position = properties.StartingPosition;
  if (position !== 'TRIM_HORIZON' && position !== 'LATEST') {
    return `${source}: StartingPosition must be TRIM_HORIZON or LATEST`;
  }
  const settings = streamBatchSettingsOf(source, properties, DYNAMODB_RECORD, NOT_APPLIED, notes);
  if (typeof settings === 'string') return settings;
  return { source, functionId, stream, startingPosition: position, ...settings };
};

/**
 * The template's DynamoDB stream event sources: SAM `Events` of type DynamoDB on functions and
 * `AWS::Lambda::EventSourceMapping` resources on a table's stream ARN. A disabled one is skipped; a bad one is named,
 * not run; settings not run locally are named too.
 */
export const dynamoDbStreamSourcesOf = (
  stack: LocalStack,
  streams: (arn: string) => TableStream | undefined,
  functionIdOf: (nameOrArn: string) => string | undefined,
): { mappings: DynamoDbStreamMapping[]; problems: string[] } => {
  const { found, problems } = declaredMappings(
    stack,
    { eventType: 'DynamoDB', arnService: 'dynamodb', sourceProperty: 'Stream' },
    functionIdOf,
  );
  const mappings: DynamoDbStreamMapping[] = [];
  for (const { source, functionId, sourceArn, properties } of found) {
    const result = mappingOf(source, functionId, sourceArn, properties, streams, problems);
    if (typeof result === 'string') problems.push(result);
    else mappings.push(result);
  }
  return { mappings, problems };
};
