import { FilterCriteriaError, recordFilterOf, SQS_BODY } from '../lambda/event-sources/record-filter.ts';
import type { SqsEventSourceMapping } from '../lambda/event-sources/sqs-poller.ts';
import type { QueueRegistry } from '../services/sqs/registry.ts';
import { isObject, type TemplateObject } from '../template/load.ts';
import type { LocalStack } from '../template/stack.ts';

// Lambda starts five pollers for an SQS queue (developer guide, "Scaling and processing"); locally the function's
// pool of execution environments caps it further.
const DEFAULT_POLLERS = 5;

interface MappingProperties {
  source: string;
  functionId: string;
  queueArn: unknown;
  properties: TemplateObject;
}

const mapping = (
  found: MappingProperties,
  queues: QueueRegistry,
  maxConcurrency: number,
): SqsEventSourceMapping | string => {
  const { source, functionId, properties } = found;
  const queue = typeof found.queueArn === 'string' ? queues.byArn(found.queueArn) : undefined;
  if (!queue) return `${source}: queue ${String(found.queueArn)} is not a queue of this template`;
  const batchSize = Number(properties.BatchSize ?? 10);
  const window = Number(properties.MaximumBatchingWindowInSeconds ?? 0);
  // The limits CreateEventSourceMapping enforces (Lambda API reference, CreateEventSourceMapping: BatchSize).
  const maxBatch = queue.attributes.FifoQueue ? 10 : 10_000;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > maxBatch) {
    return `${source}: BatchSize must be from 1 to ${maxBatch}`;
  }
  if (!Number.isInteger(window) || window < 0 || window > 300) {
    return `${source}: MaximumBatchingWindowInSeconds must be from 0 to 300`;
  }
  if (batchSize > 10 && window < 1) {
    return `${source}: a BatchSize over 10 needs MaximumBatchingWindowInSeconds of at least 1`;
  }
  let filter: SqsEventSourceMapping['filter'];
  try {
    filter = recordFilterOf(properties.FilterCriteria, SQS_BODY);
  } catch (error) {
    // CreateEventSourceMapping refuses such criteria: the mapping does not exist.
    if (error instanceof FilterCriteriaError) return `${source}: ${error.message}`;
    throw error;
  }
  const types = Array.isArray(properties.FunctionResponseTypes) ? properties.FunctionResponseTypes.map(String) : [];
  const scaling = isObject(properties.ScalingConfig) ? properties.ScalingConfig : {};
  const cap = Number(scaling.MaximumConcurrency ?? DEFAULT_POLLERS);
  return {
    source,
    functionId,
    queue,
    batchSize,
    batchingWindowSeconds: window,
    reportBatchItemFailures: types.includes('ReportBatchItemFailures'),
    concurrency: Math.max(1, Math.min(cap, maxConcurrency)),
    ...(filter ? { filter } : {}),
  };
};

/**
 * An SNS event with `SqsSubscription`: SAM maps the subscribed queue (its own `<Function><Event>Queue`, or the
 * `QueueArn` named, with `BatchSize` and `Enabled`) to the function (push.py SNS._inject_sqs_event_source_mapping).
 */
const snsQueueMapping = (
  stack: LocalStack,
  functionId: string,
  name: string,
  event: TemplateObject,
  properties: TemplateObject,
): MappingProperties | undefined => {
  const sqs = properties.SqsSubscription;
  if (event.Type !== 'SNS' || (sqs !== true && !isObject(sqs))) return undefined;
  const settings = isObject(sqs) ? sqs : {};
  if (settings.Enabled === false || settings.Enabled === 'false') return undefined;
  return {
    source: `${functionId}.Events.${name}.SqsSubscription`,
    functionId,
    queueArn: isObject(sqs) ? sqs.QueueArn : stack.getAtt(`${functionId}${name}Queue`, 'Arn'),
    properties: settings.BatchSize === undefined ? {} : { BatchSize: settings.BatchSize },
  };
};

/**
 * The template's SQS event sources: SAM `Events` of type SQS on functions and `AWS::Lambda::EventSourceMapping`
 * resources on a queue. A disabled one is skipped; a bad one is reported by name, not run.
 */
export const sqsEventSourcesOf = (
  stack: LocalStack,
  queues: QueueRegistry,
  functionIdOf: (nameOrArn: string) => string | undefined,
  maxConcurrency: number,
): { mappings: SqsEventSourceMapping[]; problems: string[] } => {
  const found: MappingProperties[] = [];
  for (const fn of stack.ofType('AWS::Serverless::Function')) {
    const events = stack.properties(fn.logicalId).Events;
    for (const [name, event] of Object.entries(isObject(events) ? events : {})) {
      if (!isObject(event)) continue;
      const properties = isObject(event.Properties) ? event.Properties : {};
      const viaQueue = snsQueueMapping(stack, fn.logicalId, name, event, properties);
      if (viaQueue) {
        found.push(viaQueue);
        continue;
      }
      if (event.Type !== 'SQS') continue;
      if (properties.Enabled === false || properties.Enabled === 'false') continue;
      found.push({
        source: `${fn.logicalId}.Events.${name}`,
        functionId: fn.logicalId,
        queueArn: properties.Queue,
        properties,
      });
    }
  }
  const problems: string[] = [];
  for (const resource of stack.ofType('AWS::Lambda::EventSourceMapping')) {
    const properties = stack.properties(resource.logicalId);
    const arn = String(properties.EventSourceArn ?? '');
    if (!arn.includes(':sqs:') || properties.Enabled === false) continue;
    const functionId = functionIdOf(String(properties.FunctionName ?? ''));
    if (!functionId) {
      problems.push(`${resource.logicalId}: function ${String(properties.FunctionName)} is not in this template`);
      continue;
    }
    found.push({ source: resource.logicalId, functionId, queueArn: arn, properties });
  }
  const mappings: SqsEventSourceMapping[] = [];
  for (const candidate of found) {
    const result = mapping(candidate, queues, maxConcurrency);
    if (typeof result === 'string') problems.push(result);
    else mappings.push(result);
  }
  return { mappings, problems };
};
