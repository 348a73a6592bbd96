import type { IncomingMessage, ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import { wrongTypeMessage } from '../shared/aws-json.ts';

/** The TTL attribute of every table with TTL enabled, by table name: what the sweeper deletes by. */
export type TtlSettings = Map<string, string>;

const OPERATIONS = ['DescribeTimeToLive', 'UpdateTimeToLive'] as const;
export type TtlOperation = (typeof OPERATIONS)[number];

/**
 * dynalite 4 answers DescribeTimeToLive with DISABLED whatever the table, and UpdateTimeToLive with
 * UnknownOperationException; these two targets are answered here, from the TTL settings the sweeper uses.
 */
export const ttlOperationOf = (request: IncomingMessage): TtlOperation | undefined => {
  if (request.method !== 'POST') return undefined;
  const target = String(request.headers['x-amz-target'] ?? '');
  return OPERATIONS.find((operation) => target === `DynamoDB_20120810.${operation}`);
};

class DynamoDbError extends Error {
  readonly type: string;

  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

// DynamoDB's own wording for a field that fails its model, which the SDK surfaces as ValidationException.
const invalid = (field: string, value: unknown, constraint: string) =>
  new DynamoDbError(
    'com.amazon.coral.validate#ValidationException',
    `1 validation error detected: Value ${value === undefined ? 'null' : `'${String(value)}'`} at '${field}' failed to satisfy constraint: ${constraint}`,
  );

const SERIALIZATION = 'com.amazon.coral.service#SerializationException';

/** A member that is neither absent nor of its type: refused as DynamoDB's deserializer refuses it. */
const wrongType = (value: unknown, type: 'string' | 'boolean'): void => {
  if (value !== undefined && value !== null && typeof value !== type)
    throw new DynamoDbError(SERIALIZATION, wrongTypeMessage(value));
};

const tableNameOf = (input: Record<string, unknown>): string => {
  const name = input.TableName;
  wrongType(name, 'string');
  if (typeof name !== 'string') throw invalid('tableName', name, 'Member must not be null');
  if (!/^[a-zA-Z0-9_.-]{3,255}$/.test(name)) {
    throw invalid('tableName', name, 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+');
  }
  return name;
};

const describe = (ttl: TtlSettings, table: string) => {
  const attribute = ttl.get(table);
  return {
    TimeToLiveDescription: attribute
      ? { TimeToLiveStatus: 'ENABLED', AttributeName: attribute }
      : { TimeToLiveStatus: 'DISABLED' },
  };
};

// Unlike DynamoDB, the change is immediate (no ENABLING state, no one-hour wait before the next change).
const update = (ttl: TtlSettings, table: string, input: Record<string, unknown>) => {
  const spec = input.TimeToLiveSpecification;
  if (typeof spec !== 'object' || spec === null)
    throw invalid('timeToLiveSpecification', undefined, 'Member must not be null');
  const { Enabled: enabled, AttributeName: attribute } = spec as Record<string, unknown>;
  wrongType(enabled, 'boolean');
  wrongType(attribute, 'string');
  if (typeof enabled !== 'boolean')
    throw invalid('timeToLiveSpecification.enabled', undefined, 'Member must not be null');
  if (typeof attribute !== 'string' || attribute === '') {
    throw invalid(
      'timeToLiveSpecification.attributeName',
      attribute,
      'Member must have length greater than or equal to 1',
    );
  }
  const current = ttl.get(table);
  if (enabled && current)
    throw new DynamoDbError('com.amazon.coral.validate#ValidationException', 'TimeToLive is already enabled');
  if (!enabled && !current)
    throw new DynamoDbError('com.amazon.coral.validate#ValidationException', 'TimeToLive is already disabled');
  if (!enabled && current !== attribute) {
    throw new DynamoDbError(
      'com.amazon.coral.validate#ValidationException',
      `TimeToLive is active on a different AttributeName: current AttributeName is ${current}`,
    );
  }
  if (enabled) ttl.set(table, attribute);
  else ttl.delete(table);
  return { TimeToLiveSpecification: { Enabled: enabled, AttributeName: attribute } };
};

/** An answer of the local DynamoDB written by the runtime itself (the DynamoDB emulation runs in a worker thread). */
export interface DynamoDbAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * An answer in the AWS JSON 1.0 protocol, as dynalite writes its own: the request's content type echoed back
 * (`application/x-amz-json-1.0`, else `application/json`), and the body's CRC32, which DynamoDB sends and clients that
 * check it (the SDK for Java, v2 for JS) verify.
 */
export const dynamoDbAnswer = (status: number, data: unknown, contentType: string | undefined): DynamoDbAnswer => {
  const body = JSON.stringify(data);
  const type = String(contentType ?? '')
    .split(';')[0]
    ?.trim();
  return {
    status,
    headers: {
      'Content-Type': type === 'application/x-amz-json-1.0' ? type : 'application/json',
      'x-amz-crc32': String(crc32(body)),
    },
    body,
  };
};

/** Writes `answer` unless an answer has begun. */
export const writeDynamoDbAnswer = (response: ServerResponse, answer: DynamoDbAnswer): void => {
  if (!response.headersSent) response.writeHead(answer.status, answer.headers).end(answer.body);
};

/** Answers `request` as dynalite answers: see dynamoDbAnswer. */
export const answerDynamoDbJson = (
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  data: unknown,
): void => writeDynamoDbAnswer(response, dynamoDbAnswer(status, data, request.headers['content-type']));

/** Answers one of the TTL operations in the AWS JSON 1.0 protocol, as dynalite answers the others. */
export const answerTtlOperation = async (
  operation: TtlOperation,
  request: { body: Uint8Array; contentType: string | undefined },
  context: { ttl: TtlSettings; tableExists: (name: string) => Promise<boolean> },
): Promise<DynamoDbAnswer> => {
  try {
    let input: unknown;
    try {
      input = JSON.parse(Buffer.from(request.body).toString('utf8'));
    } catch {
      input = undefined;
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw new DynamoDbError(SERIALIZATION, 'Start of structure or map found where not expected.');
    }
    const fields = input as Record<string, unknown>;
    const table = tableNameOf(fields);
    if (!(await context.tableExists(table))) {
      throw new DynamoDbError(
        'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
        `Requested resource not found: Table: ${table} not found`,
      );
    }
    const output =
      operation === 'DescribeTimeToLive' ? describe(context.ttl, table) : update(context.ttl, table, fields);
    return dynamoDbAnswer(200, output, request.contentType);
  } catch (error) {
    if (!(error instanceof DynamoDbError)) throw error;
    return dynamoDbAnswer(400, { __type: error.type, message: error.message }, request.contentType);
  }
};
