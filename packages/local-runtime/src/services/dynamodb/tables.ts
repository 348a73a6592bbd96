import type { CreateTableCommandInput, GlobalSecondaryIndex, LocalSecondaryIndex } from '@aws-sdk/client-dynamodb';
import {
  attributeDefinitionsOf,
  type Fail,
  isObject,
  keySchemaOf,
  listOf,
  nameOf,
  projectionOf,
  streamOf,
  throughputOf,
  ttlAttributeOf,
} from './table-fields.ts';

export interface TableSeed {
  logicalId: string;
  /** The table's physical name (its Ref); the TableName property, if any, has already been resolved into it. */
  name: string;
  /** The resolved properties of the `AWS::DynamoDB::Table`. */
  properties: Record<string, unknown>;
  /** Its GetAtt StreamArn: the ARN its stream's records carry when it has a StreamSpecification. */
  streamArn?: string;
}

export interface TablePlan {
  create: CreateTableCommandInput;
  /** The TTL attribute when TimeToLiveSpecification is enabled. */
  ttlAttribute?: string;
}

/**
 * A table resource of the template as a CreateTable request, or an error naming the resource and what is wrong.
 * Properties CreateTable does not take (SSESpecification, PointInTimeRecoverySpecification, Tags,
 * ContributorInsightsSpecification, DeletionProtectionEnabled, TableClass, ...) change nothing a local caller can
 * observe and are left out; CloudFormation itself validates them on deploy.
 */
export const tablePlan = (seed: TableSeed): TablePlan => {
  const { properties, logicalId } = seed;
  const fail: Fail = (problem) => {
    throw new Error(`${logicalId} (AWS::DynamoDB::Table): ${problem}`);
  };
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(seed.name)) fail(`table name ${JSON.stringify(seed.name)} is not valid`);
  const billing = properties.BillingMode ?? 'PROVISIONED';
  // dynalite accepts PAY_PER_REQUEST as DynamoDB does (its DescribeTable then shows BillingModeSummary and zero
  // capacity), so no throughput needs inventing; it throttles neither mode.
  if (billing !== 'PROVISIONED' && billing !== 'PAY_PER_REQUEST') {
    fail('BillingMode must be PROVISIONED or PAY_PER_REQUEST');
  }
  const provisioned = billing === 'PROVISIONED';
  // DynamoDB refuses capacity on an on-demand table, and so CloudFormation's deploy fails: say so before running.
  const throughput = (value: unknown, where: string) => {
    if (provisioned) return { ProvisionedThroughput: throughputOf(value, where, fail) };
    if (value !== undefined) fail(`${where} must not be given when BillingMode is PAY_PER_REQUEST`);
    return {};
  };

  const definitions = attributeDefinitionsOf(properties.AttributeDefinitions, fail);
  const declared = new Set(definitions.map((definition) => String(definition.AttributeName)));
  const keySchema = keySchemaOf(properties.KeySchema, 'KeySchema', declared, fail);
  const used = new Set(keySchema.map((key) => String(key.AttributeName)));
  const indexNames = new Set<string>();
  const indexName = (value: unknown, where: string) => {
    const name = nameOf(value, `${where}.IndexName`, fail);
    if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(name)) fail(`${where}.IndexName ${JSON.stringify(name)} is not valid`);
    if (indexNames.has(name)) fail(`${where}: index name ${name} is used twice`);
    indexNames.add(name);
    return name;
  };
  const indexKeys = (value: unknown, where: string) => {
    const keys = keySchemaOf(value, `${where}.KeySchema`, declared, fail);
    for (const key of keys) used.add(String(key.AttributeName));
    return keys;
  };

  const globalIndexes = properties.GlobalSecondaryIndexes;
  const gsis: GlobalSecondaryIndex[] | undefined =
    globalIndexes === undefined
      ? undefined
      : listOf(globalIndexes, 'GlobalSecondaryIndexes', fail).map((index, i) => {
          const at = `GlobalSecondaryIndexes[${i}]`;
          if (!isObject(index)) return fail(`${at} must be an object`);
          return {
            IndexName: indexName(index.IndexName, at),
            KeySchema: indexKeys(index.KeySchema, at),
            Projection: projectionOf(index.Projection, `${at}.Projection`, fail),
            ...throughput(index.ProvisionedThroughput, `${at}.ProvisionedThroughput`),
          };
        });

  const localIndexes = properties.LocalSecondaryIndexes;
  const lsis: LocalSecondaryIndex[] | undefined =
    localIndexes === undefined
      ? undefined
      : listOf(localIndexes, 'LocalSecondaryIndexes', fail).map((index, i) => {
          const at = `LocalSecondaryIndexes[${i}]`;
          if (!isObject(index)) return fail(`${at} must be an object`);
          const keys = indexKeys(index.KeySchema, at);
          // A local index shares the table's partition and only sorts it differently.
          if (keys.length !== 2 || keys[0]?.AttributeName !== keySchema[0]?.AttributeName) {
            fail(`${at}.KeySchema must be the table's HASH key and a RANGE key`);
          }
          if (keySchema.length !== 2) fail(`${at}: a local index needs a table with a RANGE key`);
          return {
            IndexName: indexName(index.IndexName, at),
            KeySchema: keys,
            Projection: projectionOf(index.Projection, `${at}.Projection`, fail),
          };
        });

  // DynamoDB refuses attribute definitions no key uses ("number of attributes in key schema must match").
  const unused = [...declared].filter((name) => !used.has(name));
  if (unused.length > 0) fail(`AttributeDefinitions declares ${unused.join(', ')}, which no key schema uses`);

  const create: CreateTableCommandInput = {
    TableName: seed.name,
    AttributeDefinitions: definitions,
    KeySchema: keySchema,
    BillingMode: billing,
    ...throughput(properties.ProvisionedThroughput, 'ProvisionedThroughput'),
    ...(gsis ? { GlobalSecondaryIndexes: gsis } : {}),
    ...(lsis ? { LocalSecondaryIndexes: lsis } : {}),
    ...(properties.StreamSpecification !== undefined
      ? { StreamSpecification: streamOf(properties.StreamSpecification, fail) }
      : {}),
  };
  const ttlAttribute = ttlAttributeOf(properties.TimeToLiveSpecification, fail);
  return { create, ...(ttlAttribute ? { ttlAttribute } : {}) };
};

// SAM's attribute types for a SimpleTable's PrimaryKey (SAM specification, "AWS::Serverless::SimpleTable": PrimaryKey).
const SIMPLE_KEY_TYPES: Record<string, string> = { String: 'S', Number: 'N', Binary: 'B' };

/**
 * The `AWS::DynamoDB::Table` SAM makes of an `AWS::Serverless::SimpleTable` (SAM specification): a single HASH key,
 * PrimaryKey's Name and Type (`id`, String, when PrimaryKey is left out), on-demand billing unless
 * ProvisionedThroughput is given. A Type other than String, Number or Binary fails, naming the table, as SAM's
 * transform does.
 */
export const simpleTableProperties = (
  logicalId: string,
  properties: Record<string, unknown>,
): Record<string, unknown> => {
  const primaryKey = isObject(properties.PrimaryKey) ? properties.PrimaryKey : {};
  const name = String(primaryKey.Name ?? 'id');
  const type = String(primaryKey.Type ?? 'String');
  const attributeType = SIMPLE_KEY_TYPES[type];
  if (!attributeType) {
    throw new Error(
      `${logicalId} (AWS::Serverless::SimpleTable): PrimaryKey.Type must be String, Number or Binary, not ${type}`,
    );
  }
  return {
    AttributeDefinitions: [{ AttributeName: name, AttributeType: attributeType }],
    KeySchema: [{ AttributeName: name, KeyType: 'HASH' }],
    ...(properties.ProvisionedThroughput === undefined
      ? { BillingMode: 'PAY_PER_REQUEST' }
      : { BillingMode: 'PROVISIONED', ProvisionedThroughput: properties.ProvisionedThroughput }),
    ...(properties.SSESpecification === undefined ? {} : { SSESpecification: properties.SSESpecification }),
  };
};
