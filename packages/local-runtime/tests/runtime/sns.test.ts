import {
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  NotFoundException,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { type Message, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';
import { queueUrlsOf } from '../local-queues.ts';

/**
 * SNS (issue 20, item 1) black-box: the template's topic fans out to queues (envelope and raw delivery, attribute and
 * body filter policies) and to a function subscribed by a SAM SNS event; published with the SDK and through a REST
 * API AWS integration. And a REST API reading a queue with ReceiveMessage in AWS's JSON shape (item 3).
 */

interface TopicsPage {
  delivered: { sent: number; filtered: number; failed: number };
  topics: { name: string; arn: string; subscriptions: { source: string; protocol: string }[] }[];
}

describe('SNS topics', () => {
  const runtime = fixtureRuntime('sns-topics');
  let sns: SNSClient;
  let sqs: SQSClient;
  let queues: Record<string, string>;
  let topicArn: string;

  const page = async (): Promise<TopicsPage> =>
    (await fetch(`${runtime.info.restUrl}/_local/topics`)).json() as Promise<TopicsPage>;

  const receive = async (queue: string, max = 10): Promise<Message[]> =>
    (
      await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queues[queue],
          MaxNumberOfMessages: max,
          MessageAttributeNames: ['All'],
          WaitTimeSeconds: 0,
        }),
      )
    ).Messages ?? [];

  /** The first message to arrive in a queue (within 5 s). */
  const next = async (queue: string): Promise<Message> => {
    let found: Message | undefined;
    await eventually(async () => {
      found = (await receive(queue, 1))[0];
      return found !== undefined;
    }, 5000);
    if (!found) throw new Error(`nothing arrived in ${queue}`);
    return found;
  };

  beforeAll(async () => {
    sns = new SNSClient(runtime.clientConfig('sns'));
    sqs = new SQSClient(runtime.clientConfig('sqs'));
    queues = await queueUrlsOf(runtime, [
      'EnvelopeQueue',
      'UrgentQueue',
      'ShippingQueue',
      'SeenQueue',
      'InboxQueue',
      'PackedQueue',
      'orders.fifo',
    ]);
    const topic = (await page()).topics.find((candidate) => candidate.name === 'warehouse-events');
    if (!topic) throw new Error('no warehouse-events topic');
    topicArn = topic.arn;
  }, 90_000);

  afterAll(async () => {
    sns?.destroy();
    sqs?.destroy();
  });

  it('lists the template topics and their subscriptions (inline, resources, the SAM SNS event)', async () => {
    const { Topics = [] } = await sns.send(new ListTopicsCommand({}));
    expect(Topics.map((topic) => topic.TopicArn)).toEqual(
      expect.arrayContaining([topicArn, expect.stringMatching(/:orders\.fifo$/)]),
    );
    const { Subscriptions = [] } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(Subscriptions.map((subscription) => subscription.Protocol).sort()).toEqual(['lambda', 'sqs', 'sqs', 'sqs']);
    expect(Subscriptions.find((subscription) => subscription.Protocol === 'lambda')?.Endpoint).toMatch(
      /^arn:aws:lambda:[^:]+:\d{12}:function:.*RecorderFunction/,
    );
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    expect(Attributes).toMatchObject({ TopicArn: topicArn, SubscriptionsConfirmed: '4' });
    expect(runtime.output()).toMatch(/Topics \(GET .*\/_local\/topics\):\n\s+warehouse-events\s+sqs /);
  });

  it('fans a published message out: envelope, raw delivery with attributes, body filter, and the function', async () => {
    const body = JSON.stringify({ parcel: { state: 'shipped', id: 'p-1' } });
    const { MessageId } = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: body,
        Subject: 'Parcel',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'restock' },
          priority: { DataType: 'Number', StringValue: '7' },
        },
      }),
    );
    expect(MessageId).toMatch(/^[0-9a-f-]{36}$/);

    const envelope = JSON.parse((await next('EnvelopeQueue')).Body ?? '');
    expect(envelope).toEqual({
      Type: 'Notification',
      MessageId,
      TopicArn: topicArn,
      Subject: 'Parcel',
      Message: body,
      Timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      SignatureVersion: '1',
      Signature: expect.any(String),
      SigningCertURL: expect.stringMatching(/^https:\/\/sns\./),
      UnsubscribeURL: expect.stringContaining('Action=Unsubscribe&SubscriptionArn='),
      MessageAttributes: { kind: { Type: 'String', Value: 'restock' }, priority: { Type: 'Number', Value: '7' } },
    });

    const raw = await next('UrgentQueue');
    expect(raw.Body).toBe(body);
    expect(raw.MessageAttributes?.priority).toMatchObject({ DataType: 'Number', StringValue: '7' });
    expect(raw.MessageAttributes?.kind).toMatchObject({ DataType: 'String', StringValue: 'restock' });

    expect(JSON.parse((await next('ShippingQueue')).Body ?? '')).toMatchObject({ MessageId, Message: body });

    const event = JSON.parse((await next('SeenQueue')).Body ?? '');
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]).toMatchObject({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: expect.stringMatching(new RegExp(`^${topicArn}:`)),
      Sns: {
        Type: 'Notification',
        MessageId,
        TopicArn: topicArn,
        Subject: 'Parcel',
        Message: body,
        MessageAttributes: { kind: { Type: 'String', Value: 'restock' } },
      },
    });
  });

  it('does not deliver what a subscription filter policy refuses', async () => {
    const before = (await page()).delivered;
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: 'a plain audit line',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'audit' },
          priority: { DataType: 'Number', StringValue: '2' },
        },
      }),
    );
    expect((await next('EnvelopeQueue')).Body).toContain('a plain audit line');
    // Urgent (priority < 5), Shipping (the body is not JSON) and the function (kind audit) are filtered out.
    expect(await eventually(async () => (await page()).delivered.filtered === before.filtered + 3)).toBe(true);
    expect((await page()).delivered.sent).toBe(before.sent + 1);
    expect(await receive('UrgentQueue')).toEqual([]);
    expect(await receive('ShippingQueue')).toEqual([]);
    expect(await receive('SeenQueue')).toEqual([]);
  });

  it('publishes through a REST API AWS integration (mapping template with message attributes)', async () => {
    const response = await fetch(`${runtime.base}/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'refill-bolts', count: 40 }),
    });
    expect(response.status).toBe(202);
    const { messageId } = (await response.json()) as { messageId: string };
    expect(messageId).toMatch(/^[0-9a-f-]{36}$/);
    const event = JSON.parse((await next('SeenQueue')).Body ?? '');
    expect(event.Records[0].Sns).toMatchObject({
      MessageId: messageId,
      Message: JSON.stringify({ kind: 'refill-bolts', count: 40 }),
      Subject: null,
      MessageAttributes: { kind: { Type: 'String', Value: 'refill-bolts' } },
    });
    expect(JSON.parse((await next('EnvelopeQueue')).Body ?? '')).toMatchObject({ MessageId: messageId });
  });

  it('answers the integration in the query protocol JSON shape (request parameters, no templates)', async () => {
    const response = await fetch(`${runtime.base}/alerts?text=${encodeURIComponent('dock 4 is open')}`, {
      method: 'POST',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      PublishResponse: {
        PublishResult: { MessageId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
        ResponseMetadata: { RequestId: expect.any(String) },
      },
    });
    expect(JSON.parse((await next('EnvelopeQueue')).Body ?? '')).toMatchObject({ Message: 'dock 4 is open' });
  });

  it('answers errors as SNS does: NotFound, InvalidParameter, FIFO rules', async () => {
    await expect(
      sns.send(new PublishCommand({ TopicArn: topicArn.replace('warehouse-events', 'nope'), Message: 'x' })),
    ).rejects.toBeInstanceOf(NotFoundException);
    await expect(sns.send(new PublishCommand({ TopicArn: topicArn, Message: '' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    const fifo = topicArn.replace('warehouse-events', 'orders.fifo');
    await expect(sns.send(new PublishCommand({ TopicArn: fifo, Message: 'x' }))).rejects.toThrow(
      /MessageGroupId parameter is required for FIFO topics/,
    );
    const { SequenceNumber } = await sns.send(
      new PublishCommand({ TopicArn: fifo, Message: 'x', MessageGroupId: 'g' }),
    );
    expect(SequenceNumber).toMatch(/^\d+$/);
    const batch = await sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn,
        PublishBatchRequestEntries: [
          { Id: 'one', Message: 'batched' },
          { Id: 'two', Message: '' },
        ],
      }),
    );
    expect(batch.Successful?.map((entry) => entry.Id)).toEqual(['one']);
    expect(batch.Failed).toEqual([expect.objectContaining({ Id: 'two', Code: 'InvalidParameter', SenderFault: true })]);
    expect(JSON.parse((await next('EnvelopeQueue')).Body ?? '')).toMatchObject({ Message: 'batched' });
    // A bad request through the API (no `kind`: an empty attribute value) is the integration's error answer.
    const bad = await fetch(`${runtime.base}/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ count: 1 }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'ParameterValueInvalid' });
  });

  it('runs SqsSubscription: the queue SAM creates, or the one named, polled by the function', async () => {
    const packing = (await page()).topics.find((topic) => topic.name.includes('PackingTopic'));
    expect(packing?.subscriptions.map((subscription) => subscription.protocol)).toEqual(['sqs', 'sqs']);
    // SAM's generated queue is a queue of the stack (Ref and GetAtt of `<Function><Event>Queue`).
    const listed = (await (await fetch(`${runtime.info.restUrl}/_local/queues`)).json()) as { name: string }[];
    expect(listed.map((queue) => queue.name)).toContainEqual(expect.stringContaining('PackerFunctionPackingQueue'));
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: packing?.arn, Message: 'box 12' }));
    const events: { Records: { eventSource: string; body: string }[] }[] = [];
    await eventually(async () => {
      for (const message of await receive('PackedQueue')) events.push(JSON.parse(message.Body ?? ''));
      return events.length >= 2;
    }, 10_000);
    expect(events).toHaveLength(2);
    for (const event of events) {
      expect(event.Records[0]?.eventSource).toBe('aws:sqs');
      expect(JSON.parse(event.Records[0]?.body ?? '')).toMatchObject({
        Type: 'Notification',
        MessageId,
        Message: 'box 12',
      });
    }
  });

  it('sends each protocol its own text with MessageStructure json', async () => {
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'for anyone', sqs: 'for queues', lambda: 'for functions' }),
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'restock' } },
      }),
    );
    expect(JSON.parse((await next('EnvelopeQueue')).Body ?? '')).toMatchObject({ Message: 'for queues' });
    const event = JSON.parse((await next('SeenQueue')).Body ?? '');
    expect(event.Records[0].Sns.Message).toBe('for functions');
    await expect(
      sns.send(new PublishCommand({ TopicArn: topicArn, MessageStructure: 'json', Message: '{"sqs": "x"}' })),
    ).rejects.toThrow(/No default entry in JSON message body/);
  });

  it('delivers a FIFO topic to a FIFO queue with the message group and a sequence number', async () => {
    const fifo = topicArn.replace('warehouse-events', 'orders.fifo');
    const { SequenceNumber } = await sns.send(
      new PublishCommand({ TopicArn: fifo, Message: 'order 9', MessageGroupId: 'customer-4' }),
    );
    const received: Message[] = [];
    await eventually(async () => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queues['orders.fifo'],
          MessageSystemAttributeNames: ['MessageGroupId'],
          MaxNumberOfMessages: 10,
        }),
      );
      received.push(...Messages);
      return received.some((message) => message.Body?.includes('order 9'));
    });
    // The error test's message to group `g` came first.
    const order = received.find((message) => message.Body?.includes('order 9'));
    expect(order?.Attributes?.MessageGroupId).toBe('customer-4');
    expect(JSON.parse(order?.Body ?? '')).toMatchObject({ Message: 'order 9', SequenceNumber });
  });

  it('changes a subscription with SetSubscriptionAttributes', async () => {
    const { Subscriptions = [] } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    const urgent = Subscriptions.find((subscription) => subscription.Endpoint?.includes('UrgentQueue'));
    await sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: urgent?.SubscriptionArn,
        AttributeName: 'FilterPolicy',
        AttributeValue: JSON.stringify({ priority: [{ numeric: ['<', 0] }] }),
      }),
    );
    const { Attributes } = await sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn: urgent?.SubscriptionArn }),
    );
    expect(JSON.parse(Attributes?.FilterPolicy ?? '')).toEqual({ priority: [{ numeric: ['<', 0] }] });
    expect(Attributes?.RawMessageDelivery).toBe('true');
    await sns.send(
      new SetSubscriptionAttributesCommand({
        SubscriptionArn: urgent?.SubscriptionArn,
        AttributeName: 'FilterPolicy',
        AttributeValue: JSON.stringify({ priority: [{ numeric: ['>=', 5] }] }),
      }),
    );
    await expect(
      sns.send(
        new SetSubscriptionAttributesCommand({
          SubscriptionArn: urgent?.SubscriptionArn,
          AttributeName: 'FilterPolicy',
          AttributeValue: '[1]',
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('creates topics and subscriptions at run time, and unsubscribes', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'late-topic' }));
    expect(TopicArn).toMatch(/:late-topic$/);
    const inbox = queues.InboxQueue;
    const listed = (await (await fetch(`${runtime.info.restUrl}/_local/queues`)).json()) as {
      url: string;
      arn: string;
    }[];
    const inboxArn = listed.find((queue) => queue.url === inbox)?.arn;
    const { SubscriptionArn } = await sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: inboxArn,
        Attributes: { RawMessageDelivery: 'true' },
        ReturnSubscriptionArn: true,
      }),
    );
    await sns.send(new PublishCommand({ TopicArn, Message: 'late hello' }));
    expect((await next('InboxQueue')).Body).toBe('late hello');
    await sns.send(new UnsubscribeCommand({ SubscriptionArn }));
    const { Subscriptions = [] } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(Subscriptions).toEqual([]);
  });
});

describe('SQS ReceiveMessage through a REST API AWS integration', () => {
  const runtime = fixtureRuntime('sns-topics');
  let sqs: SQSClient;
  let inbox: string;

  beforeAll(async () => {
    sqs = new SQSClient(runtime.clientConfig('sqs'));
    const listed = (await (await fetch(`${runtime.info.restUrl}/_local/queues`)).json()) as {
      name: string;
      url: string;
    }[];
    inbox = listed.find((queue) => queue.name.includes('InboxQueue'))?.url ?? '';
  }, 90_000);

  afterAll(async () => {
    sqs?.destroy();
  });

  it('answers an empty queue with messages null', async () => {
    const response = await fetch(`${runtime.base}/inbox`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ReceiveMessageResponse: {
        ReceiveMessageResult: { messages: null },
        ResponseMetadata: { RequestId: expect.any(String) },
      },
    });
  });

  it('lists each message with every field, null where absent', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: inbox, MessageBody: 'first' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: inbox, MessageBody: 'second' }));
    const response = await fetch(`${runtime.base}/inbox?max=10`);
    const answer = (await response.json()) as {
      ReceiveMessageResponse: { ReceiveMessageResult: { messages: Record<string, unknown>[] } };
    };
    const { messages } = answer.ReceiveMessageResponse.ReceiveMessageResult;
    expect(messages.map((message) => message.Body).sort()).toEqual(['first', 'second']);
    expect(messages[0]).toEqual({
      Attributes: null,
      Body: expect.any(String),
      MD5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      MD5OfMessageAttributes: null,
      MessageAttributes: null,
      MessageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ReceiptHandle: expect.any(String),
    });
  });
});
