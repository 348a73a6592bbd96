import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourceChanges } from '../../src/runtime/resource-changes.ts';
import { LocalStack } from '../../src/template/stack.ts';

const dir = mkdtempSync(join(tmpdir(), 'resource-changes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stackOf = (name: string, resources: string): LocalStack => {
  const templatePath = join(dir, `${name}.yaml`);
  writeFileSync(
    templatePath,
    `Parameters:\n  Stage: { Type: String, Default: dev }\nConditions:\n  IsProd: !Equals [!Ref Stage, prod]\nResources:\n${resources}`,
  );
  return new LocalStack({ templatePath });
};

const BEFORE = `
  Jobs: { Type: AWS::SQS::Queue, Properties: { VisibilityTimeout: 30 } }
  Steady: { Type: AWS::SQS::Queue }
  Gone: { Type: AWS::SQS::Queue }
  Morphed: { Type: AWS::SQS::Queue }
  Items: { Type: AWS::DynamoDB::Table, Properties: { BillingMode: PAY_PER_REQUEST } }
`;
const before = stackOf('before', BEFORE);

const after = stackOf(
  'after',
  `
  Jobs: { Type: AWS::SQS::Queue, Properties: { VisibilityTimeout: 60 } }
  Steady: { Type: AWS::SQS::Queue }
  Morphed: { Type: AWS::SNS::Topic }
  Fresh: { Type: AWS::SQS::Queue }
  ProdOnly: { Type: AWS::SQS::Queue, Condition: IsProd }
  Items: { Type: AWS::DynamoDB::Table, Properties: { BillingMode: PROVISIONED } }
`,
);

it('names the resources of the given types a reload added, changed or removed, and no others', () => {
  expect(resourceChanges(before, after, ['AWS::SQS::Queue'])).toEqual([
    'Jobs (AWS::SQS::Queue) changed',
    'Fresh (AWS::SQS::Queue) added',
    'Gone (AWS::SQS::Queue) removed',
    'Morphed (AWS::SQS::Queue) removed',
  ]);
  expect(resourceChanges(before, after, ['AWS::SNS::Topic'])).toEqual(['Morphed (AWS::SNS::Topic) added']);
  expect(resourceChanges(before, after, ['AWS::DynamoDB::Table'])).toEqual(['Items (AWS::DynamoDB::Table) changed']);
});

it('finds nothing in a template read twice, nor for a service that runs no resources', () => {
  expect(resourceChanges(before, stackOf('again', BEFORE), ['AWS::SQS::Queue', 'AWS::DynamoDB::Table'])).toEqual([]);
  expect(resourceChanges(before, after, [])).toEqual([]);
});

it('leaves out the properties a service reloads itself: a change to them alone is no change', () => {
  const buckets = (notify: string, versioning: string) =>
    stackOf(
      `buckets-${notify}-${versioning}`,
      `  Photos: { Type: AWS::S3::Bucket, Properties: { NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: ${notify} } }, VersioningConfiguration: { Status: ${versioning} } } }\n`,
    );
  const types = ['AWS::S3::Bucket'];
  const reloaded = ['NotificationConfiguration'];
  expect(resourceChanges(buckets('true', 'Enabled'), buckets('false', 'Enabled'), types, reloaded)).toEqual([]);
  expect(resourceChanges(buckets('true', 'Enabled'), buckets('false', 'Enabled'), types)).toEqual([
    'Photos (AWS::S3::Bucket) changed',
  ]);
  expect(resourceChanges(buckets('true', 'Enabled'), buckets('true', 'Suspended'), types, reloaded)).toEqual([
    'Photos (AWS::S3::Bucket) changed',
  ]);
});
