import { declaredMappings } from '../../runtime/event-sources.ts';
import type { TableStream } from '../../services/dynamodb/stream-store.ts';
import type { TemplateObject, TemplateValue } from '../../template/load.ts';
import type { LocalStack } from '../../template/stack.ts';
import type { DynamoDbStreamMapping } from './dynamodb-stream-poller.ts';
import { DYNAMODB_RECORD, FilterCriteriaError, type RecordFilter, recordFilterOf } from './record-filter.ts';

/** Settings of a stream mapping that change what Lambda does with the records but are not run locally. */
const NOT_APPLIED: Record<string, string> = {
  ParallelizationFactor: 'one batch at a time per table locally',
  DestinationConfig: 'no on-failure destination locally: a discarded batch is logged',
  TumblingWindowInSeconds: 'tumbling windows are not run: each batch is invoked on its own',
};

const numberIn = (value: unknown, fallback: number, low: number, high: number): number | undefined => {
  const number = value === undefined ? fallback : Number(value);
  return Number.isInteger(number) && number >= low && number <= high ? number : undefined;
};

/** FilterCriteria's filter (see record-filter.ts), or the problem with it. */
const filterOf = (value: TemplateValue | undefined): RecordFilter | undefined | string => {
  try {
    return recordFilterOf(value, DYNAMODB_RECORD);
  } catch (error) {
    if (error instanceof FilterCriteriaError) return error.message;
    throw error;
  }
};

/**
 * One mapping from its properties, by CreateEventSourceMapping's rules for a DynamoDB stream (Lambda API reference:
 * BatchSize 1-10000, default 100; MaximumBatchingWindowInSeconds 0-300; MaximumRetryAttempts -1-10000;
 * MaximumRecordAgeInSeconds -1 or 60-604800), or the problem that keeps it from running.
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
  const batchSize = numberIn(properties.BatchSize, 100, 1, 10_000);
  if (batchSize === undefined) return `${source}: BatchSize must be from 1 to 10000`;
  const window = numberIn(properties.MaximumBatchingWindowInSeconds, 0, 0, 300);
  if (window === undefined) return `${source}: MaximumBatchingWindowInSeconds must be from 0 to 300`;
  const retries = numberIn(properties.MaximumRetryAttempts, -1, -1, 10_000);
  if (retries === undefined) return `${source}: MaximumRetryAttempts must be from -1 to 10000`;
  const age = numberIn(properties.MaximumRecordAgeInSeconds, -1, -1, 604_800);
  if (age === undefined || (age >= 0 && age < 60)) {
    return `${source}: MaximumRecordAgeInSeconds must be -1 or from 60 to 604800`;
  }
  const filter = filterOf(properties.FilterCriteria);
  if (typeof filter === 'string') return `${source}: ${filter}`;
  for (const [property, why] of Object.entries(NOT_APPLIED)) {
    if (
      properties[property] !== undefined &&
      !(property === 'ParallelizationFactor' && Number(properties[property]) === 1)
    ) {
      notes.push(`${source}.${property}: ${why}`);
    }
  }
  const types = Array.isArray(properties.FunctionResponseTypes) ? properties.FunctionResponseTypes.map(String) : [];
  return {
    source,
    functionId,
    stream,
    startingPosition: position,
    batchSize,
    batchingWindowSeconds: window,
    reportBatchItemFailures: types.includes('ReportBatchItemFailures'),
    maximumRetryAttempts: retries,
    bisectBatchOnFunctionError:
      properties.BisectBatchOnFunctionError === true || properties.BisectBatchOnFunctionError === 'true',
    maximumRecordAgeSeconds: age,
    ...(filter ? { filter } : {}),
  };
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
