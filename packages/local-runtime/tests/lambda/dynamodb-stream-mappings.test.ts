import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { dynamoDbStreamSourcesOf } from '../../src/lambda/event-sources/dynamodb-stream-mappings.ts';
import { TableStream } from '../../src/services/dynamodb/stream-store.ts';
import { LocalStack } from '../../src/template/stack.ts';

const dir = mkdtempSync(join(tmpdir(), 'dynamodb-stream-mappings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
      StreamSpecification: { StreamViewType: NEW_IMAGE }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs22.x
      Handler: app.handler
      CodeUri: .
      Events:
        Good:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Orders.StreamArn
            StartingPosition: LATEST
            BatchSize: 5
            MaximumRetryAttempts: 2
            FunctionResponseTypes: [ReportBatchItemFailures]
            ParallelizationFactor: 4
        Off:
          Type: DynamoDB
          Properties: { Stream: !GetAtt Orders.StreamArn, StartingPosition: LATEST, Enabled: false }
        NoPosition:
          Type: DynamoDB
          Properties: { Stream: !GetAtt Orders.StreamArn }
        TooBig:
          Type: DynamoDB
          Properties: { Stream: !GetAtt Orders.StreamArn, StartingPosition: LATEST, BatchSize: 10001 }
        BadFilter:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Orders.StreamArn
            StartingPosition: LATEST
            FilterCriteria: { Filters: [{ Pattern: 'not json' }] }
        Elsewhere:
          Type: DynamoDB
          Properties: { Stream: 'arn:aws:dynamodb:us-east-1:111111111111:table/x/stream/y', StartingPosition: LATEST }
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Orders.StreamArn
      FunctionName: !Ref Fn
      StartingPosition: TRIM_HORIZON
`;

describe('the template DynamoDB stream event sources', () => {
  const templatePath = join(dir, 'template.yaml');
  writeFileSync(templatePath, TEMPLATE);
  const stack = new LocalStack({ templatePath });
  const arn = String(stack.getAtt('Orders', 'StreamArn'));
  const stream = new TableStream({ table: 'orders', arn, viewType: 'NEW_IMAGE', region: stack.region });
  const { mappings, problems } = dynamoDbStreamSourcesOf(
    stack,
    (asked) => (asked === arn ? stream : undefined),
    (name) => (name === 'Fn' || name === String(stack.ref('Fn')) ? 'Fn' : undefined),
  );

  it('reads a SAM DynamoDB event and an EventSourceMapping on the table stream, skipping a disabled one', () => {
    expect(arn).toMatch(/^arn:aws:dynamodb:[^:]+:\d{12}:table\/orders\/stream\/.+$/);
    expect(mappings.map((mapping) => mapping.source)).toEqual(['Fn.Events.Good', 'Mapping']);
    expect(mappings[0]).toMatchObject({
      stream,
      startingPosition: 'LATEST',
      batchSize: 5,
      maximumRetryAttempts: 2,
      reportBatchItemFailures: true,
    });
    expect(mappings[1]).toMatchObject({ startingPosition: 'TRIM_HORIZON', batchSize: 100, maximumRetryAttempts: -1 });
  });

  it('names the mappings it cannot run and the settings it does not apply', () => {
    expect(problems).toEqual([
      'Fn.Events.Good.ParallelizationFactor: one batch at a time per table locally',
      'Fn.Events.NoPosition: StartingPosition must be TRIM_HORIZON or LATEST',
      'Fn.Events.TooBig: BatchSize must be from 1 to 10000',
      expect.stringMatching(/^Fn\.Events\.BadFilter: FilterCriteria\.Filters\[0\]\.Pattern: /),
      'Fn.Events.Elsewhere: stream arn:aws:dynamodb:us-east-1:111111111111:table/x/stream/y is not the stream of a table of this template',
    ]);
  });
});
