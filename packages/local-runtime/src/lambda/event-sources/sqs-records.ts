import type { SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { ReceivedMessage } from '../../services/sqs/message.ts';
import type { Queue } from '../../services/sqs/queue.ts';

const messageAttributes = (received: ReceivedMessage): SQSMessageAttributes =>
  Object.fromEntries(
    Object.entries(received.message.attributes).map(([name, value]) => [
      name,
      {
        dataType: value.DataType,
        ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
        ...(value.BinaryValue === undefined ? {} : { binaryValue: value.BinaryValue }),
        stringListValues: [],
        binaryListValues: [],
      },
    ]),
  );

/** One SQS record of a Lambda event (Lambda developer guide, "Using Lambda with Amazon SQS": example event). */
export const sqsRecord = (received: ReceivedMessage, queue: Pick<Queue, 'identity'>, region: string): SQSRecord => {
  const { message } = received;
  return {
    messageId: message.id,
    receiptHandle: received.receiptHandle,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: message.senderId,
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
      ...(message.sequenceNumber ? { SequenceNumber: message.sequenceNumber } : {}),
      ...(message.groupId ? { MessageGroupId: message.groupId } : {}),
      ...(message.deduplicationId ? { MessageDeduplicationId: message.deduplicationId } : {}),
      ...(message.traceHeader ? { AWSTraceHeader: message.traceHeader } : {}),
      ...(message.deadLetterSourceArn ? { DeadLetterQueueSourceArn: message.deadLetterSourceArn } : {}),
    },
    messageAttributes: messageAttributes(received),
    md5OfBody: message.md5OfBody,
    ...(message.md5OfAttributes ? { md5OfMessageAttributes: message.md5OfAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.identity.arn,
    awsRegion: region,
  };
};
