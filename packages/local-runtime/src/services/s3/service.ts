import { notAppliedLine, resourceChanges } from '../../runtime/resource-changes.ts';
import type { LocalStack } from '../../template/stack.ts';
import { endpointOptions, type ServiceContext, type ServiceDefinition } from '../registry.ts';
import { type BucketNotifications, bucketNotificationsOf } from './notification-config.ts';
import { ownerIdOf } from './notification-events.ts';
import { createNotifier } from './notifications.ts';
import { type S3Service, startS3Service } from './server.ts';

declare module '../registry.ts' {
  interface LocalServices {
    s3: S3Service;
  }
}

const BUCKET_TYPE = 'AWS::S3::Bucket';

/** S3 resources with no local effect, and what each would do on AWS. */
const NOT_RUN: Record<string, string> = {
  'AWS::S3::BucketPolicy': 'bucket policies are not checked locally: any local caller may read and write',
};

/** The bucket properties the local S3 runs: its name and its notifications (notification-config.ts). */
const RUN_PROPERTIES = ['BucketName', 'NotificationConfiguration'];

/**
 * Whether an ARN names a queue, topic or function of a stack that the local services deliver to: the notifications to
 * anything else are named at start-up, not sent into the void.
 */
const localTargets = async (service: ServiceContext['service']) => {
  const queues = (await service('sqs')).registry;
  const topics = (await service('sns')).registry;
  return (stack: LocalStack) => {
    const functionArns = stack
      .ofType('AWS::Serverless::Function', 'AWS::Lambda::Function')
      .map((fn) => stack.getAtt(fn.logicalId, 'Arn'));
    return (arn: string): boolean =>
      queues.byArn(arn) !== undefined ||
      topics.byArn(arn) !== undefined ||
      // A function's ARN, or one of its versions or aliases.
      functionArns.some((fnArn) => arn === fnArn || arn.startsWith(`${fnArn}:`));
  };
};

/** What a reload compares: the notifications as they route. */
const notificationsKey = (notifications: BucketNotifications): string =>
  JSON.stringify([notifications.targets, [...notifications.eventBridge].sort()]);

/**
 * S3 with the template's buckets (AWS::S3::Bucket, named by BucketName or as CloudFormation names them), empty at
 * start; objects are kept in memory (see store.ts for the limits). Object events go to the bucket's notifications and
 * SAM `S3` function events (notifications.ts). A bucket's other properties (versioning, lifecycle, CORS, website) have
 * no local effect and are named at start-up.
 */
export const s3Service: ServiceDefinition<'s3'> = {
  name: 's3',
  environmentVariable: 'AWS_ENDPOINT_URL_S3',
  arnNames: ['s3'],
  endpointPrefix: 's3',
  resourceTypes: [BUCKET_TYPE, ...Object.keys(NOT_RUN)],
  start: async (context) => {
    const { stack, auth, host, port, log } = context;
    const buckets: string[] = [];
    for (const resource of stack.ofType(BUCKET_TYPE)) {
      buckets.push(String(stack.ref(resource.logicalId)));
      const ignored = Object.keys(stack.properties(resource.logicalId)).filter((key) => !RUN_PROPERTIES.includes(key));
      if (ignored.length > 0) {
        log(`[s3] ${resource.logicalId}: ${ignored.join(', ')} not run locally (the bucket only holds objects)`);
      }
    }
    for (const [type, what] of Object.entries(NOT_RUN)) {
      for (const resource of stack.ofType(type)) log(`[s3] ${resource.logicalId} (${type}): ${what}`);
    }
    const targetsOf = await localTargets(context.service);
    let notifications = bucketNotificationsOf(stack, targetsOf(stack));
    for (const note of notifications.notes) log(`[s3] ${note}`);
    let current = stack;
    const service = await startS3Service({
      buckets,
      ...endpointOptions({ stack, auth, host, port }),
      notify: createNotifier({
        notifications: () => notifications,
        bucket: { region: stack.region, accountId: stack.accountId, ownerId: ownerIdOf(stack.accountId) },
        deliver: context.deliver,
        log,
      }),
    });
    return {
      ...service,
      // The notifications (SAM `S3` events on the functions too) run as reloaded; the buckets as at start.
      reload: (next) => {
        const lines: string[] = [];
        const fresh = bucketNotificationsOf(next, targetsOf(next));
        if (notificationsKey(fresh) !== notificationsKey(notifications)) {
          for (const note of fresh.notes) log(`[s3] ${note}`);
          notifications = fresh;
          lines.push(`S3: bucket notifications reloaded (${fresh.targets.length} destinations)`);
        }
        const changes = resourceChanges(current, next, s3Service.resourceTypes, ['NotificationConfiguration']);
        if (changes.length > 0) lines.push(notAppliedLine('s3', changes));
        current = next;
        return lines.length === 0 ? undefined : lines.join('; ');
      },
      pages: [
        {
          path: '/_local/buckets',
          what: 'the buckets with their object counts and first keys (never object contents)',
          read: () =>
            service.store.all().map((bucket) => ({
              name: bucket.name,
              objects: bucket.objects.size,
              keys: [...bucket.objects.keys()].sort().slice(0, 100),
            })),
        },
      ],
    };
  },
};
