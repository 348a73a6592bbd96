import { createHash } from 'node:crypto';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../../src/testing/eventually.ts';
import { call, signedHeaders } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * S3 event notifications, black-box over real sockets (tests/fixtures/s3-notifications): objects put, copied and
 * deleted with the AWS SDK reach a function through a SAM `S3` event (which writes each event it gets to a second
 * bucket), a queue through the bucket's NotificationConfiguration, and a queue through an EventBridge rule on S3's own
 * events.
 */
const runtime = fixtureRuntime('s3-notifications');
let s3: S3Client;
let sqs: SQSClient;

beforeAll(() => {
  s3 = new S3Client(runtime.clientConfig('s3'));
  sqs = new SQSClient(runtime.clientConfig('sqs'));
});
afterAll(() => {
  s3?.destroy();
  sqs?.destroy();
});

type S3Record = { eventName: string; s3: { object: Record<string, unknown> } } & Record<string, unknown>;

/** The event the function wrote for `<eventName>/<key>`, once it has. */
const functionGot = async (eventName: string, key: string): Promise<{ Records: S3Record[] } | undefined> => {
  let body: string | undefined;
  await eventually(async () => {
    try {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'local-thumbnails', Key: `${eventName}/${key}.json` }));
      body = await got.Body?.transformToString();
      return true;
    } catch {
      return false;
    }
  }, 8000);
  return body === undefined ? undefined : JSON.parse(body);
};

const thumbnailKeys = async (): Promise<string[]> => {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'local-thumbnails' }));
  return (listed.Contents ?? []).map((object) => object.Key ?? '');
};

/** Every message of a queue until one satisfies `found` (each taken off the queue). */
const queueMessages = async (queueName: string, found: (messages: unknown[]) => boolean): Promise<unknown[]> => {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  const bodies: unknown[] = [];
  await eventually(async () => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    for (const message of Messages as Message[]) {
      bodies.push(JSON.parse(message.Body ?? '{}'));
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
    return found(bodies);
  }, 8000);
  return bodies;
};

const recordsOf = (bodies: unknown[]): S3Record[] =>
  bodies.flatMap((body) => ((body as { Records?: S3Record[] }).Records ?? []) as S3Record[]);

describe('start-up', () => {
  it('runs S3 events and notifications, and names each configuration it cannot honour', () => {
    const output = runtime.output();
    expect(output).not.toMatch(/PhotoUploaded \(S3\): not run/);
    expect(output).not.toMatch(/NotificationConfiguration not run locally/);
    expect(output).toMatch(
      /\[s3\] ThumbnailFunction\.Events\.ElsewhereUploaded: Bucket must be a Ref to an AWS::S3::Bucket of this template/,
    );
    expect(output).toMatch(
      /\[s3\] DocumentsBucket\.NotificationConfiguration\.QueueConfigurations\[2\]: s3:ObjectCreated:Sideways is not an S3 event type; not run/,
    );
    expect(output).toMatch(
      /\[s3\] DocumentsBucket\.NotificationConfiguration\.QueueConfigurations\[3\]: s3:ObjectTagging:Put never happens locally \(object tagging is not served\)/,
    );
    expect(output).toMatch(
      /\[s3\] DocumentsBucket\.NotificationConfiguration\.QueueConfigurations\[4\]: arn:aws:sqs:us-east-1:111122223333:elsewhere is not a local queue, topic or function of this template; not run/,
    );
    expect(output).toMatch(
      /\[s3\] DocumentsBucket\.NotificationConfiguration\.QueueConfigurations\[5\]: s3:constructor is not an S3 event type; not run/,
    );
  });
});

describe('a SAM S3 event on a function', () => {
  it('invokes the function with the ObjectCreated:Put record of a key its prefix and suffix match, and not for others', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'local-photos', Key: 'uploads/notes.txt', Body: 'no' }));
    await s3.send(new PutObjectCommand({ Bucket: 'local-photos', Key: 'elsewhere/cat.jpg', Body: 'no' }));
    const put = await s3.send(
      new PutObjectCommand({ Bucket: 'local-photos', Key: 'uploads/red flower (1).jpg', Body: 'a photo' }),
    );
    const event = await functionGot('ObjectCreated:Put', 'uploads/red flower (1).jpg');
    expect(event?.Records).toHaveLength(1);
    expect(event?.Records[0]).toEqual({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      eventName: 'ObjectCreated:Put',
      userIdentity: { principalId: expect.stringMatching(/^AWS:\w+$/) },
      requestParameters: { sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-request-id': expect.any(String), 'x-amz-id-2': expect.any(String) },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: expect.any(String),
        bucket: {
          name: 'local-photos',
          ownerIdentity: { principalId: expect.stringMatching(/^A[A-Z0-9]+$/) },
          arn: 'arn:aws:s3:::local-photos',
        },
        object: {
          // URL-encoded as S3 sends it: spaces as '+'.
          key: 'uploads/red+flower+%281%29.jpg',
          size: 7,
          eTag: put.ETag?.replace(/"/g, ''),
          sequencer: expect.stringMatching(/^[0-9A-F]+$/),
        },
      },
    });
    // Decided when each was put: neither went anywhere, so neither can arrive later.
    for (const key of ['uploads/notes\\.txt', 'elsewhere/cat\\.jpg']) {
      const line = new RegExp(
        `\\[s3\\] ObjectCreated:Put of local-photos/${key}: no notification configuration matched`,
      );
      expect(await runtime.waitForOutput(line)).toBe(true);
    }
    const keys = await thumbnailKeys();
    expect(keys.filter((key) => key.includes('notes.txt') || key.includes('cat.jpg'))).toEqual([]);
  });

  it('sends a CopyObject as ObjectCreated:Copy', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'local-photos', Key: 'originals/dog.png', Body: 'woof' }));
    await s3.send(
      new CopyObjectCommand({
        Bucket: 'local-photos',
        Key: 'uploads/dog.jpg',
        CopySource: 'local-photos/originals/dog.png',
      }),
    );
    const event = await functionGot('ObjectCreated:Copy', 'uploads/dog.jpg');
    expect(event?.Records[0]).toMatchObject({
      eventName: 'ObjectCreated:Copy',
      s3: { object: { key: 'uploads/dog.jpg', size: 4 } },
    });
  });

  it('a DeleteObject fires ObjectRemoved:Delete, with no size or ETag', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'local-photos', Key: 'trash/old.gif', Body: 'x' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'local-photos', Key: 'trash/old.gif' }));
    const event = await functionGot('ObjectRemoved:Delete', 'trash/old.gif');
    expect(event?.Records[0]?.eventName).toBe('ObjectRemoved:Delete');
    expect(event?.Records[0]?.s3.object).toEqual({
      key: 'trash/old.gif',
      sequencer: expect.stringMatching(/^[0-9A-F]+$/),
    });
  });
});

describe('DeleteObjects', () => {
  it('removes each key, answers each as Deleted (one that was not there too), and fires ObjectRemoved:Delete for each', async () => {
    for (const key of ['batch/a one.png', 'batch/b.png'])
      await s3.send(new PutObjectCommand({ Bucket: 'local-photos', Key: key, Body: key }));
    const answer = await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'local-photos',
        Delete: { Objects: [{ Key: 'batch/a one.png' }, { Key: 'batch/b.png' }, { Key: 'batch/never.png' }] },
      }),
    );
    expect((answer.Deleted ?? []).map((deleted) => deleted.Key)).toEqual([
      'batch/a one.png',
      'batch/b.png',
      'batch/never.png',
    ]);
    expect((await s3.send(new ListObjectsV2Command({ Bucket: 'local-photos', Prefix: 'batch/' }))).KeyCount).toBe(0);
    expect((await functionGot('ObjectRemoved:Delete', 'batch/a one.png'))?.Records[0]?.s3.object.key).toBe(
      'batch/a+one.png',
    );
    expect(await functionGot('ObjectRemoved:Delete', 'batch/b.png')).toBeDefined();
  });

  it('refuses a request with neither Content-MD5 nor a checksum (InvalidRequest), and a body that is no <Delete> (MalformedXML)', async () => {
    const url = `${runtime.serviceUrl('s3')}/local-photos?delete`;
    const send = async (body: string, headers: Record<string, string>) => {
      const signed = await signedHeaders(url, runtime.clientConfig('s3').credentials, 'us-east-1', 'POST', body, {
        service: 's3',
        headers: { 'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'), ...headers },
      });
      return call(url, { method: 'POST', headers: signed, body });
    };
    const document = '<Delete><Object><Key>x</Key></Object></Delete>';
    const unchecked = await send(document, {});
    expect({ status: unchecked.status, text: unchecked.text }).toEqual({
      status: 400,
      text: expect.stringContaining(
        '<Code>InvalidRequest</Code><Message>Missing required header for this request: Content-MD5</Message>',
      ),
    });
    const notXml = 'not a delete';
    const malformed = await send(notXml, { 'content-md5': createHash('md5').update(notXml).digest('base64') });
    expect({ status: malformed.status, text: malformed.text }).toEqual({
      status: 400,
      text: expect.stringContaining('<Code>MalformedXML</Code>'),
    });
  });
});

describe("a bucket's NotificationConfiguration", () => {
  it('sends ObjectCreated:Put and ObjectRemoved:Delete records to the queue it names, and the removal to the topic', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'local-documents', Key: 'reports/q1 report.pdf', Body: 'q1' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'local-documents', Key: 'reports/q1 report.pdf' }));
    const records = recordsOf(
      await queueMessages('local-audit', (bodies) =>
        recordsOf(bodies).some((record) => record.eventName === 'ObjectRemoved:Delete'),
      ),
    );
    expect(records.map((record) => [record.eventName, record.s3.object.key])).toEqual([
      ['ObjectCreated:Put', 'reports/q1+report.pdf'],
      ['ObjectRemoved:Delete', 'reports/q1+report.pdf'],
    ]);
    expect(records[0]).toMatchObject({ eventSource: 'aws:s3', s3: { bucket: { name: 'local-documents' } } });
    expect(records[0]?.s3.object.size).toBe(2);
    expect(records[1]?.s3.object.size).toBeUndefined();
    // The topic gets the removal as its message; its queue subscriber, SNS's notification around it.
    const notifications = await queueMessages('local-removals-feed', (bodies) => bodies.length > 0);
    expect(notifications[0]).toMatchObject({
      Type: 'Notification',
      TopicArn: expect.stringMatching(/:local-removals$/),
    });
    const message = JSON.parse(String((notifications[0] as { Message?: string }).Message)) as { Records: S3Record[] };
    expect(message.Records.map((record) => [record.eventName, record.s3.object.key])).toEqual([
      ['ObjectRemoved:Delete', 'reports/q1+report.pdf'],
    ]);
  });

  it('puts "Object Created" events on the default bus with EventBridge enabled, which a rule sends to a queue', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'local-documents', Key: 'invoices/march 1.pdf', Body: 'march' }));
    const isMarch = (body: unknown) =>
      (body as { detail?: { object?: { key?: string } } }).detail?.object?.key === 'invoices/march 1.pdf';
    const bodies = await queueMessages('local-s3-events', (found) => found.some(isMarch));
    // The rule matches created objects only: the earlier test's deletion is not among them.
    expect(bodies.map((body) => (body as Record<string, unknown>)['detail-type'])).not.toContain('Object Deleted');
    expect(bodies.find(isMarch)).toMatchObject({
      version: '0',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      region: 'us-east-1',
      resources: ['arn:aws:s3:::local-documents'],
      detail: {
        version: '0',
        bucket: { name: 'local-documents' },
        object: { key: 'invoices/march 1.pdf', size: 5, etag: expect.stringMatching(/^[0-9a-f]{32}$/) },
        reason: 'PutObject',
        'source-ip-address': '127.0.0.1',
      },
    });
  });
});
