import { request } from 'node:http';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { call, signedHeaders } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';
import { failure } from './sdk-failure.ts';

/**
 * S3 (issue 21), black-box over real sockets: the template's buckets, objects through the SDK (path-style on
 * 127.0.0.1, virtual-hosted on `<bucket>.localhost`), S3's XML errors, unsigned requests refused, a function using the
 * SDK with only AWS_ENDPOINT_URL_S3, and a REST API reading and writing objects through an s3:path integration.
 */
const runtime = fixtureRuntime('s3-buckets');
let client: S3Client;

beforeAll(() => {
  client = new S3Client(runtime.clientConfig('s3'));
});
afterAll(async () => {
  client?.destroy();
});

describe('the template buckets', () => {
  it('makes each bucket, named by BucketName or as CloudFormation names it, and lists them', async () => {
    const { Buckets } = await client.send(new ListBucketsCommand({}));
    const names = (Buckets ?? []).map((bucket) => bucket.Name);
    expect(names).toContain('local-uploads');
    expect(names.find((name) => name !== 'local-uploads')).toMatch(/^[a-z0-9-]+-reportsbucket-[a-z0-9]{12}$/);
    expect(runtime.output()).toMatch(/\[s3\] UploadsBucket: VersioningConfiguration not run locally/);
  });

  it("gives a function the bucket's Ref and GetAtt, and the endpoint its SDK uses without forcePathStyle", async () => {
    const answer = await call(`${runtime.base}/writer`);
    expect({ status: answer.status, text: answer.status === 200 ? '' : answer.text }).toEqual({
      status: 200,
      text: '',
    });
    const read = answer.json() as { body: string; contentType: string; environment: Record<string, string> };
    expect(read.body).toBe('written by a function');
    expect(read.contentType).toBe('text/plain');
    const reports = read.environment.REPORTS_BUCKET ?? '';
    expect(read.environment).toEqual({
      BUCKET: 'local-uploads',
      REPORTS_BUCKET: reports,
      REPORTS_ARN: `arn:aws:s3:::${reports}`,
      REPORTS_DOMAIN: `${reports}.s3.us-east-1.amazonaws.com`,
      AWS_ENDPOINT_URL_S3: runtime.serviceUrl('s3'),
    });
  });

  it('shows the buckets, their object counts and keys on /_local/buckets', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'local-uploads', Key: 'page/a.txt', Body: 'a' }));
    const page = await call(`${runtime.info.restUrl}/_local/buckets`);
    const uploads = (page.json() as unknown as { name: string; objects: number; keys: string[] }[]).find(
      (bucket) => bucket.name === 'local-uploads',
    );
    expect(uploads?.keys).toContain('page/a.txt');
    expect(uploads?.objects).toBe(uploads?.keys.length);
  });
});

describe('objects through the SDK', () => {
  it('puts, gets, heads, copies and deletes an object, keeping its type and metadata, with an MD5 ETag', async () => {
    const put = await client.send(
      new PutObjectCommand({
        Bucket: 'local-uploads',
        Key: 'docs/read me.txt',
        Body: 'hello world',
        ContentType: 'text/plain; charset=utf-8',
        Metadata: { owner: 'team-a' },
      }),
    );
    // MD5 of "hello world".
    expect(put.ETag).toBe('"5eb63bbbe01eeed093cb22bb8f5acdc3"');
    const got = await client.send(new GetObjectCommand({ Bucket: 'local-uploads', Key: 'docs/read me.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello world');
    expect({ type: got.ContentType, length: got.ContentLength, etag: got.ETag, meta: got.Metadata }).toEqual({
      type: 'text/plain; charset=utf-8',
      length: 11,
      etag: put.ETag,
      meta: { owner: 'team-a' },
    });
    expect(got.LastModified).toBeInstanceOf(Date);
    const part = await client.send(
      new GetObjectCommand({ Bucket: 'local-uploads', Key: 'docs/read me.txt', Range: 'bytes=6-' }),
    );
    expect(await part.Body?.transformToString()).toBe('world');
    expect(part.ContentRange).toBe('bytes 6-10/11');
    const head = await client.send(new HeadObjectCommand({ Bucket: 'local-uploads', Key: 'docs/read me.txt' }));
    expect({ length: head.ContentLength, etag: head.ETag }).toEqual({ length: 11, etag: put.ETag });
    await client.send(
      new CopyObjectCommand({
        Bucket: 'local-uploads',
        Key: 'docs/copy.txt',
        CopySource: 'local-uploads/docs/read%20me.txt',
      }),
    );
    const copy = await client.send(new GetObjectCommand({ Bucket: 'local-uploads', Key: 'docs/copy.txt' }));
    expect({ body: await copy.Body?.transformToString(), meta: copy.Metadata }).toEqual({
      body: 'hello world',
      meta: { owner: 'team-a' },
    });
    await client.send(new DeleteObjectCommand({ Bucket: 'local-uploads', Key: 'docs/read me.txt' }));
    await client.send(new DeleteObjectCommand({ Bucket: 'local-uploads', Key: 'docs/copy.txt' }));
    expect(
      await failure(client.send(new HeadObjectCommand({ Bucket: 'local-uploads', Key: 'docs/copy.txt' }))),
    ).toEqual({ name: 'NotFound', message: 'UnknownError', status: 404 });
  });

  it('keeps binary bodies byte for byte, and keys with dots, slashes and unicode as sent', async () => {
    const bytes = Buffer.from([0, 255, 1, 254, 0x89, 0x50, 0x4e, 0x47]);
    const key = 'odd/../keys//ünï code+plus.bin';
    await client.send(new PutObjectCommand({ Bucket: 'local-uploads', Key: key, Body: bytes }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'local-uploads', Key: key }));
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? [])).toEqual(bytes);
    // The SDK names a byte array application/octet-stream.
    expect(got.ContentType).toBe('application/octet-stream');
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'local-uploads', Prefix: 'odd/' }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual([key]);
    await client.send(new DeleteObjectCommand({ Bucket: 'local-uploads', Key: key }));
  });

  it('lists keys by prefix and delimiter, page by page', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'listing-test' }));
    for (const key of ['a/1', 'a/2', 'b/1', 'c', 'd', 'e'])
      await client.send(new PutObjectCommand({ Bucket: 'listing-test', Key: key, Body: key }));
    const grouped = await client.send(new ListObjectsV2Command({ Bucket: 'listing-test', Delimiter: '/' }));
    expect({
      prefixes: grouped.CommonPrefixes?.map((entry) => entry.Prefix),
      keys: grouped.Contents?.map((object) => object.Key),
      count: grouped.KeyCount,
    }).toEqual({ prefixes: ['a/', 'b/'], keys: ['c', 'd', 'e'], count: 5 });
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: 'listing-test', MaxKeys: 4, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      pages += 1;
    } while (token);
    expect({ keys, pages }).toEqual({ keys: ['a/1', 'a/2', 'b/1', 'c', 'd', 'e'], pages: 2 });
    const prefixed = await client.send(new ListObjectsV2Command({ Bucket: 'listing-test', Prefix: 'a/' }));
    expect(prefixed.Contents?.map((object) => object.Key)).toEqual(['a/1', 'a/2']);
    expect(await failure(client.send(new DeleteBucketCommand({ Bucket: 'listing-test' })))).toEqual({
      name: 'BucketNotEmpty',
      message: 'The bucket you tried to delete is not empty',
      status: 409,
    });
    for (const key of keys) await client.send(new DeleteObjectCommand({ Bucket: 'listing-test', Key: key }));
    await client.send(new DeleteBucketCommand({ Bucket: 'listing-test' }));
    expect(await failure(client.send(new HeadBucketCommand({ Bucket: 'listing-test' })))).toEqual({
      name: 'NotFound',
      message: 'UnknownError',
      status: 404,
    });
  });

  it('addresses a bucket by virtual host (<bucket>.localhost, <bucket>.s3.<region>.amazonaws.com)', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'local-uploads', Key: 'virtual.txt', Body: 'vh' }));
    const url = new URL(runtime.serviceUrl('s3'));
    for (const host of [`local-uploads.localhost:${url.port}`, 'local-uploads.s3.us-east-1.amazonaws.com']) {
      // The bucket is in the Host header only: the request goes to 127.0.0.1 with that Host, as signed.
      const headers = await signedHeaders(
        `http://${host}/virtual.txt`,
        runtime.clientConfig('s3').credentials,
        'us-east-1',
        'GET',
        '',
        {
          service: 's3',
          headers: {},
        },
      );
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const sent = request({ host: '127.0.0.1', port: url.port, path: '/virtual.txt', headers }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
        });
        sent.on('error', reject);
        sent.end();
      });
      expect({ host, ...answer }).toEqual({ host, status: 200, body: 'vh' });
    }
  });
});

describe("S3's errors", () => {
  it('answers a missing key and a missing bucket with their codes, statuses and XML', async () => {
    expect(await failure(client.send(new GetObjectCommand({ Bucket: 'local-uploads', Key: 'nope' })))).toEqual({
      name: 'NoSuchKey',
      message: 'The specified key does not exist.',
      status: 404,
    });
    expect(await failure(client.send(new GetObjectCommand({ Bucket: 'no-such-bucket-here', Key: 'x' })))).toEqual({
      name: 'NoSuchBucket',
      message: 'The specified bucket does not exist',
      status: 404,
    });
    const url = `${runtime.serviceUrl('s3')}/local-uploads/missing.txt`;
    const headers = await signedHeaders(url, runtime.clientConfig('s3').credentials, 'us-east-1', 'GET', '', {
      service: 's3',
      headers: {},
    });
    const raw = await call(url, { headers });
    expect(raw.status).toBe(404);
    expect(raw.headers.get('content-type')).toBe('application/xml');
    expect(raw.text).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message><Key>missing.txt<\/Key><RequestId>[A-Z0-9]{16}<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/,
    );
  });

  it('refuses an invalid bucket name, and a bucket made twice in us-east-1 is the same bucket (200)', async () => {
    expect(await failure(client.send(new CreateBucketCommand({ Bucket: 'Not_Valid' })))).toMatchObject({
      name: 'InvalidBucketName',
      status: 400,
    });
    await expect(client.send(new CreateBucketCommand({ Bucket: 'local-uploads' }))).resolves.toBeDefined();
  });

  it('refuses an unsigned request, and one signed with an unknown key', async () => {
    const unsigned = await call(`${runtime.serviceUrl('s3')}/local-uploads/x`);
    expect(unsigned.status).toBe(403);
    expect(unsigned.text).toContain('<Code>AccessDenied</Code>');
    const stranger = new S3Client({
      ...runtime.clientConfig('s3'),
      credentials: { accessKeyId: 'AKIASTRANGER', secretAccessKey: 'nope' },
    });
    try {
      expect(await failure(stranger.send(new ListBucketsCommand({})))).toMatchObject({
        name: 'InvalidAccessKeyId',
        status: 403,
      });
    } finally {
      stranger.destroy();
    }
  });
});

describe('S3 payload signing', () => {
  const put = async (key: string, body: string, headers: Record<string, string>) => {
    const url = `${runtime.serviceUrl('s3')}/local-uploads/${key}`;
    const signed = await signedHeaders(url, runtime.clientConfig('s3').credentials, 'us-east-1', 'PUT', body, {
      service: 's3',
      headers,
    });
    return call(url, { method: 'PUT', headers: signed, body });
  };

  it('takes UNSIGNED-PAYLOAD and an unsigned aws-chunked stream, which S3 alone allows', async () => {
    expect((await put('unsigned.txt', 'not hashed', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' })).status).toBe(200);
    const chunked = await put(
      'chunked.txt',
      '5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n',
      {
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '11',
        'content-type': 'text/plain',
      },
    );
    expect(chunked.status).toBe(200);
    // The checksum sent (the chunked upload's CRC32 trailer) is kept; with none, S3 computes a CRC64NVME.
    for (const [key, body, checksums] of [
      ['unsigned.txt', 'not hashed', { ChecksumCRC64NVME: expect.any(String), ChecksumType: 'FULL_OBJECT' }],
      ['chunked.txt', 'hello world', { ChecksumCRC32: 'DUoRhQ==', ChecksumType: 'FULL_OBJECT' }],
    ] as const) {
      const got = await client.send(
        new GetObjectCommand({ Bucket: 'local-uploads', Key: key, ChecksumMode: 'ENABLED' }),
      );
      expect({ key, body: await got.Body?.transformToString(), encoding: got.ContentEncoding }).toEqual({
        key,
        body,
        encoding: undefined,
      });
      expect(got).toMatchObject(checksums);
    }
    const wrong = await put('wrong-checksum.txt', 'hello', { 'x-amz-checksum-crc32': 'AAAAAA==' });
    expect({ status: wrong.status, code: /<Code>(\w+)<\/Code>/.exec(wrong.text)?.[1] }).toEqual({
      status: 400,
      code: 'BadDigest',
    });
    // Another service checks the payload: UNSIGNED-PAYLOAD is a hash that does not match.
    const sqs = runtime.serviceUrl('sqs');
    const body = '{}';
    const headers = await signedHeaders(sqs, runtime.clientConfig('sqs').credentials, 'us-east-1', 'POST', body, {
      service: 'sqs',
      headers: {
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
        'x-amz-target': 'AmazonSQS.ListQueues',
        'content-type': 'application/x-amz-json-1.0',
      },
    });
    const refused = await call(sqs, { method: 'POST', headers, body });
    expect({ status: refused.status, text: refused.text }).toEqual({
      status: 403,
      text: expect.stringContaining("The provided 'x-amz-content-sha256' header does not match what was computed."),
    });
  });

  it('refuses a chunk-signed stream (not checked locally) and a request that names no payload hash', async () => {
    const signedStream = await put('signed-stream.txt', '0;chunk-signature=00\r\n\r\n', {
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
    });
    expect({ status: signedStream.status, code: /<Code>(\w+)<\/Code>/.exec(signedStream.text)?.[1] }).toEqual({
      status: 400,
      code: 'InvalidRequest',
    });
    const url = `${runtime.serviceUrl('s3')}/local-uploads/no-hash.txt`;
    const signer = new SignatureV4({
      credentials: runtime.clientConfig('s3').credentials,
      region: 'us-east-1',
      service: 's3',
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: false,
      applyChecksum: false,
    });
    const target = new URL(url);
    const signed = await signer.sign({
      method: 'PUT',
      protocol: 'http:',
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      headers: { host: target.host },
      body: 'x',
    });
    const noHash = await call(url, { method: 'PUT', headers: signed.headers, body: 'x' });
    expect({ status: noHash.status, text: noHash.text }).toEqual({
      status: 400,
      text: expect.stringContaining('Missing required header for this request: x-amz-content-sha256'),
    });
  });
});

describe('a REST API with s3:path integrations', () => {
  it('writes an object with PUT and reads it back with GET, its Content-Type and ETag mapped', async () => {
    const put = await call(`${runtime.base}/objects/through-api.json`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"via":"api"}',
    });
    expect(put.status).toBe(200);
    const stored = await client.send(new GetObjectCommand({ Bucket: 'local-uploads', Key: 'through-api.json' }));
    expect({ body: await stored.Body?.transformToString(), type: stored.ContentType }).toEqual({
      body: '{"via":"api"}',
      type: 'application/json',
    });
    expect(put.headers.get('etag')).toBe(stored.ETag);
    const got = await call(`${runtime.base}/objects/through-api.json`);
    expect({ status: got.status, body: got.text, type: got.headers.get('content-type') }).toEqual({
      status: 200,
      body: '{"via":"api"}',
      type: 'application/json',
    });
    const missing = await call(`${runtime.base}/objects/none.json`);
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('<Code>NoSuchKey</Code>');
  });
});
