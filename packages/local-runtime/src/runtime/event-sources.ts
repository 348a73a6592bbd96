import { mappingFilterOf, SQS_BODY } from '../lambda/event-sources/record-filter.ts';
import type { SqsEventSourceMapping } from '../lambda/event-sources/sqs-poller.ts';
import { arnServiceOf } from '../services/registry.ts';
import type { QueueRegistry } from '../services/sqs/registry.ts';
import { isObject, type TemplateObject } from '../template/load.ts';
import type { LocalStack } from '../template/stack.ts';

// Lambda starts five pollers for an SQS queue (developer guide, "Scaling and processing"); locally the function's
// pool of execution environments caps it further.
const DEFAULT_POLLERS = 5;

const mapping = (
  found: DeclaredMapping,
  queues: QueueRegistry,
  maxConcurrency: number,
): SqsEventSourceMapping | string => {
  const { source, functionId, properties } = found;
  const queue = typeof found.sourceArn === 'string' ? queues.byArn(found.sourceArn) : undefined;
  if (!queue) return `${source}: queue ${String(found.sourceArn)} is not a queue of this template`;
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
  const filtered = mappingFilterOf(properties.FilterCriteria, SQS_BODY);
  if ('problem' in filtered) return `${source}: ${filtered.problem}`;
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
    ...filtered,
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
): DeclaredMapping | undefined => {
  const sqs = properties.SqsSubscription;
  if (event.Type !== 'SNS' || (sqs !== true && !isObject(sqs))) return undefined;
  const settings = isObject(sqs) ? sqs : {};
  if (settings.Enabled === false || settings.Enabled === 'false') return undefined;
  return {
    source: `${functionId}.Events.${name}.SqsSubscription`,
    functionId,
    sourceArn: isObject(sqs) ? sqs.QueueArn : stack.getAtt(`${functionId}${name}Queue`, 'Arn'),
    properties: settings.BatchSize === undefined ? {} : { BatchSize: settings.BatchSize },
  };
};

const disabled = (value: unknown) => value === false || value === 'false';

/** An event source mapping as the template declares it, before its properties are checked. */
export interface DeclaredMapping {
  source: string;
  functionId: string;
  /** The queue's or stream's ARN (or whatever the template gave). */
  sourceArn: unknown;
  properties: TemplateObject;
}

/**
 * The template's event source mappings of one kind: SAM `Events` of `eventType` on functions (the source ARN in
 * `sourceProperty`) and `AWS::Lambda::EventSourceMapping` resources whose EventSourceArn is of `arnService`. A
 * disabled one is skipped; one whose function is not in the template is a problem. `other` finds more in an event
 * (an SNS event's SQS subscription).
 */
export const declaredMappings = (
  stack: LocalStack,
  kind: { eventType: string; arnService: string; sourceProperty: string },
  functionIdOf: (nameOrArn: string) => string | undefined,
  other?: (
    functionId: string,
    name: string,
    event: TemplateObject,
    properties: TemplateObject,
  ) => DeclaredMapping | undefined,
): { found: DeclaredMapping[]; problems: string[] } => {
  const found: DeclaredMapping[] = [];
  for (const fn of stack.ofType('AWS::Serverless::Function')) {
    const events = stack.properties(fn.logicalId).Events;
    for (const [name, event] of Object.entries(isObject(events) ? events : {})) {
      if (!isObject(event)) continue;
      const properties = isObject(event.Properties) ? event.Properties : {};
      const viaOther = other?.(fn.logicalId, name, event, properties);
      if (viaOther) {
        found.push(viaOther);
        continue;
      }
      if (event.Type !== kind.eventType) continue;
      if (disabled(properties.Enabled)) continue;
      found.push({
        source: `${fn.logicalId}.Events.${name}`,
        functionId: fn.logicalId,
        sourceArn: properties[kind.sourceProperty],
        properties,
      });
    }
  }
  const problems: string[] = [];
  for (const resource of stack.ofType('AWS::Lambda::EventSourceMapping')) {
    const properties = stack.properties(resource.logicalId);
    const arn = String(properties.EventSourceArn ?? '');
    if (arnServiceOf(arn) !== kind.arnService || disabled(properties.Enabled)) continue;
    const functionId = functionIdOf(String(properties.FunctionName ?? ''));
    if (!functionId) {
      problems.push(`${resource.logicalId}: function ${String(properties.FunctionName)} is not in this template`);
      continue;
    }
    found.push({ source: resource.logicalId, functionId, sourceArn: arn, properties });
  }
  return { found, problems };
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
  const { found, problems } = declaredMappings(
    stack,
    { eventType: 'SQS', arnService: 'sqs', sourceProperty: 'Queue' },
    functionIdOf,
    (functionId, name, event, properties) => snsQueueMapping(stack, functionId, name, event, properties),
  );
  const mappings: SqsEventSourceMapping[] = [];
  for (const candidate of found) {
    const result = mapping(candidate, queues, maxConcurrency);
    if (typeof result === 'string') problems.push(result);
    else mappings.push(result);
  }
  return { mappings, problems };
};
