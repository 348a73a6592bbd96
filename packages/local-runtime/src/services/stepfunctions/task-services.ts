import type { InvokeOutcome } from '../../lambda/function-pool.ts';

/** Runs a function of the local runtime: `target` is a function ARN (qualified or not) or a name. */
export type InvokeLambda = (target: string, payload: unknown) => Promise<InvokeOutcome>;

/** Sends to a local queue; throws an Error whose `name` is the SQS error code (`QueueDoesNotExist`, ...). */
export type SendMessage = (input: {
  QueueUrl: string;
  MessageBody: string;
  DelaySeconds?: number;
  MessageAttributes?: Record<string, unknown>;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}) => Promise<{ MessageId: string; MD5OfMessageBody: string; SequenceNumber?: string }>;

/**
 * Calls the local DynamoDB: `action` is the API action (`PutItem`), `input` its request; throws an Error whose `name`
 * is DynamoDB's error code (`ConditionalCheckFailedException`) and `statusCode` its HTTP status.
 */
export type CallDynamoDb = (action: string, input: Record<string, Json>) => Promise<Json>;

/** A request to one of the runtime's own APIs, by its API Gateway host (`<apiId>.execute-api.<region>...`). */
export interface ApiRequest {
  host: string;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string[]>;
  body?: string;
  /** Signed with SigV4 (service execute-api) with the local credentials. */
  sign: boolean;
}

export interface ApiAnswer {
  status: number;
  headers: Record<string, string[]>;
  body: string;
}

/**
 * Calls a local API; throws a TaskFailure for a host that is not one of the template's APIs, and an Error (its
 * `name` the exception) when no answer comes.
 */
export type CallApi = (request: ApiRequest) => Promise<ApiAnswer>;

/** What Task states reach on the local machine. */
export interface TaskServices {
  invokeLambda: InvokeLambda;
  sendMessage: SendMessage;
  /** Absent: DynamoDB tasks cannot run (they fail with States.Runtime). */
  callDynamoDb?: CallDynamoDb;
  /** Absent: API Gateway tasks cannot run (they fail with States.Runtime). */
  callApi?: CallApi;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
