import { createHash } from 'node:crypto';
import { isObject, type TemplateObject, type TemplateValue } from '../../template/load.ts';
import type { LocalStack } from '../../template/stack.ts';

/** One destination of a bucket's notifications: which events of which keys go to which queue, topic or function. */
export interface NotificationTarget {
  bucket: string;
  /** `s3.configurationId` of the records it gets. */
  id: string;
  /** Where the template declares it, for the start-up notes and delivery failures. */
  source: string;
  /** Event types as configured (`s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`). */
  events: string[];
  prefix: string;
  suffix: string;
  targetArn: string;
}

export interface BucketNotifications {
  targets: NotificationTarget[];
  /** Buckets whose events go to EventBridge's default bus (NotificationConfiguration.EventBridgeConfiguration). */
  eventBridge: Set<string>;
  /** What is configured but not run, one line each. */
  notes: string[];
}

/** The event types the local S3 produces: PutObject, CopyObject and DeleteObject on an unversioned bucket. */
export const LOCAL_EVENTS = ['ObjectCreated:Put', 'ObjectCreated:Copy', 'ObjectRemoved:Delete'];

// The event types S3 knows (S3 user guide, "Event notification types and destinations") that never happen locally,
// and why: the local S3 serves neither versioning, multipart uploads, POST uploads, lifecycle, tagging, ACLs,
// restores nor replication.
const NEVER_LOCAL: Record<string, string> = {
  'ObjectCreated:Post': 'POST uploads are not served',
  'ObjectCreated:CompleteMultipartUpload': 'multipart uploads are not served',
  'ObjectRemoved:DeleteMarkerCreated': 'versioning is not served',
  'ObjectRestore:*': 'restores are not served',
  'ObjectRestore:Post': 'restores are not served',
  'ObjectRestore:Completed': 'restores are not served',
  'ObjectRestore:Delete': 'restores are not served',
  ReducedRedundancyLostObject: 'objects are never lost',
  'Replication:*': 'replication is not run',
  'Replication:OperationFailedReplication': 'replication is not run',
  'Replication:OperationMissedThreshold': 'replication is not run',
  'Replication:OperationReplicatedAfterThreshold': 'replication is not run',
  'Replication:OperationNotTracked': 'replication is not run',
  'LifecycleExpiration:*': 'lifecycle rules are not run',
  'LifecycleExpiration:Delete': 'lifecycle rules are not run',
  'LifecycleExpiration:DeleteMarkerCreated': 'lifecycle rules are not run',
  LifecycleTransition: 'lifecycle rules are not run',
  IntelligentTiering: 'storage classes are not run',
  'ObjectTagging:*': 'object tagging is not served',
  'ObjectTagging:Put': 'object tagging is not served',
  'ObjectTagging:Delete': 'object tagging is not served',
  'ObjectAcl:Put': 'object ACLs are not served',
};

/** Whether a configured event type (`s3:ObjectCreated:*`) covers an event (`ObjectCreated:Put`). */
export const coversEvent = (configured: string, eventName: string): boolean => {
  const name = configured.replace(/^s3:/, '');
  return name.endsWith(':*') ? eventName.startsWith(name.slice(0, -1)) : name === eventName;
};

const listOf = (value: TemplateValue | undefined): TemplateValue[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];

/**
 * The configuration id S3 gives a configuration that names none (PutBucketNotificationConfiguration: "If you don't
 * provide one, Amazon S3 will assign an ID"; CloudFormation and SAM name none): a stable one per source.
 */
const assignedId = (source: string): string =>
  Buffer.from(createHash('sha256').update(source).digest('hex').slice(0, 32)).toString('base64');

const keyFilterOf = (filter: TemplateValue | undefined): { prefix: string; suffix: string } => {
  const rules = isObject(filter) && isObject(filter.S3Key) ? listOf(filter.S3Key.Rules) : [];
  const found = { prefix: '', suffix: '' };
  for (const rule of rules) {
    if (!isObject(rule)) continue;
    const name = String(rule.Name ?? '').toLowerCase();
    if (name === 'prefix' || name === 'suffix') found[name] = String(rule.Value ?? '');
  }
  return found;
};

interface Candidate {
  bucket: string;
  source: string;
  id: TemplateValue | undefined;
  events: TemplateValue | undefined;
  filter: TemplateValue | undefined;
  target: TemplateValue | undefined;
}

/**
 * A candidate as it runs, or the notes on what of it does not: an event type S3 does not know, one that never happens
 * locally, a target no local resource is.
 */
const targetOf = (
  candidate: Candidate,
  isLocalTarget: (arn: string) => boolean,
  notes: string[],
): NotificationTarget | undefined => {
  const { source } = candidate;
  const targetArn = typeof candidate.target === 'string' ? candidate.target : '';
  if (!isLocalTarget(targetArn)) {
    notes.push(
      `${source}: ${targetArn || 'its target'} is not a local queue, topic or function of this template; not run`,
    );
    return undefined;
  }
  const events: string[] = [];
  for (const value of listOf(candidate.events)) {
    const event = String(value);
    const name = event.startsWith('s3:') ? event.slice(3) : undefined;
    if (name === undefined) notes.push(`${source}: ${event} is not an S3 event type; not run`);
    else if (LOCAL_EVENTS.some((local) => coversEvent(event, local))) events.push(event);
    else if (Object.hasOwn(NEVER_LOCAL, name))
      notes.push(`${source}: ${event} never happens locally (${NEVER_LOCAL[name]})`);
    else notes.push(`${source}: ${event} is not an S3 event type; not run`);
  }
  if (events.length === 0) return undefined;
  return {
    bucket: candidate.bucket,
    id: typeof candidate.id === 'string' && candidate.id !== '' ? candidate.id : assignedId(source),
    source,
    events,
    ...keyFilterOf(candidate.filter),
    targetArn,
  };
};

const CONFIGURATIONS = [
  ['LambdaConfigurations', 'Function'],
  ['QueueConfigurations', 'Queue'],
  ['TopicConfigurations', 'Topic'],
] as const;

/**
 * The notifications of the template's buckets: each AWS::S3::Bucket's NotificationConfiguration (Lambda, Queue and
 * Topic configurations, EventBridgeConfiguration), and SAM function events of type S3, which SAM adds to the bucket
 * they `Ref` as LambdaConfigurations of the function (SAM developer guide, "S3" event source type: "the S3 bucket must
 * be in the same template").
 */
export const bucketNotificationsOf = (
  stack: LocalStack,
  isLocalTarget: (arn: string) => boolean,
): BucketNotifications => {
  const candidates: Candidate[] = [];
  const eventBridge = new Set<string>();
  const notes: string[] = [];
  for (const resource of stack.ofType('AWS::S3::Bucket')) {
    const bucket = stack.ref(resource.logicalId);
    const configuration = stack.properties(resource.logicalId).NotificationConfiguration;
    if (!isObject(configuration)) continue;
    const bridge = configuration.EventBridgeConfiguration;
    const enabled = isObject(bridge) ? bridge.EventBridgeEnabled : undefined;
    if (enabled === true || String(enabled).toLowerCase() === 'true') eventBridge.add(bucket);
    for (const [list, targetField] of CONFIGURATIONS) {
      for (const [index, item] of listOf(configuration[list]).entries()) {
        if (!isObject(item)) continue;
        candidates.push({
          bucket,
          source: `${resource.logicalId}.NotificationConfiguration.${list}[${index}]`,
          id: item.Id,
          events: item.Event,
          filter: item.Filter,
          target: item[targetField],
        });
      }
    }
  }
  for (const fn of stack.ofType('AWS::Serverless::Function')) {
    const raw = isObject(fn.raw.Properties) && isObject(fn.raw.Properties.Events) ? fn.raw.Properties.Events : {};
    const events = stack.properties(fn.logicalId).Events;
    for (const [name, event] of Object.entries(isObject(events) ? events : {})) {
      if (!isObject(event) || event.Type !== 'S3') continue;
      const source = `${fn.logicalId}.Events.${name}`;
      const properties: TemplateObject = isObject(event.Properties) ? event.Properties : {};
      const rawEvent = raw[name];
      const rawBucket = isObject(rawEvent) && isObject(rawEvent.Properties) ? rawEvent.Properties.Bucket : undefined;
      const bucketId = isObject(rawBucket) && typeof rawBucket.Ref === 'string' ? rawBucket.Ref : undefined;
      if (!bucketId || stack.resources.get(bucketId)?.type !== 'AWS::S3::Bucket') {
        notes.push(`${source}: Bucket must be a Ref to an AWS::S3::Bucket of this template (SAM refuses it); not run`);
        continue;
      }
      candidates.push({
        bucket: stack.ref(bucketId),
        source,
        id: undefined,
        events: properties.Events,
        filter: properties.Filter,
        target: stack.getAtt(fn.logicalId, 'Arn'),
      });
    }
  }
  const targets = candidates.flatMap((candidate) => targetOf(candidate, isLocalTarget, notes) ?? []);
  return { targets, eventBridge, notes };
};
