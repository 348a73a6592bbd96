import { randomUUID } from 'node:crypto';
import { TaskFailure } from './errors.ts';
import { sdkMetadata, serviceCause } from './sdk-metadata.ts';
import type { Json, SendMessage } from './task-services.ts';

// SendMessage's own parameters (SQS API reference, "SendMessage"); anything else in Parameters is not sent.
const SEND_MESSAGE_FIELDS = [
  'DelaySeconds',
  'MessageAttributes',
  'MessageDeduplicationId',
  'MessageGroupId',
  'MessageSystemAttributes',
] as const;

/**
 * An SQS error as a Task's Error: service integration errors are `<Service>.<Exception>` (developer guide,
 * "Handling errors in Step Functions workflows"), so the `QueueDoesNotExist` code becomes
 * `SQS.QueueDoesNotExistException`. An error without a code is the SDK's catch-all, `SQS.AmazonSQSException`.
 */
const sqsFailure = (error: unknown): TaskFailure => {
  const message = error instanceof Error ? error.message : String(error);
  const code =
    error instanceof Error && error.name !== 'Error' ? error.name.replace(/^AWS\.SimpleQueueService\./, '') : '';
  if (!code) return new TaskFailure('SQS.AmazonSQSException', serviceCause('AmazonSQS', 500, 'InternalError', message));
  const exception = code.endsWith('Exception') ? code : `${code}Exception`;
  return new TaskFailure(`SQS.${exception}`, serviceCause('AmazonSQS', 400, code, message));
};

/**
 * `arn:aws:states:::sqs:sendMessage`: Parameters are the SendMessage request; a MessageBody that is not a string is
 * sent as its JSON text (developer guide, "Send messages to an Amazon SQS queue with Step Functions"). The result is
 * SendMessage's response with the SDK metadata.
 */
export const sqsSendMessageTask =
  (sendMessage: SendMessage) =>
  async (input: Json): Promise<Json> => {
    const parameters = input !== null && typeof input === 'object' && !Array.isArray(input) ? input : {};
    const body = parameters.MessageBody;
    const request: Parameters<SendMessage>[0] = {
      QueueUrl: typeof parameters.QueueUrl === 'string' ? parameters.QueueUrl : '',
      // A missing body is left for SQS to refuse (MissingParameter), as the real call would be.
      MessageBody: typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body),
    };
    for (const field of SEND_MESSAGE_FIELDS) {
      if (parameters[field] !== undefined) Object.assign(request, { [field]: parameters[field] });
    }
    let sent: Awaited<ReturnType<SendMessage>>;
    try {
      sent = await sendMessage(request);
    } catch (error) {
      throw sqsFailure(error);
    }
    const answer: Record<string, Json> = { MessageId: sent.MessageId, MD5OfMessageBody: sent.MD5OfMessageBody };
    for (const [name, value] of Object.entries(sent)) {
      if (typeof value === 'string' && /^(MD5Of|SequenceNumber)/.test(name)) answer[name] = value;
    }
    return { ...answer, ...sdkMetadata(randomUUID()) };
  };
