import type {
  AttributeDefinition,
  KeySchemaElement,
  KeyType,
  Projection,
  ProvisionedThroughput,
  StreamSpecification,
} from '@aws-sdk/client-dynamodb';

/**
 * Readers of the fields of an AWS::DynamoDB::Table, each checking what DynamoDB's CreateTable would refuse and
 * reporting it through `fail` with the property path (`GlobalSecondaryIndexes[0].Projection`).
 */

export type Props = Record<string, unknown>;
export type Fail = (problem: string) => never;

export const isObject = (value: unknown): value is Props =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// Resolved parameters and Fn::If results reach us as strings: CloudFormation accepts "5" for a number and "true" for a
// boolean, so the local runtime does too.
export const booleanOf = (value: unknown, where: string, fail: Fail): boolean => {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return fail(`${where} must be true or false`);
};

export const capacityOf = (value: unknown, where: string, fail: Fail): number => {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
    return fail(`${where} must be a whole number of at least 1`);
  }
  return number;
};

export const listOf = (value: unknown, where: string, fail: Fail): unknown[] => {
  if (!Array.isArray(value) || value.length === 0) return fail(`${where} is required (a non-empty list)`);
  return value;
};

export const nameOf = (value: unknown, where: string, fail: Fail): string => {
  if (typeof value !== 'string' || value === '') return fail(`${where} is required (a string)`);
  return value;
};

export const throughputOf = (value: unknown, where: string, fail: Fail): ProvisionedThroughput => {
  if (!isObject(value)) return fail(`${where} is required when BillingMode is PROVISIONED (the default)`);
  return {
    ReadCapacityUnits: capacityOf(value.ReadCapacityUnits, `${where}.ReadCapacityUnits`, fail),
    WriteCapacityUnits: capacityOf(value.WriteCapacityUnits, `${where}.WriteCapacityUnits`, fail),
  };
};

/** One HASH key, then at most one RANGE key, each a declared attribute: what DynamoDB accepts. */
export const keySchemaOf = (value: unknown, where: string, declared: Set<string>, fail: Fail): KeySchemaElement[] => {
  const keys = listOf(value, where, fail);
  if (keys.length > 2) fail(`${where} has ${keys.length} keys; at most a HASH and a RANGE key`);
  const schema = keys.map((key, i): KeySchemaElement => {
    const at = `${where}[${i}]`;
    if (!isObject(key)) return fail(`${at} must be an object`);
    const name = nameOf(key.AttributeName, `${at}.AttributeName`, fail);
    const expected: KeyType = i === 0 ? 'HASH' : 'RANGE';
    if (key.KeyType !== expected) fail(`${at}.KeyType must be ${expected}`);
    if (!declared.has(name)) fail(`${at}: attribute ${name} is not in AttributeDefinitions`);
    return { AttributeName: name, KeyType: expected };
  });
  if (schema.length === 2 && schema[0]?.AttributeName === schema[1]?.AttributeName) {
    fail(`${where} uses ${String(schema[0]?.AttributeName)} as both the HASH and the RANGE key`);
  }
  return schema;
};

export const projectionOf = (value: unknown, where: string, fail: Fail): Projection => {
  if (!isObject(value)) return fail(`${where} is required`);
  const type = value.ProjectionType ?? 'KEYS_ONLY';
  if (type !== 'ALL' && type !== 'KEYS_ONLY' && type !== 'INCLUDE') {
    return fail(`${where}.ProjectionType must be ALL, KEYS_ONLY or INCLUDE`);
  }
  if (type !== 'INCLUDE') return { ProjectionType: type };
  const attributes = listOf(value.NonKeyAttributes, `${where}.NonKeyAttributes`, fail);
  return {
    ProjectionType: type,
    NonKeyAttributes: attributes.map((name, i) => nameOf(name, `${where}.NonKeyAttributes[${i}]`, fail)),
  };
};

export const attributeDefinitionsOf = (value: unknown, fail: Fail): AttributeDefinition[] =>
  listOf(value, 'AttributeDefinitions', fail).map((definition, i) => {
    const at = `AttributeDefinitions[${i}]`;
    if (!isObject(definition)) return fail(`${at} must be an object`);
    const type = definition.AttributeType;
    if (type !== 'S' && type !== 'N' && type !== 'B') return fail(`${at}.AttributeType must be S, N or B`);
    return { AttributeName: nameOf(definition.AttributeName, `${at}.AttributeName`, fail), AttributeType: type };
  });

// CloudFormation's StreamSpecification is only the view type; CreateTable also wants StreamEnabled. dynalite accepts
// and ignores it (it has no streams), so this only keeps the request what DynamoDB would be sent.
export const streamOf = (value: unknown, fail: Fail): StreamSpecification => {
  const type = isObject(value) ? value.StreamViewType : undefined;
  if (type !== 'NEW_IMAGE' && type !== 'OLD_IMAGE' && type !== 'NEW_AND_OLD_IMAGES' && type !== 'KEYS_ONLY') {
    return fail('StreamSpecification.StreamViewType must be NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES or KEYS_ONLY');
  }
  return { StreamEnabled: true, StreamViewType: type };
};

export const ttlAttributeOf = (value: unknown, fail: Fail): string | undefined => {
  if (value === undefined) return undefined;
  if (!isObject(value)) return fail('TimeToLiveSpecification must be an object');
  if (!booleanOf(value.Enabled, 'TimeToLiveSpecification.Enabled', fail)) return undefined;
  return nameOf(value.AttributeName, 'TimeToLiveSpecification.AttributeName', fail);
};
