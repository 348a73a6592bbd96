import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type UpdateTimeToLiveCommandInput,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DynamoDbService, startDynamoDbService } from '../../src/services/dynamodb/server.ts';
import { tablePlan } from '../../src/services/dynamodb/tables.ts';
import { LocalStack } from '../../src/template/stack.ts';
import { authFor, testKey } from './local-auth.ts';

const REGION = 'eu-west-1';
const stack = new LocalStack({ templatePath: 'template.yaml', configEnv: 'test' });
const table = {
  logicalId: 'ConnectionsTable',
  name: stack.ref('ConnectionsTable'),
  properties: stack.properties('ConnectionsTable'),
};

const connect = (service: DynamoDbService) => {
  const client = new DynamoDBClient({
    region: REGION,
    endpoint: service.url,
    credentials: testKey,
  });
  return { client, doc: DynamoDBDocumentClient.from(client) };
};

/** Polls until `check` holds: the sweeper runs on its own timer, so no fixed sleep is long enough or short enough. */
const eventually = async (check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const freePort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
};

const keys = [
  { AttributeName: 'pk', KeyType: 'HASH' },
  { AttributeName: 'sk', KeyType: 'RANGE' },
];
const definitions = [
  { AttributeName: 'pk', AttributeType: 'S' },
  { AttributeName: 'sk', AttributeType: 'S' },
];
const onDemand = { BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: definitions, KeySchema: keys };

describe('an AWS::DynamoDB::Table as CreateTable', () => {
  it('keeps the template table keys, GSI and on-demand billing, drops what CreateTable does not take', () => {
    const plan = tablePlan(table);
    expect(plan.create).toEqual({
      TableName: table.name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: table.properties.AttributeDefinitions,
      KeySchema: keys,
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byOrder',
          KeySchema: [
            { AttributeName: 'orderId', KeyType: 'HASH' },
            { AttributeName: 'connectionId', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
    expect(plan.ttlAttribute).toBe('expiresAt');
  });

  it('reads provisioned capacity, local indexes and streams, with numbers and booleans given as strings', () => {
    const plan = tablePlan({
      logicalId: 'Orders',
      name: 'orders-test',
      properties: {
        AttributeDefinitions: [...definitions, { AttributeName: 'createdAt', AttributeType: 'N' }],
        KeySchema: keys,
        ProvisionedThroughput: { ReadCapacityUnits: '2', WriteCapacityUnits: 3 },
        LocalSecondaryIndexes: [
          {
            IndexName: 'byCreatedAt',
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'createdAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['status'] },
          },
        ],
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: 'false' },
        Tags: [{ Key: 'team', Value: 'orders' }],
      },
    });
    expect(plan.create).toMatchObject({
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 },
      LocalSecondaryIndexes: [{ IndexName: 'byCreatedAt', Projection: { NonKeyAttributes: ['status'] } }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    });
    expect(plan.create).not.toHaveProperty('Tags');
    expect(plan.ttlAttribute).toBeUndefined();
  });

  const gsi = { IndexName: 'bySk', KeySchema: [{ AttributeName: 'sk', KeyType: 'HASH' }], Projection: {} };
  it.each<[string, Record<string, unknown>, string]>([
    ['no KeySchema', { ...onDemand, KeySchema: undefined }, 'KeySchema is required'],
    ['no AttributeDefinitions', { ...onDemand, AttributeDefinitions: [] }, 'AttributeDefinitions is required'],
    [
      'an unknown attribute type',
      { ...onDemand, AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'X' }] },
      'AttributeDefinitions[0].AttributeType must be S, N or B',
    ],
    ['a RANGE key first', { ...onDemand, KeySchema: [keys[1], keys[0]] }, 'KeySchema[0].KeyType must be HASH'],
    [
      'an undeclared key attribute',
      { ...onDemand, KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }] },
      'KeySchema[0]: attribute id is not in AttributeDefinitions',
    ],
    [
      'the same attribute as both keys',
      { ...onDemand, KeySchema: [keys[0], { AttributeName: 'pk', KeyType: 'RANGE' }] },
      'KeySchema uses pk as both the HASH and the RANGE key',
    ],
    [
      'an attribute no key uses',
      { ...onDemand, KeySchema: [keys[0]] },
      'AttributeDefinitions declares sk, which no key schema uses',
    ],
    ['an unknown billing mode', { ...onDemand, BillingMode: 'ON_DEMAND' }, 'BillingMode must be'],
    [
      'PROVISIONED without capacity',
      { ...onDemand, BillingMode: undefined },
      'ProvisionedThroughput is required when BillingMode is PROVISIONED',
    ],
    [
      'a capacity of 0',
      {
        ...onDemand,
        BillingMode: 'PROVISIONED',
        ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 1 },
      },
      'ProvisionedThroughput.ReadCapacityUnits must be a whole number of at least 1',
    ],
    [
      'capacity on an on-demand table',
      { ...onDemand, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } },
      'ProvisionedThroughput must not be given when BillingMode is PAY_PER_REQUEST',
    ],
    [
      'a GSI without a projection',
      { ...onDemand, GlobalSecondaryIndexes: [{ ...gsi, Projection: undefined }] },
      'GlobalSecondaryIndexes[0].Projection is required',
    ],
    [
      'two indexes of one name',
      { ...onDemand, GlobalSecondaryIndexes: [gsi, gsi] },
      'GlobalSecondaryIndexes[1]: index name bySk is used twice',
    ],
    [
      'a local index on another partition key',
      {
        ...onDemand,
        LocalSecondaryIndexes: [{ IndexName: 'bySk', KeySchema: [{ AttributeName: 'sk', KeyType: 'HASH' }] }],
      },
      "LocalSecondaryIndexes[0].KeySchema must be the table's HASH key and a RANGE key",
    ],
    [
      'an unknown stream view type',
      { ...onDemand, StreamSpecification: { StreamViewType: 'ALL' } },
      'StreamSpecification.StreamViewType must be',
    ],
    [
      'TTL enabled without an attribute',
      { ...onDemand, TimeToLiveSpecification: { Enabled: true } },
      'TimeToLiveSpecification.AttributeName is required',
    ],
    [
      'TTL enabled by something not a boolean',
      { ...onDemand, TimeToLiveSpecification: { Enabled: 'yes', AttributeName: 'expiresAt' } },
      'TimeToLiveSpecification.Enabled must be true or false',
    ],
  ])('refuses %s, naming the resource', (_, properties, problem) => {
    expect(() => tablePlan({ logicalId: 'Broken', name: 'broken', properties })).toThrow(
      `Broken (AWS::DynamoDB::Table): ${problem}`,
    );
  });

  it('refuses a physical name DynamoDB would refuse', () => {
    expect(() => tablePlan({ logicalId: 'Broken', name: 'a b', properties: onDemand })).toThrow(
      'Broken (AWS::DynamoDB::Table): table name "a b" is not valid',
    );
  });
});

describe('local DynamoDB (dynalite)', () => {
  let service: DynamoDbService;
  let connection: ReturnType<typeof connect>;
  const lines: string[] = [];

  beforeAll(async () => {
    service = await startDynamoDbService({
      tables: [table],
      region: REGION,
      auth: authFor(REGION),
      sweepIntervalMs: 50,
      log: (line) => lines.push(line),
    });
    connection = connect(service);
  });

  afterAll(async () => {
    connection.client.destroy();
    await service.close();
  });

  it('creates the template table ACTIVE, with its key schema, GSI and billing mode', async () => {
    expect(service.name).toBe('dynamodb');
    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { Table } = await connection.client.send(new DescribeTableCommand({ TableName: table.name }));
    expect(Table).toMatchObject({
      TableStatus: 'ACTIVE',
      KeySchema: keys,
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
      GlobalSecondaryIndexes: [
        expect.objectContaining({
          IndexName: 'byOrder',
          IndexStatus: 'ACTIVE',
          KeySchema: [
            { AttributeName: 'orderId', KeyType: 'HASH' },
            { AttributeName: 'connectionId', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        }),
      ],
    });
  });

  it('serves writes, reads and queries on the table and on the byOrder index', async () => {
    const { doc } = connection;
    await doc.send(new PutCommand({ TableName: table.name, Item: { pk: 'CONN#c1', sk: 'META', connectionId: 'c1' } }));
    for (const [connectionId, orderId] of [
      ['c1', 'o1'],
      ['c2', 'o1'],
      ['c1', 'o2'],
    ]) {
      await doc.send(
        new PutCommand({
          TableName: table.name,
          Item: { pk: `CONN#${connectionId}`, sk: `SUB#${orderId}`, orderId, connectionId },
        }),
      );
    }
    const { Item } = await doc.send(new GetCommand({ TableName: table.name, Key: { pk: 'CONN#c1', sk: 'SUB#o1' } }));
    expect(Item).toEqual({ pk: 'CONN#c1', sk: 'SUB#o1', orderId: 'o1', connectionId: 'c1' });
    const own = await doc.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sub)',
        ExpressionAttributeValues: { ':pk': 'CONN#c1', ':sub': 'SUB#' },
      }),
    );
    expect(own.Items?.map((item) => item.orderId)).toEqual(['o1', 'o2']);
    const followers = await doc.send(
      new QueryCommand({
        TableName: table.name,
        IndexName: 'byOrder',
        KeyConditionExpression: 'orderId = :o',
        ExpressionAttributeValues: { ':o': 'o1' },
      }),
    );
    expect(followers.Items?.map((item) => item.connectionId)).toEqual(['c1', 'c2']);
    const counts = await service.tables();
    expect(counts).toEqual([{ name: table.name, itemCount: expect.any(Number), ttlAttribute: 'expiresAt' }]);
    expect(counts[0]?.itemCount).toBeGreaterThanOrEqual(4);
  });

  it('deletes items whose TTL lies in the past, as DynamoDB does, and keeps every other item', async () => {
    const { doc } = connection;
    const now = Math.floor(Date.now() / 1000);
    const put = (pk: string, expiresAt?: unknown) =>
      doc.send(new PutCommand({ TableName: table.name, Item: { pk, sk: 'TTL', ...(expiresAt ? { expiresAt } : {}) } }));
    await put('future', now + 3600);
    await put('no-ttl');
    await put('string-ttl', String(now - 10)); // DynamoDB only expires a Number
    await put('ancient', now - 6 * 365 * 24 * 3600); // more than five years past: DynamoDB leaves it
    await put('expired', now - 10);
    const exists = async (pk: string) =>
      (await doc.send(new GetCommand({ TableName: table.name, Key: { pk, sk: 'TTL' } }))).Item !== undefined;
    await eventually(async () => !(await exists('expired')));
    // The sweep that deleted `expired` scanned the items written before it.
    for (const kept of ['future', 'no-ttl', 'string-ttl', 'ancient']) expect(await exists(kept)).toBe(true);
    expect(lines).toContain(`[dynamodb] ${table.name}: 1 expired items deleted (TTL)`);
  });

  it('describes the TTL of the template table, which dynalite alone reports DISABLED', async () => {
    const { TimeToLiveDescription } = await connection.client.send(
      new DescribeTimeToLiveCommand({ TableName: table.name }),
    );
    expect(TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });

  it('enables and disables TTL on a table created at run time, and sweeps it while enabled', async () => {
    const { client, doc } = connection;
    const name = 'sessions-runtime';
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    const describeTtl = async () =>
      (await client.send(new DescribeTimeToLiveCommand({ TableName: name }))).TimeToLiveDescription;
    expect(await describeTtl()).toEqual({ TimeToLiveStatus: 'DISABLED' });
    const enable = { TableName: name, TimeToLiveSpecification: { Enabled: true, AttributeName: 'until' } };
    const updated = await client.send(new UpdateTimeToLiveCommand(enable));
    expect(updated.TimeToLiveSpecification).toEqual({ Enabled: true, AttributeName: 'until' });
    expect(await describeTtl()).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'until' });
    await expect(client.send(new UpdateTimeToLiveCommand(enable))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'TimeToLive is already enabled',
    });

    await doc.send(new PutCommand({ TableName: name, Item: { id: 'gone', until: Math.floor(Date.now() / 1000) - 1 } }));
    await eventually(
      async () => (await doc.send(new GetCommand({ TableName: name, Key: { id: 'gone' } }))).Item === undefined,
    );

    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { Enabled: false, AttributeName: 'until' },
      }),
    );
    expect(await describeTtl()).toEqual({ TimeToLiveStatus: 'DISABLED' });
  });

  it('answers the TTL operations on a missing table or without a specification as DynamoDB does', async () => {
    const { client } = connection;
    await expect(client.send(new DescribeTimeToLiveCommand({ TableName: 'nowhere' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(
      client.send(new UpdateTimeToLiveCommand({ TableName: table.name } as UpdateTimeToLiveCommandInput)),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("'timeToLiveSpecification'"),
    });
  });

  it('serves each item operation with the table as the last CreateTable, UpdateTable or DeleteTable left it', async () => {
    // The definitions are cached in front of dynalite's store (table-cache.ts): a stale one would report the old
    // capacity, take the old key schema or find a deleted table.
    const { client, doc } = connection;
    const name = 'definitions-change';
    const status = () =>
      client.send(new DescribeTableCommand({ TableName: name })).then(
        (answer) => answer.Table?.TableStatus,
        () => 'GONE',
      );
    // A table takes item operations once ACTIVE, as DynamoDB's (CreateTable answers CREATING).
    const create = async (key: string) => {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        }),
      );
      await eventually(async () => (await status()) === 'ACTIVE');
    };
    await create('id');
    await doc.send(new PutCommand({ TableName: name, Item: { id: 'a' } }));
    const throughput = { ReadCapacityUnits: 7, WriteCapacityUnits: 3 };
    await client.send(
      new UpdateTableCommand({ TableName: name, BillingMode: 'PROVISIONED', ProvisionedThroughput: throughput }),
    );
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    expect(Table?.ProvisionedThroughput).toMatchObject(throughput);
    await doc.send(new PutCommand({ TableName: name, Item: { id: 'b' } }));
    await client.send(new DeleteTableCommand({ TableName: name }));
    await eventually(async () => (await status()) === 'GONE');
    await expect(doc.send(new PutCommand({ TableName: name, Item: { id: 'c' } }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await create('code');
    await expect(doc.send(new PutCommand({ TableName: name, Item: { id: 'd' } }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await doc.send(new PutCommand({ TableName: name, Item: { code: 'e' } }));
    expect((await doc.send(new GetCommand({ TableName: name, Key: { code: 'e' } }))).Item).toEqual({ code: 'e' });
  });

  it('answers a request missing a required field with ValidationException', async () => {
    await expect(
      connection.doc.send(new GetCommand({ TableName: table.name, Key: { pk: 'x' } })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'The provided key element does not match the schema',
    });
  });
});

describe('start-up', () => {
  it('refuses a broken table, naming it, and releases its port', async () => {
    const broken = { logicalId: 'Broken', name: 'broken', properties: { KeySchema: keys } };
    const port = await freePort();
    await expect(
      startDynamoDbService({ tables: [broken], region: REGION, auth: authFor(REGION), port }),
    ).rejects.toThrow('Broken (AWS::DynamoDB::Table): AttributeDefinitions is required');
    const again = await startDynamoDbService({ tables: [], region: REGION, auth: authFor(REGION), port });
    await again.close();
  });
});

describe('persistence (persistDir)', () => {
  it('keeps the data of a table between runs, and the template TTL setting with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dynamodb-persist-'));
    try {
      const first = await startDynamoDbService({
        tables: [table],
        region: REGION,
        auth: authFor(REGION),
        persistDir: dir,
      });
      const one = connect(first);
      try {
        await one.doc.send(new PutCommand({ TableName: table.name, Item: { pk: 'kept', sk: 'META' } }));
      } finally {
        one.client.destroy();
        await first.close();
      }
      const second = await startDynamoDbService({
        tables: [table],
        region: REGION,
        auth: authFor(REGION),
        persistDir: dir,
      });
      const two = connect(second);
      try {
        const { Item } = await two.doc.send(new GetCommand({ TableName: table.name, Key: { pk: 'kept', sk: 'META' } }));
        expect(Item).toEqual({ pk: 'kept', sk: 'META' });
        expect(await second.tables()).toEqual([{ name: table.name, itemCount: 1, ttlAttribute: 'expiresAt' }]);
      } finally {
        two.client.destroy();
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start on a directory another runtime holds, saying so, and leaves that one serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dynamodb-persist-'));
    const auth = authFor(REGION);
    const first = await startDynamoDbService({ tables: [table], region: REGION, auth, persistDir: dir });
    const one = connect(first);
    try {
      await expect(startDynamoDbService({ tables: [table], region: REGION, auth, persistDir: dir })).rejects.toThrow(
        `the local DynamoDB could not start on ${dir} (is another runtime using it?)`,
      );
      await one.doc.send(new PutCommand({ TableName: table.name, Item: { pk: 'still', sk: 'META' } }));
    } finally {
      one.client.destroy();
      await first.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
