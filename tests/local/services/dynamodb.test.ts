import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type DynamoDbService, startDynamoDbService } from '../../../local/services/dynamodb/server.ts';
import { tablePlan } from '../../../local/services/dynamodb/tables.ts';
import { LocalStack } from '../../../local/template/stack.ts';

const stack = new LocalStack({ templatePath: 'template.yaml', configEnv: 'test' });
const table = {
  logicalId: 'ConnectionsTable',
  name: stack.ref('ConnectionsTable'),
  properties: stack.properties('ConnectionsTable'),
};

const connect = (service: DynamoDbService) => {
  const client = new DynamoDBClient({
    region: 'eu-west-1',
    endpoint: service.url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return { client, doc: DynamoDBDocumentClient.from(client) };
};

describe('the template table as CreateTable', () => {
  it('keeps keys, GSIs and billing mode, and finds the TTL attribute', () => {
    const plan = tablePlan(table);
    expect(plan.create).toMatchObject({
      TableName: table.name,
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [expect.objectContaining({ IndexName: 'byOrder' })],
    });
    expect(plan.create).not.toHaveProperty('SSESpecification');
    expect(plan.ttlAttribute).toBe('expiresAt');
  });

  it('names the resource when its keys are missing', () => {
    expect(() => tablePlan({ logicalId: 'Bad', name: 'bad', properties: { AttributeDefinitions: [] } })).toThrow(
      'Bad: KeySchema is required',
    );
  });
});

describe('local DynamoDB (dynalite)', () => {
  let service: DynamoDbService;
  let connection: ReturnType<typeof connect>;

  beforeAll(async () => {
    service = await startDynamoDbService({ tables: [table], region: 'eu-west-1', sweepIntervalMs: 50 });
    connection = connect(service);
  });

  afterAll(async () => {
    connection.client.destroy();
    await service.close();
  });

  it('creates the table with its key schema and GSI, and serves reads, writes and index queries', async () => {
    const { Table } = await connection.client.send(new DescribeTableCommand({ TableName: table.name }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe('byOrder');
    await connection.doc.send(
      new PutCommand({
        TableName: table.name,
        Item: { pk: 'CONN#c1', sk: 'SUB#o1', orderId: 'o1', connectionId: 'c1' },
      }),
    );
    const { Item } = await connection.doc.send(
      new GetCommand({ TableName: table.name, Key: { pk: 'CONN#c1', sk: 'SUB#o1' } }),
    );
    expect(Item).toMatchObject({ orderId: 'o1' });
    const { Items } = await connection.doc.send(
      new QueryCommand({
        TableName: table.name,
        IndexName: 'byOrder',
        KeyConditionExpression: 'orderId = :o',
        ExpressionAttributeValues: { ':o': 'o1' },
      }),
    );
    expect(Items?.map((item) => item.connectionId)).toEqual(['c1']);
  });

  it('deletes items whose TTL attribute is in the past, and keeps the others', async () => {
    const past = Math.floor(Date.now() / 1000) - 10;
    const future = past + 3600;
    await connection.doc.send(
      new PutCommand({ TableName: table.name, Item: { pk: 'old', sk: 'META', expiresAt: past } }),
    );
    await connection.doc.send(
      new PutCommand({ TableName: table.name, Item: { pk: 'new', sk: 'META', expiresAt: future } }),
    );
    const deadline = Date.now() + 5000;
    let old: unknown = {};
    while (old && Date.now() < deadline) {
      old = (await connection.doc.send(new GetCommand({ TableName: table.name, Key: { pk: 'old', sk: 'META' } }))).Item;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(old).toBeUndefined();
    const kept = await connection.doc.send(new GetCommand({ TableName: table.name, Key: { pk: 'new', sk: 'META' } }));
    expect(kept.Item).toBeDefined();
  });

  it('answers a request missing a required field with ValidationException', async () => {
    await expect(
      connection.doc.send(new GetCommand({ TableName: table.name, Key: { pk: 'x' } })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});

describe('--persist', () => {
  it('keeps the data of a table between runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dynamodb-persist-'));
    try {
      const first = await startDynamoDbService({ tables: [table], region: 'eu-west-1', persistDir: dir });
      const one = connect(first);
      try {
        await one.doc.send(new PutCommand({ TableName: table.name, Item: { pk: 'kept', sk: 'META' } }));
      } finally {
        one.client.destroy();
        await first.close();
      }
      const second = await startDynamoDbService({ tables: [table], region: 'eu-west-1', persistDir: dir });
      const two = connect(second);
      try {
        const { Item } = await two.doc.send(new GetCommand({ TableName: table.name, Key: { pk: 'kept', sk: 'META' } }));
        expect(Item).toEqual({ pk: 'kept', sk: 'META' });
      } finally {
        two.client.destroy();
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
