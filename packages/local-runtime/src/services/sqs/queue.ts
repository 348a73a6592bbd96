import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  invalidParameterValue,
  messageNotInflight,
  missingParameter,
  receiptHandleIsInvalid,
  SqsError,
} from './errors.ts';
import { md5Hex, md5OfMessageAttributes } from './md5.ts';
import type { MessageAttributeValue, ReceivedMessage, SendInput, SendResult, StoredMessage } from './message.ts';

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export interface QueueAttributes {
  VisibilityTimeout: number;
  MessageRetentionPeriod: number;
  MaximumMessageSize: number;
  DelaySeconds: number;
  ReceiveMessageWaitTimeSeconds: number;
  FifoQueue: boolean;
  ContentBasedDeduplication: boolean;
  SqsManagedSseEnabled: boolean;
  RedrivePolicy?: RedrivePolicy;
}

export interface QueueIdentity {
  name: string;
  url: string;
  arn: string;
  logicalId?: string;
}

export interface QueueOptions {
  /** Multiplies visibility timeouts and delays (1 = real time); lets tests see a 180 s timeout expire quickly. */
  timeScale: number;
  /** The queue a message moves to after maxReceiveCount receives, looked up when it is needed. */
  deadLetterQueue: (arn: string) => Queue | undefined;
  onDeadLetter?: (message: StoredMessage, from: Queue, to: Queue) => void;
}

export interface ReceiveOptions {
  max: number;
  visibilityTimeout?: number;
  waitSeconds?: number;
  signal?: AbortSignal;
}

// FIFO deduplication interval (SQS developer guide, "Exactly-once processing in Amazon SQS"): five minutes.
const DEDUPLICATION_MS = 5 * 60_000;

// Characters SQS accepts in a message (API reference, SendMessage: MessageBody):
// #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what this pattern names.
const INVALID_CHARACTERS = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export const messageSize = (body: string, attributes: Record<string, MessageAttributeValue>): number => {
  let size = Buffer.byteLength(body);
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType);
    size += value.BinaryValue
      ? Buffer.from(value.BinaryValue, 'base64').length
      : Buffer.byteLength(value.StringValue ?? '');
  }
  return size;
};

/**
 * One queue: messages in send order, each visible, delayed or in flight; receives hand out a fresh receipt handle and
 * hide the message for the visibility timeout; a message received maxReceiveCount times moves to the dead-letter queue
 * on its next receive (SQS developer guide, "Using dead-letter queues"). Long polls wait for a send or for the next
 * message to become visible.
 */
export class Queue {
  readonly createdAt = Date.now();
  private readonly messages = new Map<string, StoredMessage>();
  private readonly handles = new Map<string, StoredMessage>();
  private readonly deduplication = new Map<string, { expires: number; result: SendResult }>();
  private readonly waiters = new Set<() => void>();
  private sequence = 0n;
  private closed = false;
  sent = 0;
  deleted = 0;

  readonly identity: QueueIdentity;
  readonly attributes: QueueAttributes;
  private readonly options: QueueOptions;

  constructor(identity: QueueIdentity, attributes: QueueAttributes, options: QueueOptions) {
    this.identity = identity;
    this.attributes = attributes;
    this.options = options;
  }

  get name(): string {
    return this.identity.name;
  }

  private scaled(seconds: number): number {
    return Math.round(seconds * 1000 * this.options.timeScale);
  }

  send(input: SendInput): SendResult {
    const attributes = input.attributes ?? {};
    if (INVALID_CHARACTERS.test(input.body)) {
      throw new SqsError(
        'InvalidMessageContents',
        'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
      );
    }
    if (input.body.length === 0) throw invalidParameterValue('The request must contain the parameter MessageBody.');
    const size = messageSize(input.body, attributes);
    if (size > this.attributes.MaximumMessageSize) {
      throw invalidParameterValue(
        `One or more parameters are invalid. Reason: Message must be shorter than ${this.attributes.MaximumMessageSize} bytes.`,
      );
    }
    const now = Date.now();
    let deduplicationId = input.deduplicationId;
    if (this.attributes.FifoQueue) {
      if (!input.groupId) throw missingParameter('MessageGroupId');
      if (input.delaySeconds !== undefined && input.delaySeconds !== 0) {
        throw invalidParameterValue(
          'Value ' +
            input.delaySeconds +
            ' for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.',
        );
      }
      if (!deduplicationId) {
        if (!this.attributes.ContentBasedDeduplication) {
          throw invalidParameterValue(
            'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
          );
        }
        deduplicationId = createHash('sha256').update(input.body).digest('hex');
      }
      const seen = this.deduplication.get(deduplicationId);
      if (seen && seen.expires > now) return seen.result;
    } else if (input.groupId !== undefined || input.deduplicationId !== undefined) {
      // Standard queues accept MessageGroupId (fair queues) but not MessageDeduplicationId.
      if (input.deduplicationId !== undefined) {
        throw invalidParameterValue(
          'The request include parameter MessageDeduplicationId that is not valid for this queue type',
        );
      }
    }
    const delay = input.delaySeconds ?? this.attributes.DelaySeconds;
    const message: StoredMessage = {
      id: randomUUID(),
      body: input.body,
      md5OfBody: md5Hex(input.body),
      attributes,
      md5OfAttributes: md5OfMessageAttributes(attributes),
      senderId: input.senderId ?? 'AIDALOCALSENDER',
      sentAt: now,
      receiveCount: 0,
      visibleAt: now + this.scaled(delay),
      ...(input.groupId ? { groupId: input.groupId } : {}),
      ...(deduplicationId && this.attributes.FifoQueue ? { deduplicationId } : {}),
      ...(this.attributes.FifoQueue ? { sequenceNumber: this.nextSequence() } : {}),
      ...(input.traceHeader ? { traceHeader: input.traceHeader } : {}),
    };
    const result: SendResult = {
      messageId: message.id,
      md5OfBody: message.md5OfBody,
      ...(message.md5OfAttributes ? { md5OfAttributes: message.md5OfAttributes } : {}),
      ...(message.sequenceNumber ? { sequenceNumber: message.sequenceNumber } : {}),
    };
    if (this.attributes.FifoQueue && deduplicationId) {
      this.deduplication.set(deduplicationId, { expires: now + DEDUPLICATION_MS, result });
    }
    this.messages.set(message.id, message);
    this.sent += 1;
    this.wake();
    return result;
  }

  /** Takes a message moved here from a source queue: same id, body and attributes, new place in line. */
  acceptDeadLetter(message: StoredMessage, sourceArn: string): void {
    const moved: StoredMessage = {
      ...message,
      visibleAt: Date.now(),
      deadLetterSourceArn: sourceArn,
    };
    delete moved.handle;
    this.messages.set(moved.id, moved);
    this.wake();
  }

  async receive(options: ReceiveOptions): Promise<ReceivedMessage[]> {
    const waitMs = (options.waitSeconds ?? this.attributes.ReceiveMessageWaitTimeSeconds) * 1000;
    const deadline = Date.now() + waitMs;
    for (;;) {
      const received = this.collect(options.max, options.visibilityTimeout ?? this.attributes.VisibilityTimeout);
      if (received.length > 0 || this.closed || options.signal?.aborted) return received;
      const now = Date.now();
      if (now >= deadline) return received;
      await this.changed(deadline, options.signal);
    }
  }

  private collect(max: number, visibilitySeconds: number): ReceivedMessage[] {
    const now = Date.now();
    const received: ReceivedMessage[] = [];
    const blockedGroups = new Set<string>();
    const retentionMs = this.attributes.MessageRetentionPeriod * 1000;
    for (const message of this.messages.values()) {
      if (received.length >= max) break;
      if (message.sentAt + retentionMs <= now) {
        this.drop(message);
        continue;
      }
      const group = this.attributes.FifoQueue ? message.groupId : undefined;
      if (message.visibleAt > now) {
        // In a FIFO queue a message in flight holds back the rest of its group (developer guide, "FIFO queue
        // message ordering").
        if (group) blockedGroups.add(group);
        continue;
      }
      if (group && blockedGroups.has(group)) continue;
      const redrive = this.attributes.RedrivePolicy;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        const target = this.options.deadLetterQueue(redrive.deadLetterTargetArn);
        if (target) {
          this.drop(message);
          target.acceptDeadLetter(message, this.identity.arn);
          this.options.onDeadLetter?.(message, this, target);
          continue;
        }
      }
      if (message.handle) this.handles.delete(message.handle);
      const handle = newReceiptHandle(message.id);
      message.handle = handle;
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.visibleAt = now + this.scaled(visibilitySeconds);
      this.handles.set(handle, message);
      received.push({ message: { ...message }, receiptHandle: handle });
    }
    return received;
  }

  /** Deletes by receipt handle. A well-formed handle of a message already gone succeeds, as in SQS. */
  delete(receiptHandle: string): void {
    const message = this.handles.get(receiptHandle);
    if (!message) {
      if (!isReceiptHandle(receiptHandle)) throw receiptHandleIsInvalid(receiptHandle);
      return;
    }
    this.drop(message);
    this.deleted += 1;
  }

  changeVisibility(receiptHandle: string, seconds: number): void {
    const message = this.handles.get(receiptHandle);
    if (!message) {
      if (!isReceiptHandle(receiptHandle)) throw receiptHandleIsInvalid(receiptHandle);
      throw messageNotInflight();
    }
    if (message.visibleAt <= Date.now()) throw messageNotInflight();
    message.visibleAt = Date.now() + this.scaled(seconds);
    this.wake();
  }

  purge(): number {
    const count = this.messages.size;
    this.messages.clear();
    this.handles.clear();
    return count;
  }

  /** Back to a new queue's state (reset): no messages, no deduplication ids, the given attributes. */
  reset(attributes: QueueAttributes): void {
    this.purge();
    this.deduplication.clear();
    this.sequence = 0n;
    Object.assign(this.attributes, attributes);
  }

  /** ApproximateNumberOfMessages, ...NotVisible and ...Delayed. */
  counts(): { visible: number; inFlight: number; delayed: number } {
    const now = Date.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of this.messages.values()) {
      if (message.visibleAt <= now) visible += 1;
      else if (message.handle) inFlight += 1;
      else delayed += 1;
    }
    return { visible, inFlight, delayed };
  }

  /** The messages as they are now, for the developer's queue page; nothing is received or changed. */
  peek(limit = 50): StoredMessage[] {
    return [...this.messages.values()].slice(0, limit).map((message) => ({ ...message }));
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  private drop(message: StoredMessage): void {
    this.messages.delete(message.id);
    if (message.handle) this.handles.delete(message.handle);
  }

  private nextSequence(): string {
    this.sequence += 1n;
    return (BigInt(Date.now()) * 1_000_000n + this.sequence).toString().padStart(20, '0');
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }

  /** Resolves on a send or visibility change, when the next hidden message becomes visible, or at the deadline. */
  private changed(deadline: number, signal?: AbortSignal): Promise<void> {
    let next = deadline;
    for (const message of this.messages.values())
      if (message.visibleAt > Date.now()) next = Math.min(next, message.visibleAt);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, next - Date.now()) + 1);
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }
}

// A receipt handle carries the message id, so a stale handle is recognisably well formed (and succeeds on delete).
const newReceiptHandle = (messageId: string): string =>
  Buffer.from(`${messageId} ${randomBytes(24).toString('base64')}`).toString('base64');

const isReceiptHandle = (handle: string): boolean => {
  const decoded = Buffer.from(handle, 'base64').toString('utf8');
  return /^[0-9a-f-]{36} [A-Za-z0-9+/=]{32}$/.test(decoded);
};
