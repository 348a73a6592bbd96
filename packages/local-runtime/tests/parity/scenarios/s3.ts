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
  wrongStatus?: number;
}

class Player {
  readonly snapshots: Record<string, unknown> = {};
  wrongStatus?: number;
  readonly client: S3Client;
  constructor(runtime: RunningRuntime) {
    this.client = new S3Client(runtime.clientConfig('s3'));
  }

  asserted(answer: ParityAnswer, status: number): ParityAnswer {
    if (answer.status !== status) this.wrongStatus ??= answer.status;
    return answer;
  }

  /** `requests.put(url, data=body, headers={"Content-Type": ...})`. */
  put(base: string, key: string, body: Buffer, contentType: string, status = 200) {
    return send(base, 'PUT', `/test/${key}`, { 'Content-Type': contentType }, body).then((answer) =>
      this.asserted(answer, status),
    );
  }

  /** The response tests' `_invoke`: GET with Accept and response-content-type, recorded as content and ETag. */
  async get(base: string, key: string, accept: string, contentType = 'binary/octet-stream', status = 200) {
    const answer = this.asserted(
      await send(base, 'GET', `/test/${key}`, { Accept: accept, 'response-content-type': contentType }),
      status,
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
      return { status: result.wrongStatus ?? 200, value: result.snapshots[key] };
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

/** The scenarios of test_apigateway_s3.py, run on the runtime of fixture/s3-template.yaml. */
export const s3: Scenario[] = [...anyTest, ...mappingTest];
