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

/** What Task states reach on the local machine. */
export interface TaskServices {
  invokeLambda: InvokeLambda;
  sendMessage: SendMessage;
  /** Absent: DynamoDB tasks cannot run (they fail with States.Runtime). */
  callDynamoDb?: CallDynamoDb;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
