import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TemplateValue } from '../../src/template/load.ts';
import { LocalStack } from '../../src/template/stack.ts';

/**
 * A nested stack read into its parent keeps every intrinsic's meaning: a Fn::Sub of a parameter the parent passes
 * as an expression, a GetAtt written as one string, a condition of the child's under the nested stack's own.
 */
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nested-stacks-'));
  mkdirSync(join(dir, 'child'));
  writeFileSync(
    join(dir, 'template.yaml'),
    `
Parameters:
  Env: { Type: String, Default: dev }
Conditions:
  WithChild: !Equals [!Ref Env, dev]
Resources:
  Table: { Type: AWS::DynamoDB::Table, Properties: { TableName: parent-table } }
  Child:
    Type: AWS::CloudFormation::Stack
    Condition: WithChild
    Properties:
      TemplateURL: child/stack.yaml
      Parameters:
        TableArn: !GetAtt Table.Arn
Outputs:
  QueueUrl:
    Value: !GetAtt Child.Outputs.QueueUrl
`,
  );
  writeFileSync(
    join(dir, 'child', 'stack.yaml'),
    `
Parameters:
  TableArn: { Type: String }
  Size: { Type: Number, Default: 3 }
Conditions:
  Big: !Equals [!Ref Size, 10]
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub 'q-\${Size}-\${AWS::Region}'
      Tags:
        - { Key: table, Value: !Sub 'for \${TableArn}' }
  BigQueue: { Type: AWS::SQS::Queue, Condition: Big }
  Param:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: { 'Fn::GetAtt': 'Queue.Arn' }
Outputs:
  QueueUrl:
    Value: !Ref Queue
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("reads the child's resources under the nested stack's id, with the parent's passed values", () => {
  const stack = new LocalStack({ templatePath: join(dir, 'template.yaml') });
  expect(stack.templateProblems).toEqual([]);
  const queue = stack.properties('ChildQueue');
  expect(queue.QueueName).toBe('q-3-us-east-1');
  expect(queue.Tags).toEqual([
    { Key: 'table', Value: 'for arn:aws:dynamodb:us-east-1:123456789012:table/parent-table' },
  ]);
  expect(stack.properties('ChildParam').Value).toBe('arn:aws:sqs:us-east-1:123456789012:q-3-us-east-1');
  const outputs = stack.template.Outputs as { QueueUrl: { Value: TemplateValue } };
  expect(stack.resolve(outputs.QueueUrl.Value)).toBe('https://sqs.us-east-1.amazonaws.com/123456789012/q-3-us-east-1');
  expect(stack.ofType('AWS::SQS::Queue').map((resource) => resource.logicalId)).toEqual(['ChildQueue']);
});

it("leaves the child's resources out when the nested stack's own condition is false", () => {
  const stack = new LocalStack({ templatePath: join(dir, 'template.yaml'), parameterOverrides: 'Env=prod' });
  expect(stack.ofType('AWS::SQS::Queue')).toEqual([]);
});

it("takes a child parameter the parent does not pass as the parent's <Stack><Name>", () => {
  const stack = new LocalStack({ templatePath: join(dir, 'template.yaml'), parameterOverrides: 'ChildSize=10' });
  expect(stack.ofType('AWS::SQS::Queue').map((resource) => resource.logicalId)).toEqual([
    'ChildQueue',
    'ChildBigQueue',
  ]);
  expect(stack.properties('ChildQueue').QueueName).toBe('q-10-us-east-1');
});
