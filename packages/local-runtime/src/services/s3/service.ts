import { endpointOptions, type ServiceDefinition } from '../registry.ts';
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

/**
 * S3 with the template's buckets (AWS::S3::Bucket, named by BucketName or as CloudFormation names them), empty at
 * start; objects are kept in memory (see store.ts for the limits). A bucket's properties beyond its name
 * (versioning, lifecycle, notifications, CORS, website) have no local effect and are named at start-up.
 */
export const s3Service: ServiceDefinition<'s3'> = {
  name: 's3',
  environmentVariable: 'AWS_ENDPOINT_URL_S3',
  arnNames: ['s3'],
  endpointPrefix: 's3',
  resourceTypes: [BUCKET_TYPE, ...Object.keys(NOT_RUN)],
  start: async ({ stack, auth, host, port, log }) => {
    const buckets: string[] = [];
    for (const resource of stack.ofType(BUCKET_TYPE)) {
      buckets.push(String(stack.ref(resource.logicalId)));
      const ignored = Object.keys(stack.properties(resource.logicalId)).filter((key) => key !== 'BucketName');
      if (ignored.length > 0) {
        log(`[s3] ${resource.logicalId}: ${ignored.join(', ')} not run locally (the bucket only holds objects)`);
      }
    }
    for (const [type, what] of Object.entries(NOT_RUN)) {
      for (const resource of stack.ofType(type)) log(`[s3] ${resource.logicalId} (${type}): ${what}`);
    }
    const service = await startS3Service({
      buckets,
      ...endpointOptions({ stack, auth, host, port }),
    });
    return {
      ...service,
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
