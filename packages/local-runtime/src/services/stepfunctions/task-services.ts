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

/** What Task states reach on the local machine. */
export interface TaskServices {
  invokeLambda: InvokeLambda;
  sendMessage: SendMessage;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
