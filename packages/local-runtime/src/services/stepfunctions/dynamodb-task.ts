import { randomUUID } from 'node:crypto';
import { TaskFailure } from './errors.ts';
import { sdkMetadata, serviceCause } from './sdk-metadata.ts';
import type { CallDynamoDb, Json } from './task-services.ts';

/** The actions of the optimised integration (developer guide, "Call DynamoDB APIs with Step Functions"). */
const OPTIMISED = new Set(['getItem', 'putItem', 'updateItem', 'deleteItem']);

/** `arn:aws:states:::dynamodb:putItem` or `arn:aws:states:::aws-sdk:dynamodb:query` → how to run it. */
export const dynamoDbTaskOf = (resource: string): { action: string; sdk: boolean } | undefined => {
  const match = /^arn:[^:]+:states:::(aws-sdk:)?dynamodb:([a-zA-Z]+)$/.exec(resource);
  if (!match?.[2]) return undefined;
  const sdk = match[1] !== undefined;
  if (!sdk && !OPTIMISED.has(match[2])) return undefined;
  return { action: `${match[2][0]?.toUpperCase() ?? ''}${match[2].slice(1)}`, sdk };
};

const asObject = (input: Json): Record<string, Json> =>
  input !== null && typeof input === 'object' && !Array.isArray(input) ? input : {};

/**
 * A DynamoDB Task on the local DynamoDB: Parameters are the API request as DynamoDB takes it (PascalCase), the
 * result its response. The optimised integration adds the SDK response metadata and names errors
 * `DynamoDB.<Exception>`; an AWS SDK integration answers the bare response and names them `DynamoDb.<Exception>`
 * (developer guide, "Call DynamoDB APIs with Step Functions": exception prefix differences).
 */
export const dynamoDbTask =
  (callDynamoDb: CallDynamoDb, task: { action: string; sdk: boolean }) =>
  async (input: Json): Promise<Json> => {
    let output: Record<string, Json>;
    try {
      output = asObject(await callDynamoDb(task.action, asObject(input)));
    } catch (error) {
      const failure = error as Error & { statusCode?: number };
      const code = failure.name && failure.name !== 'Error' ? failure.name : 'InternalServerError';
      const exception = code.endsWith('Exception') || code === 'InternalServerError' ? code : `${code}Exception`;
      const status = failure.statusCode ?? 500;
      throw new TaskFailure(
        `${task.sdk ? 'DynamoDb' : 'DynamoDB'}.${exception}`,
        task.sdk
          ? `${failure.message} (Service: DynamoDb, Status Code: ${status}, Request ID: ${randomUUID()})`
          : serviceCause('AmazonDynamoDBv2', status, code, failure.message),
      );
    }
    return task.sdk ? output : { ...output, ...sdkMetadata(randomUUID()) };
  };
