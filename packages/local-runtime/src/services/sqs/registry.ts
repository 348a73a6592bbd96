import { ownValue } from '../../shared/client-keyed.ts';
import { invalidParameterValue, queueDoesNotExist } from './errors.ts';
import type { StoredMessage } from './message.ts';
import { Queue, type QueueAttributes, type RedrivePolicy } from './queue.ts';

export interface QueueSeed {
  logicalId?: string;
  name: string;
  /** CloudFormation `AWS::SQS::Queue` properties (resolved), or CreateQueue attributes. */
  properties: Record<string, unknown>;
}

// Attribute ranges from the SQS API reference, SetQueueAttributes (MaximumMessageSize up to 1 MiB since 2025).
const RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1_048_576],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43_200],
};

const DEFAULTS = {
  DelaySeconds: 0,
  MaximumMessageSize: 262_144,
  MessageRetentionPeriod: 345_600,
  ReceiveMessageWaitTimeSeconds: 0,
  VisibilityTimeout: 30,
};

const numberAttribute = (properties: Record<string, unknown>, name: keyof typeof DEFAULTS): number => {
  const raw = properties[name];
  if (raw === undefined || raw === '') return DEFAULTS[name];
  const value = Number(raw);
  const [min, max] = RANGES[name] as [number, number];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidParameterValue(
      `Invalid value for the parameter ${name}. Reason: must be an integer from ${min} to ${max}.`,
    );
  }
  return value;
};

const booleanAttribute = (value: unknown): boolean => value === true || value === 'true';

const redrivePolicyOf = (raw: unknown): RedrivePolicy | undefined => {
  if (raw === undefined || raw === '') return undefined;
  let policy: unknown = raw;
  if (typeof raw === 'string') {
    try {
      policy = JSON.parse(raw);
    } catch {
      policy = undefined;
    }
  }
  const record = (policy !== null && typeof policy === 'object' ? policy : {}) as Record<string, unknown>;
  const maxReceiveCount = Number(ownValue(record, 'maxReceiveCount'));
  if (
    typeof ownValue(record, 'deadLetterTargetArn') !== 'string' ||
    !Number.isInteger(maxReceiveCount) ||
    maxReceiveCount < 1 ||
    maxReceiveCount > 1000
  ) {
    throw invalidParameterValue(
      'Value for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map with deadLetterTargetArn and maxReceiveCount (1 to 1000).',
    );
  }
  return { deadLetterTargetArn: String(record.deadLetterTargetArn), maxReceiveCount };
};

export const queueAttributesOf = (name: string, properties: Record<string, unknown>): QueueAttributes => {
  const fifo = booleanAttribute(properties.FifoQueue);
  if (fifo !== name.endsWith('.fifo')) {
    throw invalidParameterValue(
      fifo
        ? `The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix: ${name}`
        : `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length: ${name} (a .fifo name needs FifoQueue true)`,
    );
  }
  const redrive = redrivePolicyOf(properties.RedrivePolicy);
  return {
    DelaySeconds: numberAttribute(properties, 'DelaySeconds'),
    MaximumMessageSize: numberAttribute(properties, 'MaximumMessageSize'),
    MessageRetentionPeriod: numberAttribute(properties, 'MessageRetentionPeriod'),
    ReceiveMessageWaitTimeSeconds: numberAttribute(properties, 'ReceiveMessageWaitTimeSeconds'),
    VisibilityTimeout: numberAttribute(properties, 'VisibilityTimeout'),
    FifoQueue: fifo,
    ContentBasedDeduplication: booleanAttribute(properties.ContentBasedDeduplication),
    SqsManagedSseEnabled:
      properties.SqsManagedSseEnabled === undefined ? true : booleanAttribute(properties.SqsManagedSseEnabled),
    ...(redrive ? { RedrivePolicy: redrive } : {}),
  };
};

export interface RegistryOptions {
  baseUrl: string;
  region: string;
  accountId: string;
  timeScale: number;
  onDeadLetter?: (message: StoredMessage, from: Queue, to: Queue) => void;
}

/** The queues of one local endpoint, found by URL, name or ARN. */
export class QueueRegistry {
  private readonly queues = new Map<string, Queue>();
  private readonly options: RegistryOptions;

  constructor(options: RegistryOptions) {
    this.options = options;
  }

  create(seed: QueueSeed): Queue {
    const existing = this.queues.get(seed.name);
    if (existing) return existing;
    if (!/^[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(seed.name) || seed.name.length > 80) {
      throw invalidParameterValue(
        `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length: ${seed.name}`,
      );
    }
    const queue = new Queue(
      {
        name: seed.name,
        url: `${this.options.baseUrl}/${this.options.accountId}/${seed.name}`,
        arn: `arn:aws:sqs:${this.options.region}:${this.options.accountId}:${seed.name}`,
        ...(seed.logicalId ? { logicalId: seed.logicalId } : {}),
      },
      queueAttributesOf(seed.name, seed.properties),
      {
        timeScale: this.options.timeScale,
        deadLetterQueue: (arn) => this.byArn(arn),
        ...(this.options.onDeadLetter ? { onDeadLetter: this.options.onDeadLetter } : {}),
      },
    );
    this.queues.set(seed.name, queue);
    return queue;
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }

  byName(name: string): Queue | undefined {
    return this.queues.get(name);
  }

  byArn(arn: string): Queue | undefined {
    return this.queues.get(arn.split(':').at(-1) ?? '');
  }

  /** A queue URL of any host (the SDK may send the AWS-shaped one) names `/<account>/<queue>`. */
  byUrl(url: string): Queue {
    let path: string;
    try {
      path = new URL(url, 'http://localhost').pathname;
    } catch {
      throw queueDoesNotExist();
    }
    const [account, name] = path.split('/').filter(Boolean);
    const queue = account === this.options.accountId && name ? this.queues.get(name) : undefined;
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  /**
   * Back to the template's queues (reset): the seeded ones emptied, with their template attributes, and kept as the
   * same objects (event source pollers hold them); queues created since are deleted.
   */
  reset(seeds: QueueSeed[]): void {
    const seeded = new Map(seeds.map((seed) => [seed.name, seed]));
    for (const [name, queue] of this.queues) {
      const seed = seeded.get(name);
      if (seed) queue.reset(queueAttributesOf(seed.name, seed.properties));
      else {
        queue.close();
        this.queues.delete(name);
      }
    }
    for (const seed of seeds) this.create(seed);
  }

  close(): void {
    for (const queue of this.queues.values()) queue.close();
  }
}
