import { DescribeTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dynamoDbCaller } from '../../src/services/dynamodb/caller.ts';
import { type DynamoDbService, startDynamoDbService } from '../../src/services/dynamodb/server.ts';
import { simpleTableProperties, tablePlan } from '../../src/services/dynamodb/tables.ts';
import { type StepFunctionsService, startStepFunctionsService } from '../../src/services/stepfunctions/server.ts';
import { authFor, testKey } from './local-auth.ts';
import { FakeServices, machineArn, REGION } from './stepfunctions-fixture.ts';

/**
 * DynamoDB tasks (optimised `arn:aws:states:::dynamodb:*Item` and AWS SDK `arn:aws:states:::aws-sdk:dynamodb:*`) on
 * the local DynamoDB, EXPRESS machines run with StartSyncExecution, and SAM's SimpleTable.
 */
const TABLE = 'Items';
const credentials = testKey;

const crud = {
  StartAt: 'Put',
  States: {
    Put: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:putItem',
      Parameters: { TableName: TABLE, Item: { id: { 'S.$': '$.id' }, colour: { S: 'red' } } },
      ResultPath: '$.put',
      Next: 'Update',
    },
    Update: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:updateItem',
      Parameters: {
        TableName: TABLE,
        Key: { id: { 'S.$': '$.id' } },
        UpdateExpression: 'SET colour = :c',
        ExpressionAttributeValues: { ':c': { S: 'blue' } },
        ReturnValues: 'ALL_NEW',
      },
      ResultPath: '$.update',
      Next: 'Get',
    },
    Get: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:getItem',
      Parameters: { TableName: TABLE, Key: { id: { 'S.$': '$.id' } } },
      ResultPath: '$.get',
      Next: 'Query',
    },
    Query: {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:dynamodb:query',
      Parameters: {
        TableName: TABLE,
        KeyConditionExpression: 'id = :id',
        ExpressionAttributeValues: { ':id': { 'S.$': '$.id' } },
      },
      ResultPath: '$.query',
      Next: 'Delete',
    },
    Delete: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:deleteItem',
      Parameters: { TableName: TABLE, Key: { id: { 'S.$': '$.id' } } },
      ResultPath: null,
      End: true,
    },
  },
};

/** The same conditional put twice: the second fails and is caught, with the integration's own error name. */
const conditional = (resource: string) => ({
  StartAt: 'First',
  States: {
    First: { Type: 'Task', Resource: resource, Parameters: put(), ResultPath: null, Next: 'Again' },
    Again: {
      Type: 'Task',
      Resource: resource,
      Parameters: put(),
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.caught', Next: 'Caught' }],
      End: true,
    },
    Caught: { Type: 'Pass', End: true },
  },
});
const put = () => ({
  TableName: TABLE,
  Item: { id: { 'S.$': '$.id' } },
  ConditionExpression: 'attribute_not_exists(id)',
});

describe('Step Functions DynamoDB tasks and StartSyncExecution', () => {
  let dynamodb: DynamoDbService;
  let stepFunctions: StepFunctionsService;
  let sfn: SFNClient;
  let ddb: DynamoDBClient;

  beforeAll(async () => {
    dynamodb = await startDynamoDbService({
      tables: [{ logicalId: 'ItemsTable', name: TABLE, properties: simpleTableProperties('ItemsTable', {}) }],
      region: REGION,
      auth: authFor(REGION),
    });
    const fakes = new FakeServices();
    const machine = (name: string, definition: unknown, type: 'STANDARD' | 'EXPRESS' = 'EXPRESS') => ({
      name,
      arn: machineArn(name),
      definition: JSON.stringify(definition),
      type,
    });
    stepFunctions = await startStepFunctionsService({
      stateMachines: [
        machine('crud', crud),
        machine('optimised', conditional('arn:aws:states:::dynamodb:putItem')),
        machine('sdk', conditional('arn:aws:states:::aws-sdk:dynamodb:putItem')),
        machine('standard', { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } }, 'STANDARD'),
        machine('failing', { StartAt: 'Fail', States: { Fail: { Type: 'Fail', Error: 'Boom', Cause: 'why' } } }),
      ],
      invokeLambda: fakes.invokeLambda,
      sendMessage: fakes.sendMessage,
      callDynamoDb: dynamoDbCaller({ url: dynamodb.url, region: REGION, credentials }),
      region: REGION,
      accountId: '123456789012',
      auth: authFor(REGION),
    });
    // StartSyncExecution's endpoint is `sync-states.{region}...`: a client pointed at a local URL must not prefix it.
    sfn = new SFNClient({ region: REGION, endpoint: stepFunctions.url, credentials, disableHostPrefix: true });
    ddb = new DynamoDBClient({ region: REGION, endpoint: dynamodb.url, credentials });
  }, 30_000);
  afterAll(async () => {
    sfn.destroy();
    ddb.destroy();
    await stepFunctions.close();
    await dynamodb.close();
  });

  it('runs putItem, updateItem, getItem, deleteItem and aws-sdk:dynamodb:query on the local table', async () => {
    const result = await sfn.send(
      new StartSyncExecutionCommand({ stateMachineArn: machineArn('crud'), input: JSON.stringify({ id: 'a1' }) }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(result.executionArn).toMatch(/:express:crud:/);
    expect(result.billingDetails?.billedDurationInMilliseconds).toBeGreaterThanOrEqual(100);
    const output = JSON.parse(result.output ?? '{}');
    expect(output.update.Attributes).toEqual({ id: { S: 'a1' }, colour: { S: 'blue' } });
    expect(output.get.Item).toEqual({ id: { S: 'a1' }, colour: { S: 'blue' } });
    // The optimised integration adds the SDK's response metadata; the AWS SDK integration answers the bare response.
    expect(output.get.SdkHttpMetadata.HttpStatusCode).toBe(200);
    expect(output.query).toMatchObject({ Count: 1, Items: [{ id: { S: 'a1' }, colour: { S: 'blue' } }] });
    expect(output.query.SdkHttpMetadata).toBeUndefined();
    // deleteItem ran: the item is gone.
    const { Item } = await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'a1' } } }));
    expect(Item).toBeUndefined();
  });

  it('names DynamoDB errors DynamoDB.<Exception> (optimised) and DynamoDb.<Exception> (AWS SDK)', async () => {
    for (const [name, prefix, id] of [
      ['optimised', 'DynamoDB', 'c1'],
      ['sdk', 'DynamoDb', 'c2'],
    ] as const) {
      const result = await sfn.send(
        new StartSyncExecutionCommand({ stateMachineArn: machineArn(name), input: JSON.stringify({ id }) }),
      );
      expect(result.status).toBe('SUCCEEDED');
      const caught = JSON.parse(result.output ?? '{}').caught;
      expect(caught.Error).toBe(`${prefix}.ConditionalCheckFailedException`);
      expect(caught.Cause).toMatch(/conditional request failed/i);
    }
  });

  it('answers a failed EXPRESS execution with its error and cause, and refuses STANDARD machines', async () => {
    const failed = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: machineArn('failing') }));
    expect({ status: failed.status, error: failed.error, cause: failed.cause }).toEqual({
      status: 'FAILED',
      error: 'Boom',
      cause: 'why',
    });
    await expect(
      sfn.send(new StartSyncExecutionCommand({ stateMachineArn: machineArn('standard') })),
    ).rejects.toMatchObject({ name: 'StateMachineTypeNotSupported' });
    // An express execution is not kept by Step Functions: DescribeExecution refuses its ARN.
    await expect(sfn.send(new DescribeExecutionCommand({ executionArn: failed.executionArn }))).rejects.toMatchObject({
      name: 'InvalidArn',
    });
    // StartExecution still runs an EXPRESS machine asynchronously.
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn('failing') }));
    expect(started.executionArn).toMatch(/:express:failing:/);
  });

  it('creates a SimpleTable as SAM does: PrimaryKey (default id, String) as the HASH key, on demand', async () => {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(Table?.KeySchema).toEqual([{ AttributeName: 'id', KeyType: 'HASH' }]);
    expect(Table?.AttributeDefinitions).toEqual([{ AttributeName: 'id', AttributeType: 'S' }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    const numbered = tablePlan({
      logicalId: 'Counters',
      name: 'Counters',
      properties: simpleTableProperties('Counters', {
        PrimaryKey: { Name: 'n', Type: 'Number' },
        ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 },
      }),
    }).create;
    expect(numbered).toMatchObject({
      KeySchema: [{ AttributeName: 'n', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'n', AttributeType: 'N' }],
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 },
    });
    expect(() => simpleTableProperties('Bad', { PrimaryKey: { Name: 'k', Type: 'Bool' } })).toThrow(
      /Bad \(AWS::Serverless::SimpleTable\): PrimaryKey.Type must be String, Number or Binary/,
    );
  });
});
