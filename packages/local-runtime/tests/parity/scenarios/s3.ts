import { crc32, deflateRawSync } from 'node:zlib';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type RunningRuntime, signedHeaders } from '../../../src/testing/index.ts';
import { type ParityAnswer, send } from '../client.ts';
import type { Bases, Scenario } from '../scenario.ts';
import { pythonBytesRepr, pythonJsonDumps } from '../snapshot-values.ts';
import { once, responseMetadata } from './aws-services.ts';

/**
 * test_apigateway_s3.py: REST APIs with `s3:path/{bucket}/{key}` AWS integrations (fixture/s3-template.yaml), each
 * recorded test played once in its order, its snapshots read by key. The S3 calls the tests make with boto3 are made
 * with the SDK and shaped as boto3 returns them (the output members, `ResponseMetadata` as the snapshot keeps it).
 */
const FILE = 'test_apigateway_s3';
const BINARY = 'TestApiGatewayS3BinarySupport::test_apigw_s3_binary_support';

/** Python's gzip.compress(data, mtime=1676569620): zlib's deflate at level 9 in a gzip member (XFL 2, OS 255). */
const gzipLikePython = (data: Buffer): Buffer => {
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff]);
  header.writeUInt32LE(1676569620, 4);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length, 4);
  return Buffer.concat([header, deflateRawSync(data, { level: 9 }), trailer]);
};
const RAW = gzipLikePython(Buffer.from('compressed data, should be invalid UTF-8 string'));
const ENCODED = Buffer.from(RAW.toString('base64'));
const TEXT = Buffer.from('this is a UTF8 text typed object');
const KEYS = ['binary-raw', 'binary-encoded', 'text'] as const;
type Key = (typeof KEYS)[number];
const BODIES: Record<Key, Buffer> = { 'binary-raw': RAW, 'binary-encoded': ENCODED, text: TEXT };

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** xmltodict.parse of the documents S3 answers (elements and text; a repeated element is a list). */
export const xmlToDict = (xml: string): unknown => {
  const parse = (text: string): unknown => {
    const element = /<([\w:.-]+)(?:\s[^>]*)?(?:\/>|>([\s\S]*?)<\/\1>)/g;
    const children: Record<string, unknown> = {};
    let found = false;
    for (const [, name = '', inner] of text.matchAll(element)) {
      found = true;
      const value = inner === undefined ? null : parse(inner);
      const before = children[name];
      children[name] = before === undefined ? value : [...(Array.isArray(before) ? before : [before]), value];
    }
    return found ? children : text.replace(/&(\w+);/g, (all, name: string) => XML_ENTITIES[name] ?? all);
  };
  return parse(xml.replace(/^<\?xml[^>]*\?>\s*/, ''));
};

/** One recorded test as played: its snapshots by key, and the first status that was not the one it asserted. */
interface Played {
  snapshots: Record<string, unknown>;
  wrongStatus?: string;
}

class Player {
  readonly snapshots: Record<string, unknown> = {};
  wrongStatus?: string;
  readonly client: S3Client;
  constructor(runtime: RunningRuntime) {
    this.client = new S3Client(runtime.clientConfig('s3'));
  }

  asserted(answer: ParityAnswer, status: number, what = 'a request'): ParityAnswer {
    if (answer.status !== status) this.wrongStatus ??= `${what} answered ${answer.status}, the test asserted ${status}`;
    return answer;
  }

  /** `requests.put(url, data=body, headers={"Content-Type": ...})`. */
  put(base: string, key: string, body: Buffer, contentType: string, status = 200) {
    return send(base, 'PUT', `/test/${key}`, { 'Content-Type': contentType }, body).then((answer) =>
      this.asserted(answer, status, `PUT /${key} (${contentType})`),
    );
  }

  /** The response tests' `_invoke`: GET with Accept and response-content-type, recorded as content and ETag. */
  async get(base: string, key: string, accept: string, contentType = 'binary/octet-stream', status = 200) {
    const answer = this.asserted(
      await send(base, 'GET', `/test/${key}`, { Accept: accept, 'response-content-type': contentType }),
      status,
      `GET /${key} (Accept ${accept}, object ${contentType})`,
    );
    const etag = Object.entries(answer.headers).find(([name]) => name.toLowerCase() === 'etag')?.[1] ?? null;
    return { content: pythonBytesRepr(answer.bytes), etag };
  }

  /** boto3's put_object as the snapshot holds it. */
  async sdkPut(bucket: string, key: string, body: Buffer) {
    const { $metadata, ...output } = await this.client.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }),
    );
    return { ...defined(output), ResponseMetadata: responseMetadata($metadata) };
  }

  /**
   * boto3's get_object (it asks for the checksum) as the snapshot holds it: `Body` read (`bytes`, as Python's repr)
   * or left a stream, which the snapshot library stores decoded as UTF-8 with replacement characters.
   */
  async sdkGet(bucket: string, key: string, read: boolean) {
    const { $metadata, Body, ...output } = await this.client.send(
      new GetObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }),
    );
    const bytes = Buffer.from((await Body?.transformToByteArray()) ?? []);
    return {
      ...defined(output),
      Body: read ? pythonBytesRepr(bytes) : bytes.toString('utf8'),
      ResponseMetadata: responseMetadata($metadata),
    };
  }

  /** `pytest.raises(NoSuchKey)`: an object there is a wrong answer, counted as a 200 where the test wanted 404. */
  async absent(bucket: string, key: string) {
    try {
      await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      this.wrongStatus ??= `${key} was written: the test asserted NoSuchKey`;
    } catch (error) {
      if ((error as { name?: string }).name !== 'NoSuchKey') throw error;
    }
  }

  close(): void {
    this.client.destroy();
  }
}

const defined = (output: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(output).filter(([, value]) => value !== undefined));

const played = new Map<string, Promise<Played>>();

/** The scenarios of one recorded test: played once, each key read from what it recorded. */
const recordedTest = (
  test: string,
  keys: readonly string[],
  play: (player: Player, bases: Bases, runtime: RunningRuntime) => Promise<void>,
): Scenario[] =>
  keys.map((key) => ({
    area: 'S3',
    fixture: 's3',
    id: { file: FILE, test, key },
    status: 200,
    // The SDK's LastModified is a date, which the snapshot library records as "datetime".
    masks: { anyValue: ['LastModified'] },
    run: async (bases, runtime) => {
      const result = await once(played, test, async () => {
        const player = new Player(runtime);
        try {
          await play(player, bases, runtime);
        } finally {
          player.close();
        }
        return {
          snapshots: player.snapshots,
          ...(player.wrongStatus === undefined ? {} : { wrongStatus: player.wrongStatus }),
        };
      });
      // A status the test asserted and did not get fails each of its recordings, saying which.
      return { status: 200, value: result.wrongStatus ?? result.snapshots[key] };
    },
  }));

const base = (bases: Bases, logicalId: string): string => {
  const url = bases[logicalId];
  if (!url) throw new Error(`no API ${logicalId} in fixture/s3-template.yaml`);
  // The stage is part of each request's path (/test/...), as in the tests' invoke URLs.
  return url.replace(/\/test\/?$/, '');
};

/** S3's own answer to a GetObject, as boto3's ClientError.response holds it (RequestId and HostId moved out). */
const s3Error = async (runtime: RunningRuntime, bucket: string, key: string) => {
  const url = `${runtime.serviceUrl('s3')}/${bucket}/${key}`;
  const credentials = runtime.clientConfig('s3').credentials;
  const headers = await signedHeaders(url, credentials, runtime.info.region, 'GET', '', { service: 's3', headers: {} });
  const answer = await send(url, 'GET', `/${bucket}/${key}`, headers);
  const { Error: error } = xmlToDict(answer.text) as { Error?: Record<string, unknown> };
  const { RequestId: _requestId, HostId: _hostId, ...rest } = error ?? {};
  return { Error: rest, ResponseMetadata: { HTTPHeaders: {}, HTTPStatusCode: answer.status } };
};

const asJsonSnapshot = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

// test_apigateway_s3_any and test_apigateway_s3_method_mapping -------------------------------------------------

const anyTest = recordedTest(
  'test_apigateway_s3_any',
  ['get-object-empty', 'get-object-1', 'get-object-2', 'get-object-deleted', 'get-object-s3'],
  async (player, bases, runtime) => {
    const api = base(bases, 'S3AnyApi');
    const get = async () => player.asserted(await send(api, 'GET', '/test/test.json'), 200);
    const putJson = async (data: unknown) =>
      player.asserted(
        await send(api, 'PUT', '/test/test.json', { 'Content-Type': 'application/json' }, pythonJsonDumps(data)),
        200,
      );
    player.snapshots['get-object-empty'] = xmlToDict((await get()).text);
    await putJson({ put_id: 1 });
    player.snapshots['get-object-1'] = asJsonSnapshot((await get()).text);
    await putJson({ put_id: 2 });
    player.snapshots['get-object-2'] = asJsonSnapshot((await get()).text);
    await send(api, 'DELETE', '/test/test.json');
    player.snapshots['get-object-deleted'] = xmlToDict((await get()).text);
    player.snapshots['get-object-s3'] = await s3Error(runtime, 'parity-s3-any', 'test.json');
  },
);

const mappingTest = recordedTest(
  'test_apigateway_s3_method_mapping',
  ['get-object', 'get-deleted-object'],
  async (player, bases) => {
    const api = base(bases, 'S3MappingApi');
    const invoke = async (path: string) => player.asserted(await send(api, 'GET', `/test/${path}`), 200);
    await invoke('put');
    player.snapshots['get-object'] = (await invoke('get')).content;
    await invoke('delete');
    player.snapshots['get-deleted-object'] = xmlToDict((await invoke('get')).text);
  },
);

// TestApiGatewayS3BinarySupport: requests ------------------------------------------------------------------------
// Each test's API without binary media types is <Name>Api (stage "test"), with image/png <Name>MediaApi (the test's
// stage "test2", deployed after update_rest_api added it).

const REQUEST_KEYS = [
  'put-obj-raw',
  ...KEYS.map((key) => `get-obj-no-binary-media-${key}`),
  ...KEYS.map((key) => `get-obj-binary-type-${key}`),
  ...KEYS.map((key) => `get-obj-text-type-${key}`),
];

/** test_apigw_s3_binary_support_request[None] and [CONVERT_TO_TEXT]: one sequence, the handling is the API's. */
const requestTest = (handling: 'None' | 'CONVERT_TO_TEXT', name: string, bucket: string) =>
  recordedTest(`${BINARY}_request[${handling}]`, REQUEST_KEYS, async (player, bases) => {
    const api = base(bases, `${name}Api`);
    const media = base(bases, `${name}MediaApi`);
    player.snapshots['put-obj-raw'] = await player.sdkPut(bucket, 'test-raw-key-etag', RAW);
    for (const key of KEYS) await player.put(api, key, BODIES[key], 'image/png');
    // Not read: the snapshot holds the stream decoded.
    for (const key of KEYS)
      player.snapshots[`get-obj-no-binary-media-${key}`] = await player.sdkGet(bucket, key, false);
    for (const key of KEYS) await player.put(media, key, BODIES[key], 'image/png');
    for (const key of KEYS) player.snapshots[`get-obj-binary-type-${key}`] = await player.sdkGet(bucket, key, true);
    for (const key of KEYS) await player.put(media, key, BODIES[key], 'text/plain');
    for (const key of KEYS) player.snapshots[`get-obj-text-type-${key}`] = await player.sdkGet(bucket, key, true);
  });

const convertToBinaryTest = recordedTest(
  `${BINARY}_request_convert_to_binary`,
  [
    'put-obj-raw',
    'get-obj-no-binary-media-binary-encoded',
    ...KEYS.map((key) => `get-obj-binary-media-${key}`),
    'get-obj-text-type-binary-encoded',
  ],
  async (player, bases) => {
    const bucket = 'parity-s3-request-binary';
    const api = base(bases, 'S3RequestBinaryApi');
    const media = base(bases, 'S3RequestBinaryMediaApi');
    player.snapshots['put-obj-raw'] = await player.sdkPut(bucket, 'test-raw-key-etag', RAW);
    await player.put(api, 'binary-encoded', ENCODED, 'image/png');
    player.snapshots['get-obj-no-binary-media-binary-encoded'] = await player.sdkGet(bucket, 'binary-encoded', true);
    // Text that is no base64 cannot be converted to binary: 500, and nothing is written.
    await player.put(api, 'binary-raw', RAW, 'image/png', 500);
    await player.put(api, 'text', TEXT, 'text/plain', 500);
    for (const key of ['binary-raw', 'text']) await player.absent(bucket, key);
    for (const key of KEYS) await player.put(media, key, BODIES[key], 'image/png');
    for (const key of KEYS) player.snapshots[`get-obj-binary-media-${key}`] = await player.sdkGet(bucket, key, true);
    await player.put(media, 'binary-raw', RAW, 'text/plain', 500);
    await player.put(media, 'text', TEXT, 'text/plain', 500);
    await player.put(media, 'binary-encoded', ENCODED, 'text/plain');
    player.snapshots['get-obj-text-type-binary-encoded'] = await player.sdkGet(bucket, 'binary-encoded', true);
  },
);

const convertToBinaryTemplateTest = recordedTest(
  `${BINARY}_request_convert_to_binary_with_request_template`,
  ['get-obj-encoded'],
  async (player, bases) => {
    const bucket = 'parity-s3-request-template';
    const api = base(bases, 'S3RequestTemplateApi');
    // image/png matches no request template: passed through, decoded from base64.
    await player.put(api, 'binary-encoded', ENCODED, 'image/png');
    player.snapshots['get-obj-encoded'] = await player.sdkGet(bucket, 'binary-encoded', true);
    // application/json renders the template, whose output is no base64: 500.
    await player.put(api, 'binary-encoded', ENCODED, 'application/json', 500);
  },
);

// TestApiGatewayS3BinarySupport: responses -----------------------------------------------------------------------

/** One `_invoke` of a response test: the object, Accept, the object's type asked for, and the snapshot or status. */
type Step = [key: Key, accept: string, objectType: 'binary/octet-stream' | 'image/png', recorded: string | 500];

const SHORT: Record<Key, string> = { 'binary-raw': 'raw', 'binary-encoded': 'encoded', text: 'text' };
/** The media API's steps as the tests name them: `<object>-payload-<text|binary>-accept-<text|binary>`. */
const mediaStep = (key: Key, payload: 'text' | 'binary', accept: 'text' | 'binary', failing = false): Step => [
  key,
  accept === 'binary' ? 'image/png' : 'text/plain',
  payload === 'binary' ? 'image/png' : 'binary/octet-stream',
  failing ? 500 : `${SHORT[key]}-payload-${payload}-accept-${accept}`,
];

/**
 * A response test: the three objects put with the SDK (`put-obj-<key>`), then each step through the API without
 * binary media types (`noMedia`) and with image/png (`media`), in the test's order.
 */
const responseTest = (test: string, name: string, bucket: string, noMedia: Step[], media: Step[]) => {
  const keys = [
    ...KEYS.map((key) => `put-obj-${key}`),
    ...[...noMedia, ...media].flatMap(([, , , recorded]) => (recorded === 500 ? [] : [recorded])),
  ];
  return recordedTest(`${BINARY}_${test}`, keys, async (player, bases) => {
    for (const key of KEYS) player.snapshots[`put-obj-${key}`] = await player.sdkPut(bucket, key, BODIES[key]);
    for (const [api, steps] of [
      [base(bases, `${name}Api`), noMedia],
      [base(bases, `${name}MediaApi`), media],
    ] as const) {
      for (const [key, accept, objectType, recorded] of steps) {
        const answer = await player.get(api, key, accept, objectType, recorded === 500 ? 500 : 200);
        if (recorded !== 500) player.snapshots[recorded] = answer;
      }
    }
  });
};

const NO_MEDIA: Step[] = [
  ['text', 'text/plain', 'binary/octet-stream', 'text-no-media'],
  ['binary-raw', 'image/png', 'binary/octet-stream', 'raw-no-media'],
  ['binary-encoded', 'image/png', 'binary/octet-stream', 'encoded-no-media'],
];
const ALL_KEYS = ['binary-encoded', 'binary-raw', 'text'] as const;

const noContentHandlingTest = responseTest(
  'response_no_content_handling',
  'S3ResponseNone',
  'parity-s3-response-none',
  NO_MEDIA,
  [
    mediaStep('binary-encoded', 'text', 'binary'),
    // Text to a binary Accept is decoded from base64: the raw object and the text are not base64.
    mediaStep('binary-raw', 'text', 'binary', true),
    mediaStep('text', 'text', 'binary', true),
    ...ALL_KEYS.map((key) => mediaStep(key, 'binary', 'binary')),
    ...ALL_KEYS.map((key) => mediaStep(key, 'text', 'text')),
    ...ALL_KEYS.map((key) => mediaStep(key, 'binary', 'text')),
  ],
);

const convertToTextTest = responseTest(
  'response_convert_to_text',
  'S3ResponseText',
  'parity-s3-response-text',
  NO_MEDIA,
  [
    ...ALL_KEYS.map((key) => mediaStep(key, 'text', 'binary')),
    ...ALL_KEYS.map((key) => mediaStep(key, 'binary', 'binary')),
    ...ALL_KEYS.map((key) => mediaStep(key, 'text', 'text')),
    ...ALL_KEYS.map((key) => mediaStep(key, 'binary', 'text')),
  ],
);

const convertToBinaryResponseTest = responseTest(
  'response_convert_to_binary',
  'S3ResponseBinary',
  'parity-s3-response-binary',
  [
    ['binary-encoded', 'image/png', 'binary/octet-stream', 'encoded-no-media'],
    // A text payload that is no base64 cannot be converted to binary.
    ['binary-raw', 'image/png', 'binary/octet-stream', 500],
    ['text', 'text/plain', 'binary/octet-stream', 500],
  ],
  [
    mediaStep('binary-encoded', 'text', 'binary'),
    mediaStep('binary-raw', 'text', 'binary', true),
    mediaStep('text', 'text', 'binary', true),
    ...ALL_KEYS.map((key) => mediaStep(key, 'binary', 'binary')),
    mediaStep('binary-encoded', 'text', 'text'),
    mediaStep('binary-raw', 'text', 'text', true),
    mediaStep('text', 'text', 'text', true),
    ...ALL_KEYS.map((key) => mediaStep(key, 'binary', 'text')),
  ],
);

const responseTemplateTest = recordedTest(
  `${BINARY}_response_convert_to_binary_with_request_template`,
  ['put-obj-encoded', 'encoded-text-payload-binary-accept'],
  async (player, bases) => {
    const bucket = 'parity-s3-response-template';
    player.snapshots['put-obj-encoded'] = await player.sdkPut(bucket, 'binary-encoded', ENCODED);
    // CONVERT_TO_TEXT: the template reads the text as it is.
    player.snapshots['encoded-text-payload-binary-accept'] = await player.get(
      base(bases, 'S3ResponseTemplateMediaApi'),
      'binary-encoded',
      'image/png',
    );
    // The same integration response with CONVERT_TO_BINARY (redeployed in the test): the template's output is no
    // base64.
    await player.get(base(bases, 'S3ResponseTemplateBinaryMediaApi'), 'binary-encoded', 'image/png', undefined, 500);
  },
);

/** The scenarios of test_apigateway_s3.py, run on the runtime of fixture/s3-template.yaml. */
export const s3: Scenario[] = [
  ...anyTest,
  ...mappingTest,
  ...requestTest('None', 'S3RequestNone', 'parity-s3-request-none'),
  ...requestTest('CONVERT_TO_TEXT', 'S3RequestText', 'parity-s3-request-text'),
  ...convertToBinaryTest,
  ...convertToBinaryTemplateTest,
  ...noContentHandlingTest,
  ...convertToTextTest,
  ...convertToBinaryResponseTest,
  ...responseTemplateTest,
];
