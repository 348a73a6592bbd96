import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type SqsService, startSqsService } from '../../src/services/sqs/server.ts';
import { signedHeaders } from '../../src/testing/sign.ts';
import { authFor, testKey } from './local-auth.ts';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
// Visibility timeouts and delays run 20 times faster: a 2 s timeout expires after 100 ms.
const TIME_SCALE = 0.05;

let service: SqsService;
let sqs: SQSClient;
const urlOf = (name: string) => `${service.url}/${ACCOUNT}/${name}`;
/** A raw request, signed as the SDK signs it (the endpoint refuses unsigned ones). */
const signedPost = async (url: string, body: string, headers: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    headers: await signedHeaders(url, testKey, REGION, 'POST', body, { service: 'sqs', headers }),
    body,
  });

beforeAll(async () => {
  service = await startSqsService({
    region: REGION,
    auth: authFor(REGION),
    accountId: ACCOUNT,
    timeScale: TIME_SCALE,
    queues: [
      { name: 'work', properties: { VisibilityTimeout: 2 } },
      {
        name: 'redriven',
        properties: {
          VisibilityTimeout: 1,
          RedrivePolicy: { deadLetterTargetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:redriven-dlq`, maxReceiveCount: 2 },
        },
      },
      { name: 'redriven-dlq', properties: {} },
      { name: 'batch', properties: {} },
      { name: 'ordered.fifo', properties: { FifoQueue: true, ContentBasedDeduplication: true } },
      { name: 'query', properties: {} },
      { name: 'purge', properties: {} },
    ],
  });
  sqs = new SQSClient({
    region: REGION,
    endpoint: service.url,
    credentials: testKey,
  });
});

afterAll(async () => {
  sqs.destroy();
  await service.close();
});

const receiveAll = async (queue: string, max = 10) =>
  (
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: urlOf(queue),
        MaxNumberOfMessages: max,
        MessageSystemAttributeNames: ['All'],
      }),
    )
  ).Messages ?? [];

describe('local SQS with the AWS SDK (JSON protocol)', () => {
  it('sends, receives with the MD5 of the body, hides in flight, and deletes', async () => {
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: urlOf('work'), MessageBody: 'hello' }));
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('hello').digest('hex'));
    const [message] = await receiveAll('work');
    expect(message).toMatchObject({ MessageId: sent.MessageId, Body: 'hello' });
    expect(message?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(await receiveAll('work')).toEqual([]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: urlOf('work'), ReceiptHandle: message?.ReceiptHandle }));
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: urlOf('work'), AttributeNames: ['All'] }),
    );
    expect(attributes.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      VisibilityTimeout: '2',
      QueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:work`,
    });
  });

  it('redelivers a message whose visibility timeout expired, with a new receipt handle', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: urlOf('work'), MessageBody: 'again' }));
    const [first] = await receiveAll('work');
    const second = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: urlOf('work'), WaitTimeSeconds: 5, MessageSystemAttributeNames: ['All'] }),
    );
    const [redelivered] = second.Messages ?? [];
    expect(redelivered?.MessageId).toBe(first?.MessageId);
    expect(redelivered?.ReceiptHandle).not.toBe(first?.ReceiptHandle);
    expect(redelivered?.Attributes?.ApproximateReceiveCount).toBe('2');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: urlOf('work'), ReceiptHandle: redelivered?.ReceiptHandle }));
  });

  it('ChangeMessageVisibility to 0 makes a message receivable at once', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: urlOf('work'), MessageBody: 'release' }));
    const [message] = await receiveAll('work');
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: urlOf('work'),
        ReceiptHandle: message?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const [again] = await receiveAll('work');
    expect(again?.MessageId).toBe(message?.MessageId);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: urlOf('work'), ReceiptHandle: again?.ReceiptHandle }));
  });

  it('long polling returns as soon as a message arrives', async () => {
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: urlOf('work'), WaitTimeSeconds: 10 }));
    setTimeout(() => void sqs.send(new SendMessageCommand({ QueueUrl: urlOf('work'), MessageBody: 'late' })), 50);
    const { Messages } = await polling;
    expect(Messages?.[0]?.Body).toBe('late');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: urlOf('work'), ReceiptHandle: Messages?.[0]?.ReceiptHandle }));
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: urlOf('redriven'), MessageBody: 'poison' }));
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: urlOf('redriven'),
          WaitTimeSeconds: 5,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      expect(Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe(String(attempt));
    }
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: urlOf('redriven'), WaitTimeSeconds: 1 }));
    expect(third.Messages).toBeUndefined();
    const [dead] = await receiveAll('redriven-dlq');
    expect(dead).toMatchObject({ MessageId: sent.MessageId, Body: 'poison' });
    expect(dead?.Attributes?.DeadLetterQueueSourceArn).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:redriven`);
  });

  it('batches: each entry succeeds or fails on its own', async () => {
    const result = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: urlOf('batch'),
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two', MessageAttributes: { kind: { DataType: 'String', StringValue: 'x' } } },
          { Id: 'c', MessageBody: 'three', DelaySeconds: 901 },
        ],
      }),
    );
    expect(result.Successful?.map((entry) => entry.Id)).toEqual(['a', 'b']);
    expect(result.Failed).toEqual([
      expect.objectContaining({ Id: 'c', Code: 'InvalidParameterValue', SenderFault: true }),
    ]);
    const messages = await receiveAll('batch');
    expect(messages).toHaveLength(2);
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: urlOf('batch'),
        Entries: [
          ...messages.map((message, index) => ({ Id: `m${index}`, ReceiptHandle: message.ReceiptHandle })),
          { Id: 'bad', ReceiptHandle: 'not-a-handle' },
        ],
      }),
    );
    expect(deleted.Successful).toHaveLength(2);
    expect(deleted.Failed?.[0]).toMatchObject({ Id: 'bad', Code: 'ReceiptHandleIsInvalid' });
    await expect(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: urlOf('batch'),
          Entries: Array.from({ length: 11 }, (_, index) => ({ Id: `e${index}`, MessageBody: 'x' })),
        }),
      ),
    ).rejects.toBeInstanceOf(TooManyEntriesInBatchRequest);
  });

  it('keeps FIFO order within a group and deduplicates by content', async () => {
    const first = await sqs.send(
      new SendMessageCommand({ QueueUrl: urlOf('ordered.fifo'), MessageBody: '1', MessageGroupId: 'g' }),
    );
    const duplicate = await sqs.send(
      new SendMessageCommand({ QueueUrl: urlOf('ordered.fifo'), MessageBody: '1', MessageGroupId: 'g' }),
    );
    expect(duplicate.MessageId).toBe(first.MessageId);
    await sqs.send(new SendMessageCommand({ QueueUrl: urlOf('ordered.fifo'), MessageBody: '2', MessageGroupId: 'g' }));
    const [head] = await receiveAll('ordered.fifo', 1);
    expect(head?.Body).toBe('1');
    // The group is blocked while its first message is in flight.
    expect(await receiveAll('ordered.fifo')).toEqual([]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: urlOf('ordered.fifo'), ReceiptHandle: head?.ReceiptHandle }));
    const [next] = await receiveAll('ordered.fifo');
    expect(next?.Body).toBe('2');
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: urlOf('ordered.fifo'), MessageBody: '3' })),
    ).rejects.toMatchObject({ name: 'MissingParameter' });
  });

  it('answers errors with the AWS shapes', async () => {
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: `${service.url}/${ACCOUNT}/nope`, MessageBody: 'x' })),
    ).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(
      sqs.send(new DeleteMessageCommand({ QueueUrl: urlOf('work'), ReceiptHandle: 'garbage' })),
    ).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);
    await expect(
      sqs.send(new ReceiveMessageCommand({ QueueUrl: urlOf('work'), MaxNumberOfMessages: 11 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: urlOf('work'), MessageBody: '\u0000' })),
    ).rejects.toMatchObject({
      name: 'InvalidMessageContents',
    });
    const unknown = await signedPost(service.url, '{}', {
      'X-Amz-Target': 'AmazonSQS.Explode',
      'Content-Type': 'application/x-amz-json-1.0',
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: expect.stringContaining('UnknownOperationException') });
    const missing = await signedPost(service.url, JSON.stringify({ QueueUrl: urlOf('work') }), {
      'X-Amz-Target': 'AmazonSQS.SendMessage',
      'Content-Type': 'application/x-amz-json-1.0',
    });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('x-amzn-query-error')).toBe('MissingParameter;Sender');
    // A redrive policy that is not JSON is the caller's mistake, not the service's failure.
    await expect(
      sqs.send(new CreateQueueCommand({ QueueName: 'bad-redrive', Attributes: { RedrivePolicy: '{not json' } })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue', $metadata: { httpStatusCode: 400 } });
    expect(await missing.json()).toEqual({
      __type: 'com.amazonaws.sqs#MissingParameter',
      message: 'The request must contain the parameter MessageBody.',
    });
  });

  it('purges once a minute, as SQS allows', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: urlOf('purge'), MessageBody: 'x' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: urlOf('purge') }));
    expect(await receiveAll('purge')).toEqual([]);
    await expect(sqs.send(new PurgeQueueCommand({ QueueUrl: urlOf('purge') }))).rejects.toMatchObject({
      name: 'PurgeQueueInProgress',
    });
  });
});

describe('local SQS query protocol (what API Gateway and curl send)', () => {
  const post = (body: string, accept?: string) =>
    signedPost(urlOf('query'), body, {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...(accept ? { Accept: accept } : {}),
    });

  it('sends with a form body and answers XML, or JSON when asked', async () => {
    const xml = await post(
      `Action=SendMessage&MessageBody=${encodeURIComponent('{"a":1}')}&MessageAttribute.1.Name=k&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v`,
    );
    expect(xml.status).toBe(200);
    const text = await xml.text();
    expect(text).toContain(`<MD5OfMessageBody>${createHash('md5').update('{"a":1}').digest('hex')}</MD5OfMessageBody>`);
    expect(text).toMatch(
      /<SendMessageResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><SendMessageResult><MessageId>[0-9a-f-]{36}<\/MessageId>/,
    );
    const json = await post('Action=SendMessage&MessageBody=two', 'application/json');
    const answer = (await json.json()) as { SendMessageResponse: { SendMessageResult: { MessageId: string } } };
    expect(answer.SendMessageResponse.SendMessageResult.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const received = await post('Action=ReceiveMessage&MaxNumberOfMessages=10&MessageAttributeName.1=All');
    const receivedXml = await received.text();
    expect(receivedXml.match(/<Message>/g)).toHaveLength(2);
    expect(receivedXml).toContain(
      '<MessageAttribute><Name>k</Name><Value><DataType>String</DataType><StringValue>v</StringValue></Value></MessageAttribute>',
    );
  });

  it('takes the plural MessageAttributes.N spelling as AWS does (test_sqs_aws_integration_with_message_attribute)', async () => {
    const sent = await post(
      'Action=SendMessage&MessageBody=plural&MessageAttributes.1.Name=user-agent&MessageAttributes.1.Value.DataType=String&MessageAttributes.1.Value.StringValue=BAR-Header',
    );
    expect(sent.status).toBe(200);
    const received = await (await post('Action=ReceiveMessage&MessageAttributeName.1=All')).text();
    expect(received).toContain(
      '<MessageAttribute><Name>user-agent</Name><Value><DataType>String</DataType><StringValue>BAR-Header</StringValue></Value></MessageAttribute>',
    );
  });

  it('answers an unknown action with InvalidAction and a bad parameter with the query error document', async () => {
    const invalid = await post('Action=Explode');
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toContain('<Code>InvalidAction</Code>');
    const missing = await post('Action=SendMessage');
    expect(await missing.text()).toContain('<Code>MissingParameter</Code>');
    const gone = await signedPost(`${service.url}/${ACCOUNT}/nope`, 'Action=SendMessage&MessageBody=x', {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(await gone.text()).toContain('<Code>AWS.SimpleQueueService.NonExistentQueue</Code>');
  });
});
