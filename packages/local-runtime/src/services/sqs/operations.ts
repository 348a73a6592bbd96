import { keyed } from '../../shared/client-keyed.ts';
import {
  batchErrors,
  invalidAttributeName,
  invalidParameterValue,
  missingParameter,
  queueDoesNotExist,
  SqsError,
} from './errors.ts';
import type { MessageAttributeValue, ReceivedMessage } from './message.ts';
import type { Queue } from './queue.ts';
import type { QueueRegistry } from './registry.ts';

/** An operation's input and output in the JSON protocol's shape; the query protocol is translated to and from it. */
export type SqsInput = Record<string, unknown>;
export type SqsOutput = Record<string, unknown>;

const string = (input: SqsInput, name: string): string => {
  const value = input[name];
  if (value === undefined || value === null || value === '') throw missingParameter(name);
  if (typeof value !== 'string')
    throw invalidParameterValue(`Value for parameter ${name} is invalid. Reason: must be a string.`);
  return value;
};

const optionalString = (input: SqsInput, name: string): string | undefined =>
  input[name] === undefined || input[name] === null ? undefined : string(input, name);

const integer = (input: SqsInput, name: string, min: number, max: number, reason: string): number | undefined => {
  const raw = input[name];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidParameterValue(`Value ${String(raw)} for parameter ${name} is invalid. Reason: ${reason}`);
  }
  return value;
};

const requiredInteger = (input: SqsInput, name: string, min: number, max: number, reason: string): number => {
  const value = integer(input, name, min, max, reason);
  if (value === undefined) throw missingParameter(name);
  return value;
};

const list = (input: SqsInput, name: string): unknown[] => {
  const value = input[name];
  return Array.isArray(value) ? value : [];
};

const strings = (input: SqsInput, name: string): string[] => list(input, name).map(String);

const queueOf = (registry: QueueRegistry, input: SqsInput): Queue => registry.byUrl(string(input, 'QueueUrl'));

const ATTRIBUTE_NAME = /^(?!(aws|amazon)\.)(?!.*\.\.)[A-Za-z0-9_.-]{1,256}(?<!\.)$/i;

const messageAttributes = (raw: unknown): Record<string, MessageAttributeValue> => {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidParameterValue('MessageAttributes must be a map.');
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > 10) {
    throw invalidParameterValue(`Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`);
  }
  // The client names the attributes: `__proto__` is a name like any other.
  const attributes = keyed<MessageAttributeValue>();
  for (const [name, value] of entries) {
    if (!ATTRIBUTE_NAME.test(name)) throw invalidParameterValue(`Message attribute name '${name}' is invalid.`);
    const attribute = (value ?? {}) as Record<string, unknown>;
    const dataType = attribute.DataType;
    if (typeof dataType !== 'string' || !/^(String|Number|Binary)(\..+)?$/.test(dataType)) {
      throw invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute type.`);
    }
    if (dataType.startsWith('Binary')) {
      if (typeof attribute.BinaryValue !== 'string' || attribute.BinaryValue === '') {
        throw invalidParameterValue(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      }
      attributes[name] = { DataType: dataType, BinaryValue: attribute.BinaryValue };
    } else {
      if (typeof attribute.StringValue !== 'string' || attribute.StringValue === '') {
        throw invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value.`);
      }
      if (dataType.startsWith('Number') && !Number.isFinite(Number(attribute.StringValue))) {
        throw invalidParameterValue(`Can't cast the value of message (user) attribute '${name}' to a number.`);
      }
      attributes[name] = { DataType: dataType, StringValue: attribute.StringValue };
    }
  }
  return attributes;
};

const sendOne = (queue: Queue, input: SqsInput): SqsOutput => {
  const body = input.MessageBody;
  if (body === undefined || body === null || body === '') throw missingParameter('MessageBody');
  if (typeof body !== 'string')
    throw invalidParameterValue('Value for parameter MessageBody is invalid. Reason: must be a string.');
  const system = (input.MessageSystemAttributes ?? {}) as Record<string, { StringValue?: string } | undefined>;
  const delaySeconds = integer(input, 'DelaySeconds', 0, 900, 'DelaySeconds must be >= 0 and <= 900');
  const groupId = optionalString(input, 'MessageGroupId');
  const deduplicationId = optionalString(input, 'MessageDeduplicationId');
  const traceHeader = system.AWSTraceHeader?.StringValue;
  const result = queue.send({
    body,
    attributes: messageAttributes(input.MessageAttributes),
    ...(delaySeconds === undefined ? {} : { delaySeconds }),
    ...(groupId ? { groupId } : {}),
    ...(deduplicationId ? { deduplicationId } : {}),
    ...(traceHeader ? { traceHeader } : {}),
  });
  return {
    MessageId: result.messageId,
    MD5OfMessageBody: result.md5OfBody,
    ...(result.md5OfAttributes ? { MD5OfMessageAttributes: result.md5OfAttributes } : {}),
    ...(result.sequenceNumber ? { SequenceNumber: result.sequenceNumber } : {}),
  };
};

interface BatchEntry {
  Id: string;
  [key: string]: unknown;
}

const batchEntries = (input: SqsInput): BatchEntry[] => {
  const entries = list(input, 'Entries') as BatchEntry[];
  if (entries.length === 0) throw batchErrors.empty();
  if (entries.length > 10) throw batchErrors.tooMany(entries.length);
  const seen = new Set<string>();
  for (const entry of entries) {
    const id = String(entry?.Id ?? '');
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(id)) throw batchErrors.invalidId(id);
    if (seen.has(id)) throw batchErrors.notDistinct(id);
    seen.add(id);
  }
  return entries;
};

/** Runs each entry on its own; a failed entry is reported in Failed and does not fail the others. */
const batch = (entries: BatchEntry[], run: (entry: BatchEntry) => SqsOutput): SqsOutput => {
  const successful: SqsOutput[] = [];
  const failed: SqsOutput[] = [];
  for (const entry of entries) {
    try {
      successful.push({ Id: entry.Id, ...run(entry) });
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      failed.push({ Id: entry.Id, SenderFault: error.fault === 'Sender', Code: error.code, Message: error.message });
    }
  }
  return { Successful: successful, Failed: failed };
};

const SYSTEM_ATTRIBUTES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
] as const;

const systemAttributesOf = (received: ReceivedMessage, wanted: string[]): Record<string, string> => {
  const { message } = received;
  const values: Record<(typeof SYSTEM_ATTRIBUTES)[number], string | undefined> = {
    SenderId: message.senderId,
    SentTimestamp: String(message.sentAt),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    SequenceNumber: message.sequenceNumber,
    MessageDeduplicationId: message.deduplicationId,
    MessageGroupId: message.groupId,
    AWSTraceHeader: message.traceHeader,
    DeadLetterQueueSourceArn: message.deadLetterSourceArn,
  };
  const all = wanted.includes('All');
  const out: Record<string, string> = {};
  for (const name of SYSTEM_ATTRIBUTES) {
    const value = values[name];
    if (value !== undefined && (all || wanted.includes(name))) out[name] = value;
  }
  return out;
};

/** `All`, `.*`, exact names and `prefix.*` select message attributes (API reference, ReceiveMessage). */
const selectAttributes = (
  attributes: Record<string, MessageAttributeValue>,
  wanted: string[],
): Record<string, MessageAttributeValue> => {
  const out = keyed<MessageAttributeValue>();
  for (const [name, value] of Object.entries(attributes)) {
    const match = wanted.some(
      (pattern) =>
        pattern === 'All' ||
        pattern === '.*' ||
        pattern === name ||
        (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1))),
    );
    if (match) out[name] = value;
  }
  return out;
};

/** A received message in the ReceiveMessage output shape. */
export const receivedMessageOutput = (received: ReceivedMessage, input: SqsInput): SqsOutput => {
  const { message } = received;
  const system = systemAttributesOf(received, [
    ...strings(input, 'AttributeNames'),
    ...strings(input, 'MessageSystemAttributeNames'),
  ]);
  const attributes = selectAttributes(message.attributes, strings(input, 'MessageAttributeNames'));
  return {
    MessageId: message.id,
    ReceiptHandle: received.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    ...(Object.keys(system).length > 0 ? { Attributes: system } : {}),
    ...(message.md5OfAttributes ? { MD5OfMessageAttributes: message.md5OfAttributes } : {}),
    ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
  };
};

const queueAttributeValues = (queue: Queue): Record<string, string> => {
  const { attributes } = queue;
  const counts = queue.counts();
  const created = String(Math.floor(queue.createdAt / 1000));
  return {
    QueueArn: queue.identity.arn,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: created,
    LastModifiedTimestamp: created,
    VisibilityTimeout: String(attributes.VisibilityTimeout),
    MaximumMessageSize: String(attributes.MaximumMessageSize),
    MessageRetentionPeriod: String(attributes.MessageRetentionPeriod),
    DelaySeconds: String(attributes.DelaySeconds),
    ReceiveMessageWaitTimeSeconds: String(attributes.ReceiveMessageWaitTimeSeconds),
    SqsManagedSseEnabled: String(attributes.SqsManagedSseEnabled),
    ...(attributes.RedrivePolicy ? { RedrivePolicy: JSON.stringify(attributes.RedrivePolicy) } : {}),
    ...(attributes.FifoQueue
      ? { FifoQueue: 'true', ContentBasedDeduplication: String(attributes.ContentBasedDeduplication) }
      : {}),
  };
};

const PURGE_INTERVAL_MS = 60_000;
const lastPurge = new WeakMap<Queue, number>();

export const operations: Record<string, (registry: QueueRegistry, input: SqsInput) => SqsOutput | Promise<SqsOutput>> =
  {
    SendMessage: (registry, input) => sendOne(queueOf(registry, input), input),

    SendMessageBatch: (registry, input) => {
      const queue = queueOf(registry, input);
      const entries = batchEntries(input);
      let size = 0;
      for (const entry of entries) size += Buffer.byteLength(String(entry.MessageBody ?? ''));
      if (size > queue.attributes.MaximumMessageSize) throw batchErrors.tooLong(size);
      return batch(entries, (entry) => sendOne(queue, entry));
    },

    ReceiveMessage: async (registry, input) => {
      const queue = queueOf(registry, input);
      const max = integer(input, 'MaxNumberOfMessages', 1, 10, 'Must be between 1 and 10, if provided.') ?? 1;
      const visibilityTimeout = integer(
        input,
        'VisibilityTimeout',
        0,
        43_200,
        'Must be between 0 and 43200, if provided.',
      );
      const waitSeconds = integer(input, 'WaitTimeSeconds', 0, 20, 'Must be >= 0 and <= 20, if provided.');
      const received = await queue.receive({
        max,
        ...(visibilityTimeout === undefined ? {} : { visibilityTimeout }),
        ...(waitSeconds === undefined ? {} : { waitSeconds }),
      });
      return received.length === 0
        ? {}
        : { Messages: received.map((message) => receivedMessageOutput(message, input)) };
    },

    DeleteMessage: (registry, input) => {
      queueOf(registry, input).delete(string(input, 'ReceiptHandle'));
      return {};
    },

    DeleteMessageBatch: (registry, input) => {
      const queue = queueOf(registry, input);
      return batch(batchEntries(input), (entry) => {
        queue.delete(string(entry, 'ReceiptHandle'));
        return {};
      });
    },

    ChangeMessageVisibility: (registry, input) => {
      const queue = queueOf(registry, input);
      const handle = string(input, 'ReceiptHandle');
      queue.changeVisibility(
        handle,
        requiredInteger(input, 'VisibilityTimeout', 0, 43_200, 'Must be between 0 and 43200.'),
      );
      return {};
    },

    ChangeMessageVisibilityBatch: (registry, input) => {
      const queue = queueOf(registry, input);
      return batch(batchEntries(input), (entry) => {
        const handle = string(entry, 'ReceiptHandle');
        queue.changeVisibility(
          handle,
          requiredInteger(entry, 'VisibilityTimeout', 0, 43_200, 'Must be between 0 and 43200.'),
        );
        return {};
      });
    },

    GetQueueUrl: (registry, input) => {
      const queue = registry.byName(string(input, 'QueueName'));
      if (!queue) throw queueDoesNotExist();
      return { QueueUrl: queue.identity.url };
    },

    GetQueueAttributes: (registry, input) => {
      const queue = queueOf(registry, input);
      const values = queueAttributeValues(queue);
      const wanted = strings(input, 'AttributeNames');
      if (wanted.length === 0) return {};
      const attributes: Record<string, string> = {};
      for (const name of wanted) {
        if (name === 'All') return { Attributes: values };
        if (
          !Object.hasOwn(values, name) &&
          ![
            'RedrivePolicy',
            'FifoQueue',
            'ContentBasedDeduplication',
            'Policy',
            'KmsMasterKeyId',
            'RedriveAllowPolicy',
            'DeduplicationScope',
            'FifoThroughputLimit',
            'KmsDataKeyReusePeriodSeconds',
          ].includes(name)
        ) {
          throw invalidAttributeName(name);
        }
        const value = Object.hasOwn(values, name) ? values[name] : undefined;
        if (value !== undefined) attributes[name] = value;
      }
      return { Attributes: attributes };
    },

    PurgeQueue: (registry, input) => {
      const queue = queueOf(registry, input);
      const last = lastPurge.get(queue);
      // One purge per queue every 60 seconds (API reference, PurgeQueue).
      if (last !== undefined && Date.now() - last < PURGE_INTERVAL_MS) {
        throw new SqsError(
          'PurgeQueueInProgress',
          `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`,
          'AWS.SimpleQueueService.PurgeQueueInProgress',
          403,
        );
      }
      lastPurge.set(queue, Date.now());
      queue.purge();
      return {};
    },

    ListQueues: (registry, input) => {
      const prefix = optionalString(input, 'QueueNamePrefix') ?? '';
      const urls = registry
        .all()
        .filter((queue) => queue.name.startsWith(prefix))
        .map((queue) => queue.identity.url);
      return urls.length === 0 ? {} : { QueueUrls: urls };
    },

    CreateQueue: (registry, input) => {
      const name = string(input, 'QueueName');
      const queue = registry.create({ name, properties: (input.Attributes ?? {}) as Record<string, unknown> });
      return { QueueUrl: queue.identity.url };
    },
  };
