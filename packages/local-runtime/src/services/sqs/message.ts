/** A message attribute as the JSON protocol carries it (binary values base64-encoded). */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
  StringListValues?: string[];
  BinaryListValues?: string[];
}

/** A message as the queue holds it. */
export interface StoredMessage {
  id: string;
  body: string;
  md5OfBody: string;
  attributes: Record<string, MessageAttributeValue>;
  md5OfAttributes?: string;
  senderId: string;
  /** Epoch ms of the first enqueue (kept when the message moves to a dead-letter queue, as retention counts from it). */
  sentAt: number;
  firstReceivedAt?: number;
  receiveCount: number;
  /** Epoch ms from which the message may be received (delay or visibility timeout). */
  visibleAt: number;
  /** The receipt handle of the latest receive; set while the message is or was in flight. */
  handle?: string;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
  traceHeader?: string;
  deadLetterSourceArn?: string;
}

/** What a receive hands out: the message as it was at that receive. */
export interface ReceivedMessage {
  message: StoredMessage;
  receiptHandle: string;
}

export interface SendInput {
  body: string;
  attributes?: Record<string, MessageAttributeValue>;
  delaySeconds?: number;
  groupId?: string;
  deduplicationId?: string;
  traceHeader?: string;
  senderId?: string;
}

export interface SendResult {
  messageId: string;
  md5OfBody: string;
  md5OfAttributes?: string;
  sequenceNumber?: string;
}
