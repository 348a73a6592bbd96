import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConfirmSubscriptionCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';
import { queueUrlsOf } from '../local-queues.ts';

/**
 * SNS http(s) subscriptions black-box: a web server the test runs is subscribed by the template (its URL a parameter
 * override); it gets the SubscriptionConfirmation, is confirmed by a GET of SubscribeURL (or ConfirmSubscription through
 * the SDK), then gets notifications; a failing endpoint is retried and its message lands in the dead-letter queue; the
 * template's own REST API is subscribed and its function confirms itself and records what it gets.
 */

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const received: Received[] = [];
let hooks: Server;

beforeAll(async () => {
  hooks = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() });
      response.writeHead(request.url === '/failing' ? 500 : 200).end();
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
});

const runtime = fixtureRuntime('sns-http', () => [
  '--parameter-overrides',
  `HookBase=http://127.0.0.1:${(hooks.address() as AddressInfo).port}`,
  '--time-scale',
  '0.001',
]);

afterAll(async () => {
  hooks?.closeAllConnections();
  await new Promise((resolve) => hooks?.close(resolve));
});

const at = (path: string, type: string) =>
  received.filter((item) => item.path === path && item.headers['x-amz-sns-message-type'] === type);

/** The first request of a type to reach a path (within 5 s), its body parsed. */
const first = async (
  path: string,
  type: string,
): Promise<{ headers: IncomingHttpHeaders; json: Record<string, string> }> => {
  expect(await eventually(() => at(path, type).length > 0, 5000)).toBe(true);
  const item = at(path, type)[0];
  if (!item) throw new Error(`no ${type} at ${path}`);
  return { headers: item.headers, json: JSON.parse(item.body) };
};

describe('SNS http(s) subscriptions', () => {
  let sns: SNSClient;
  let sqs: SQSClient;
  let topicArn: string;
  let queues: Record<string, string>;

  const receive = async (queue: string): Promise<Message[]> =>
    (
      await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queues[queue], MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      )
    ).Messages ?? [];

  const subscriptions = async () =>
    (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions ?? [];

  beforeAll(async () => {
    sns = new SNSClient(runtime.clientConfig('sns'));
    sqs = new SQSClient(runtime.clientConfig('sqs'));
    queues = await queueUrlsOf(runtime, ['UndeliveredQueue', 'SeenQueue']);
    const topics = (await (await fetch(`${runtime.info.restUrl}/_local/topics`)).json()) as {
      topics: { name: string; arn: string }[];
    };
    topicArn = topics.topics.find((topic) => topic.name === 'hooks')?.arn ?? '';
  }, 90_000);

  afterAll(() => {
    sns?.destroy();
    sqs?.destroy();
  });

  it('leaves a template http subscription pending and POSTs it a SubscriptionConfirmation with SNS headers', async () => {
    const { headers, json } = await first('/plain', 'SubscriptionConfirmation');
    expect(headers).toMatchObject({
      'x-amz-sns-message-id': json.MessageId,
      'x-amz-sns-topic-arn': topicArn,
      'content-type': 'text/plain; charset=UTF-8',
      'user-agent': 'Amazon Simple Notification Service Agent',
    });
    expect(json).toEqual({
      Type: 'SubscriptionConfirmation',
      MessageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      Token: expect.any(String),
      TopicArn: topicArn,
      Message: expect.stringContaining(`You have chosen to subscribe to the topic ${topicArn}.`),
      SubscribeURL: expect.stringContaining('Action=ConfirmSubscription'),
      Timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      SignatureVersion: '1',
      Signature: expect.any(String),
      SigningCertURL: expect.stringMatching(/^https:\/\/sns\./),
    });
    const pending = (await subscriptions()).filter((item) => item.Endpoint?.endsWith('/pending'));
    expect(pending).toEqual([expect.objectContaining({ SubscriptionArn: 'PendingConfirmation', Protocol: 'http' })]);
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }));
    expect(Number(Attributes?.SubscriptionsPending)).toBeGreaterThanOrEqual(3);
    const page = (await (await fetch(`${runtime.info.restUrl}/_local/topics`)).json()) as {
      topics: { name: string; subscriptions: { endpoint: string; pendingConfirmation?: boolean }[] }[];
    };
    const listed = page.topics.find((topic) => topic.name === 'hooks')?.subscriptions ?? [];
    expect(listed.find((item) => item.endpoint.endsWith('/pending'))?.pendingConfirmation).toBe(true);
    expect(runtime.output()).toMatch(/hooks\s+http http:\/\/127\.0\.0\.1:\d+\/plain \(pending confirmation\)/);
  });

  it('confirms by a plain GET of SubscribeURL, then POSTs the Notification (envelope and raw) but nothing to a pending one', async () => {
    const plain = await first('/plain', 'SubscriptionConfirmation');
    const confirmed = await fetch(plain.json.SubscribeURL ?? '');
    expect(confirmed.status).toBe(200);
    const xml = await confirmed.text();
    expect(xml).toMatch(
      /<ConfirmSubscriptionResult><SubscriptionArn>arn:aws:sns:[^<]+:hooks:[0-9a-f-]{36}<\/SubscriptionArn>/,
    );
    const plainArn = /<SubscriptionArn>([^<]+)</.exec(xml)?.[1] ?? '';
    const raw = await first('/raw', 'SubscriptionConfirmation');
    expect((await fetch(raw.json.SubscribeURL ?? '')).status).toBe(200);
    const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: plainArn }));
    expect(Attributes?.PendingConfirmation).toBe('false');
    // ConfirmSubscription is idempotent: the same URL answers the same subscription.
    expect(await (await fetch(plain.json.SubscribeURL ?? '')).text()).toContain(`<SubscriptionArn>${plainArn}<`);

    const { MessageId } = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: 'parcel shipped',
        Subject: 'Parcel',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'restock' } },
      }),
    );
    const notification = await first('/plain', 'Notification');
    expect(notification.headers).toMatchObject({
      'x-amz-sns-message-id': MessageId,
      'x-amz-sns-topic-arn': topicArn,
      'x-amz-sns-subscription-arn': plainArn,
      'content-type': 'text/plain; charset=UTF-8',
      'user-agent': 'Amazon Simple Notification Service Agent',
    });
    expect(notification.headers['x-amz-sns-rawdelivery']).toBeUndefined();
    expect(notification.json).toMatchObject({
      Type: 'Notification',
      MessageId,
      TopicArn: topicArn,
      Subject: 'Parcel',
      Message: 'parcel shipped',
      UnsubscribeURL: expect.stringContaining(encodeURIComponent(plainArn)),
      MessageAttributes: { kind: { Type: 'String', Value: 'restock' } },
    });

    expect(await eventually(() => at('/raw', 'Notification').length > 0, 5000)).toBe(true);
    const rawNotification = at('/raw', 'Notification')[0];
    expect(rawNotification?.body).toBe('parcel shipped');
    expect(rawNotification?.headers['x-amz-sns-rawdelivery']).toBe('true');

    expect(at('/pending', 'Notification')).toEqual([]);
    expect(at('/pending', 'SubscriptionConfirmation')).toHaveLength(1);
  });

  it('confirms through the SDK, retries a failing endpoint and moves the message to its dead-letter queue', async () => {
    // The failing endpoint answers 500 to its confirmation too: SNS tried it four times (the default policy).
    expect(await eventually(() => at('/failing', 'SubscriptionConfirmation').length === 4, 5000)).toBe(true);
    const token = JSON.parse(at('/failing', 'SubscriptionConfirmation')[0]?.body ?? '{}').Token;
    const { SubscriptionArn } = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: token }));
    expect(SubscriptionArn).toMatch(/:hooks:[0-9a-f-]{36}$/);

    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'will not land' }));
    expect(await eventually(() => at('/failing', 'Notification').length === 4, 5000)).toBe(true);
    let dead: Message[] = [];
    expect(
      await eventually(async () => {
        dead = await receive('UndeliveredQueue');
        return dead.length > 0;
      }, 5000),
    ).toBe(true);
    expect(JSON.parse(dead[0]?.Body ?? '{}')).toMatchObject({
      Type: 'Notification',
      MessageId,
      Message: 'will not land',
    });
    expect(at('/failing', 'Notification').map((item) => item.headers['x-amz-sns-message-id'])).toEqual([
      MessageId,
      MessageId,
      MessageId,
      MessageId,
    ]);
    expect(runtime.output()).toContain(`[sns] message ${MessageId} to http://127.0.0.1:`);
  });

  it('answers an unknown token with InvalidParameter', async () => {
    await expect(
      sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: 'not-a-token' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    const answer = await fetch(
      `${runtime.serviceUrl('sns')}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=nope`,
    );
    expect(answer.status).toBe(400);
    expect(await answer.text()).toMatch(
      /<Code>InvalidParameter<\/Code>\s*<Message>Invalid parameter: Token<\/Message>/,
    );
  });

  it('Subscribe leaves an http endpoint pending: "pending confirmation" unless ReturnSubscriptionArn', async () => {
    const endpoint = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/subscribed`;
    const answered = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: endpoint }));
    expect(answered.SubscriptionArn).toBe('pending confirmation');
    const { SubscriptionArn } = await sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: endpoint, ReturnSubscriptionArn: true }),
    );
    const { Attributes } = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
    expect(Attributes?.PendingConfirmation).toBe('true');
    expect(await eventually(() => at('/subscribed', 'SubscriptionConfirmation').length === 2, 5000)).toBe(true);
  });

  it('takes an unsigned Unsubscribe (its UnsubscribeURL) unless the confirmation asked AuthenticateOnUnsubscribe', async () => {
    const base = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
    const subscribe = async (path: string) =>
      (
        await sns.send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: 'http',
            Endpoint: `${base}${path}`,
            ReturnSubscriptionArn: true,
          }),
        )
      ).SubscriptionArn ?? '';
    const unsubscribeUrl = (arn: string) =>
      `${runtime.serviceUrl('sns')}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(arn)}`;
    const attributes = async (arn: string) =>
      (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes ?? {};

    // Confirmed by a plain GET: not authenticated, and anyone may unsubscribe it.
    const open = await subscribe('/unsubscribe-open');
    expect(
      (await fetch((await first('/unsubscribe-open', 'SubscriptionConfirmation')).json.SubscribeURL ?? '')).status,
    ).toBe(200);
    expect((await attributes(open)).ConfirmationWasAuthenticated).toBe('false');
    expect((await fetch(unsubscribeUrl(open))).status).toBe(200);
    await expect(attributes(open)).rejects.toMatchObject({ name: 'NotFoundException' });

    // Confirmed, signed, with AuthenticateOnUnsubscribe: an unsigned Unsubscribe is refused, a signed one taken.
    const guarded = await subscribe('/unsubscribe-guarded');
    const { Token = '' } = (await first('/unsubscribe-guarded', 'SubscriptionConfirmation')).json;
    const unsignedConfirm = `${runtime.serviceUrl('sns')}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${Token}&AuthenticateOnUnsubscribe=true`;
    expect((await fetch(unsignedConfirm)).status).toBe(403);
    await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token, AuthenticateOnUnsubscribe: 'true' }));
    expect((await attributes(guarded)).ConfirmationWasAuthenticated).toBe('true');
    expect((await fetch(unsubscribeUrl(guarded))).status).toBe(403);
    expect((await attributes(guarded)).PendingConfirmation).toBe('false');
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: guarded }));
    await expect(attributes(guarded)).rejects.toMatchObject({ name: 'NotFoundException' });
  });

  it('retries an endpoint nobody listens on and names the failure in the log', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/gone`;
    await new Promise((resolve) => closed.close(resolve));
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: endpoint }));
    expect(
      await runtime.waitForOutput(
        new RegExp(
          `SubscriptionConfirmation not delivered to ${endpoint}: .*ECONNREFUSED.* \\(4 tries\\); the subscription stays pending`,
        ),
        5000,
      ),
    ).toBe(true);
  });

  it("delivers to the template's own API: its function confirms through SubscribeURL and gets the notification", async () => {
    expect(
      await eventually(async () => {
        const api = (await subscriptions()).find((item) => item.Protocol === 'https');
        return api !== undefined && api.SubscriptionArn !== 'PendingConfirmation';
      }, 10_000),
    ).toBe(true);
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'to the api' }));
    let seen: { type: string; subscriptionArn: string; message: Record<string, string> } | undefined;
    expect(
      await eventually(async () => {
        for (const message of await receive('SeenQueue')) {
          const body = JSON.parse(message.Body ?? '{}');
          if (body.message?.MessageId === MessageId) seen = body;
        }
        return seen !== undefined;
      }, 10_000),
    ).toBe(true);
    expect(seen).toMatchObject({
      type: 'Notification',
      subscriptionArn: expect.stringMatching(/:hooks:[0-9a-f-]{36}$/),
      message: { Type: 'Notification', MessageId, Message: 'to the api' },
    });
  });
});
