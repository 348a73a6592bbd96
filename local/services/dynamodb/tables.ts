import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export interface TableSeed {
  logicalId: string;
  /** The table's physical name (its Ref). */
  name: string;
  /** The resolved properties of the `AWS::DynamoDB::Table`. */
  properties: Record<string, unknown>;
}

export interface TablePlan {
  create: CreateTableCommandInput;
  /** The TTL attribute when TimeToLiveSpecification is enabled. */
  ttlAttribute?: string;
}

// Properties of AWS::DynamoDB::Table that CreateTable takes as they are. The others (SSESpecification,
// PointInTimeRecoverySpecification, Tags, ContributorInsights, ...) change nothing a local caller can observe.
const PASSED_THROUGH = [
  'AttributeDefinitions',
  'KeySchema',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'BillingMode',
  'ProvisionedThroughput',
  'StreamSpecification',
] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A table resource of the template as a CreateTable request, or an error naming the resource and what is wrong. */
export const tablePlan = (seed: TableSeed): TablePlan => {
  const { properties, logicalId } = seed;
  if (!Array.isArray(properties.KeySchema) || properties.KeySchema.length === 0) {
    throw new Error(`${logicalId}: KeySchema is required`);
  }
  if (!Array.isArray(properties.AttributeDefinitions) || properties.AttributeDefinitions.length === 0) {
    throw new Error(`${logicalId}: AttributeDefinitions is required`);
  }
  const create: Record<string, unknown> = { TableName: seed.name };
  for (const key of PASSED_THROUGH) if (properties[key] !== undefined) create[key] = properties[key];
  // CloudFormation's default billing mode is PROVISIONED, which needs throughput numbers; the values do not matter
  // locally, as dynalite does not throttle.
  if (create.BillingMode === undefined && create.ProvisionedThroughput === undefined) {
    create.ProvisionedThroughput = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
  }
  if (isObject(create.StreamSpecification) && create.StreamSpecification.StreamEnabled === undefined) {
    create.StreamSpecification = { StreamEnabled: true, ...create.StreamSpecification };
  }
  const ttl = properties.TimeToLiveSpecification;
  const ttlAttribute =
    isObject(ttl) && (ttl.Enabled === true || ttl.Enabled === 'true') && typeof ttl.AttributeName === 'string'
      ? ttl.AttributeName
      : undefined;
  return { create: create as unknown as CreateTableCommandInput, ...(ttlAttribute ? { ttlAttribute } : {}) };
};
