import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Delivery } from '../../src/services/registry.ts';
import { type SnsService, startSnsService } from '../../src/services/sns/server.ts';
import { signedHeaders } from '../../src/testing/sign.ts';
import { authFor, testKey } from './local-auth.ts';

/** The SNS endpoint's query protocol answered by hand: XML and JSON renderings, refusals, client-named keys. */
const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';

let service: SnsService;
const delivered: { target: string; delivery: Delivery }[] = [];
const failures: string[] = [];

const post = async (body: string, headers: Record<string, string> = {}) =>
  fetch(service.url, {
    method: 'POST',
    headers: await signedHeaders(service.url, testKey, REGION, 'POST', body, {
      service: 'sns',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    }),
    body,
  });

beforeAll(async () => {
  service = await startSnsService({
    region: REGION,
    accountId: ACCOUNT,
    auth: authFor(REGION),
    deliver: async (target, delivery) => {
      if (target.endsWith(':gone')) throw new Error('The specified queue does not exist.');
      delivered.push({ target, delivery });
    },
    log: (line) => failures.push(line),
  });
  const topic = service.registry.create({ name: 'alerts' });
  service.registry.subscribe({
    topicArn: topic.arn,
    protocol: 'sqs',
    endpoint: `arn:aws:sqs:${REGION}:${ACCOUNT}:raw`,
    raw: 'true',
    source: 'test',
  });
  service.registry.subscribe({
    topicArn: topic.arn,
    protocol: 'sqs',
    endpoint: `arn:aws:sqs:${REGION}:${ACCOUNT}:gone`,
    redrivePolicy: { deadLetterTargetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:undelivered` },
    source: 'GoneSubscription',
  });
  service.registry.subscribe({ topicArn: topic.arn, protocol: 'email', endpoint: 'a@b.c', source: 'MailSubscription' });
});

afterAll(async () => {
  await service.close();
});

const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`;

describe('SNS query protocol', () => {
  it('answers XML with the SNS namespace, and the same document as JSON when asked', async () => {
    const xml = await post('Action=ListTopics&Version=2010-03-31');
    expect(xml.status).toBe(200);
    expect(xml.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await xml.text()).toMatch(
      /^<\?xml version="1.0"\?><ListTopicsResponse xmlns="http:\/\/sns.amazonaws.com\/doc\/2010-03-31\/"><ListTopicsResult><Topics><member><TopicArn>arn:aws:sns:eu-west-1:123456789012:alerts<\/TopicArn><\/member><\/Topics><\/ListTopicsResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/ListTopicsResponse>$/,
    );
    const json = await post(`Action=GetTopicAttributes&TopicArn=${encodeURIComponent(TOPIC)}`, {
      Accept: 'application/json',
    });
    expect(await json.json()).toMatchObject({
      GetTopicAttributesResponse: {
        GetTopicAttributesResult: { Attributes: { TopicArn: TOPIC, SubscriptionsConfirmed: '3' } },
        ResponseMetadata: { RequestId: expect.any(String) },
      },
    });
  });

  it('refuses unsigned requests and unknown actions in an ErrorResponse', async () => {
    const unsigned = await fetch(service.url, { method: 'POST', body: 'Action=ListTopics' });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('<Code>MissingAuthenticationToken</Code>');
    const unknown = await post('Action=Frobnicate');
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toMatch(
      /<ErrorResponse xmlns="http:\/\/sns.amazonaws.com\/doc\/2010-03-31\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code>/,
    );
    const missing = await post(`Action=Publish&TopicArn=${encodeURIComponent(`${TOPIC}-nope`)}&Message=x`, {
      Accept: 'application/json',
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ Error: { Code: 'NotFound', Type: 'Sender' } });
  });

  it('keeps client-named attributes (__proto__ included) and logs, without failing, what it cannot deliver', async () => {
    const body = [
      'Action=Publish',
      `TopicArn=${encodeURIComponent(TOPIC)}`,
      'Message=hello',
      'MessageAttributes.entry.1.Name=__proto__',
      'MessageAttributes.entry.1.Value.DataType=String',
      'MessageAttributes.entry.1.Value.StringValue=polluted',
    ].join('&');
    const published = await post(body);
    expect(published.status).toBe(200);
    const raw = delivered.find((item) => item.target.endsWith(':raw'));
    expect(raw?.delivery.body).toBe('hello');
    expect(Object.hasOwn(raw?.delivery.attributes ?? {}, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/GoneSubscription\) failed: The specified queue does not exist/),
        expect.stringMatching(/MailSubscription: email subscriptions are not delivered locally/),
      ]),
    );
    expect(service.delivered).toMatchObject({ sent: 1, failed: 1 });
    // The subscription's RedrivePolicy: the notification it could not deliver is in its dead-letter queue.
    const redriven = delivered.find((item) => item.target.endsWith(':undelivered'));
    expect(JSON.parse(redriven?.delivery.body ?? '')).toMatchObject({ Type: 'Notification', Message: 'hello' });
  });
});
