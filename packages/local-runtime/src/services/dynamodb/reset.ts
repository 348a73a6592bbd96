import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  paginateListTables,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { LocalEndpoint } from '../../gateway/integrations/aws-service.ts';
import { type TableSeed, tablePlan } from './tables.ts';

const until = async (what: string, done: () => Promise<boolean>): Promise<void> => {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`DynamoDB: ${what}`);
};

/** A deleted table's TTL setting may outlive it in the endpoint: it is set as the template says, whatever it was. */
const enableTtl = async (client: DynamoDBClient, table: string, attribute: string): Promise<void> => {
  const { TimeToLiveDescription: now } = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
  if (now?.TimeToLiveStatus === 'ENABLED' && now.AttributeName === attribute) return;
  const update = (AttributeName: string, Enabled: boolean) =>
    client.send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { AttributeName, Enabled } }));
  if (now?.TimeToLiveStatus === 'ENABLED' && now.AttributeName) await update(now.AttributeName, false);
  await update(attribute, true);
};

/**
 * Back to the template's tables, empty (the runtime's reset): every table is deleted and the template's created again
 * with their TTL settings, through the DynamoDB API itself (whatever runs the endpoint), as a caller would.
 */
export const resetTables = async (endpoint: LocalEndpoint, seeds: TableSeed[]): Promise<void> => {
  const client = new DynamoDBClient({
    endpoint: endpoint.url,
    region: endpoint.region,
    credentials: endpoint.credentials,
  });
  try {
    const names: string[] = [];
    for await (const page of paginateListTables({ client }, {})) names.push(...(page.TableNames ?? []));
    const exists = (name: string) =>
      client.send(new DescribeTableCommand({ TableName: name })).then(
        (answer) => answer.Table?.TableStatus,
        (error: unknown) => {
          if (error instanceof ResourceNotFoundException) return undefined;
          throw error;
        },
      );
    await Promise.all(
      names.map(async (name) => {
        await client.send(new DeleteTableCommand({ TableName: name }));
        await until(`table ${name} was not deleted`, async () => (await exists(name)) === undefined);
      }),
    );
    for (const seed of seeds) {
      const plan = tablePlan(seed);
      await client.send(new CreateTableCommand(plan.create));
      await until(`table ${seed.name} did not become ACTIVE`, async () => (await exists(seed.name)) === 'ACTIVE');
      if (plan.ttlAttribute) await enableTtl(client, seed.name, plan.ttlAttribute);
    }
  } finally {
    client.destroy();
  }
};
