import { DynamoDBClient, ListTablesCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueUrlCommand, type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { eventually, type RunningRuntime, signedHeaders } from '../../../src/testing/index.ts';
import { send } from '../client.ts';
import type { Outcome, Scenario } from '../scenario.ts';

/**
 * AWS service integrations of test_apigateway_dynamodb.py, test_apigateway_ssm.py, test_apigateway_sqs.py and
 * test_apigateway_eventbridge.py, each against its own API of the fixture.
 */

/** Once per key: the scenarios of one recorded test share its requests, made in the test's order. */
export const once = <T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> => {
  let known = cache.get(key);
  if (!known) {
    known = make();
    cache.set(key, known);
  }
  return known;
};

/** The snapshot library's ResponseMetadata transformer: the headers left out, the status kept. */
export const responseMetadata = (metadata: unknown) => {
  const status = (metadata as { httpStatusCode?: number; HTTPStatusCode?: number } | undefined) ?? {};
  const code = status.HTTPStatusCode ?? status.httpStatusCode;
  return code === undefined ? { HTTPHeaders: {} } : { HTTPHeaders: {}, HTTPStatusCode: code };
};

// DynamoDB -------------------------------------------------------------------------------------------------------

const DDB_FILE = 'test_apigateway_dynamodb';
const ITEM_IDS = ['test', 'test2', 'test 3'];
const seeded = new Map<string, Promise<string>>();

/** The table of `logicalId`, with the test's three items put in it first. */
const seededTable = (runtime: RunningRuntime, logicalId: string) =>
  once(seeded, logicalId, async () => {
    const dynamodb = new DynamoDBClient(runtime.clientConfig('dynamodb'));
    try {
      const { TableNames = [] } = await dynamodb.send(new ListTablesCommand({}));
      const name = TableNames.find((candidate) => candidate.includes(logicalId));
      if (!name) throw new Error(`no table ${logicalId}`);
      for (const id of ITEM_IDS) await dynamodb.send(new PutItemCommand({ TableName: name, Item: { id: { S: id } } }));
      return name;
    } finally {
      dynamodb.destroy();
    }
  });

/** The test's `_invoke_endpoint`: POST /dev/test?id=..., the JSON answer and its headers' lower-cased names. */
const invokeTable = async (base: string, id: string) => {
  const answer = await send(base, 'POST', `/dev/test?id=${encodeURIComponent(id)}`, {}, '');
  const headers = Object.fromEntries(
    Object.entries(answer.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return { status: answer.status, value: { status_code: answer.status, content: answer.content, headers } };
};

// The test's own transformers: date, content-length and x-amz-apigw-id by key (reference_replacement=False).
const DDB_MASKS = { anyValue: ['date', 'content-length', 'x-amz-apigw-id'] };

const ddbQuery = (key: string, id: string): Scenario => ({
  area: 'DynamoDB',
  id: { file: DDB_FILE, test: 'test_rest_api_to_dynamodb_integration[Query]', key },
  status: 200,
  masks: DDB_MASKS,
  run: async (bases, runtime) => {
    await seededTable(runtime, 'DdbQueryTable');
    return invokeTable(bases.DdbQueryApi as string, id);
  },
});

const putItem = new Map<string, Promise<{ status: number; value: unknown }>>();
const putNewItem = (bases: Record<string, string>, runtime: RunningRuntime) =>
  once(putItem, 'put', async () => {
    await seededTable(runtime, 'DdbPutItemTable');
    return invokeTable(bases.DdbPutItemApi as string, 'test-new');
  });

const dynamodb: Scenario[] = [
  {
    area: 'DynamoDB',
    id: { file: DDB_FILE, test: 'test_rest_api_to_dynamodb_integration[PutItem]', key: 'result-put-item' },
    status: 200,
    masks: DDB_MASKS,
    run: (bases, runtime) => putNewItem(bases, runtime),
  },
  {
    area: 'DynamoDB',
    id: { file: DDB_FILE, test: 'test_rest_api_to_dynamodb_integration[PutItem]', key: 'result-scan' },
    status: 200,
    run: async (bases, runtime) => {
      const { status } = await putNewItem(bases, runtime);
      const table = await seededTable(runtime, 'DdbPutItemTable');
      const client = new DynamoDBClient(runtime.clientConfig('dynamodb'));
      try {
        const { Count, Items = [], ScannedCount, $metadata } = await client.send(new ScanCommand({ TableName: table }));
        const sorted = [...Items].sort((a, b) => String(a.id?.S).localeCompare(String(b.id?.S)));
        return { status, value: { Count, Items: sorted, ScannedCount, ResponseMetadata: responseMetadata($metadata) } };
      } finally {
        client.destroy();
      }
    },
  },
  ddbQuery('result-test', 'test'),
  ddbQuery('result-test2', 'test2'),
  ddbQuery('result-test 3', 'test 3'),
  ddbQuery('result-invalid', 'test-invalid'),
  {
    area: 'DynamoDB',
    id: { file: DDB_FILE, test: 'test_rest_api_to_dynamodb_integration[Scan]', key: 'result-scan' },
    status: 200,
    masks: DDB_MASKS,
    run: async (bases, runtime) => {
      await seededTable(runtime, 'DdbScanTable');
      // The test asks with no id: Python formats None into the URL.
      const result = await invokeTable(bases.DdbScanApi as string, 'None');
      const content = result.value.content as { Items?: { id?: { S?: string } }[] };
      if (Array.isArray(content.Items)) {
        content.Items = [...content.Items].sort((a, b) => String(a.id?.S).localeCompare(String(b.id?.S)));
      }
      return result;
    },
  },
];

// SSM ------------------------------------------------------------------------------------------------------------

const SSM_FILE = 'test_apigateway_ssm';
const SSM_MASKS = { anyValue: ['LastModifiedDate'] };

/** The test's value: the answer's GetParameterResponse, its ResponseMetadata as the transformer leaves it. */
const getParameterResponse = (content: unknown): unknown => {
  const response = (content as { GetParameterResponse?: Record<string, unknown> } | undefined)?.GetParameterResponse;
  if (!response) return content;
  return { ...response, ResponseMetadata: responseMetadata(response.ResponseMetadata) };
};

/** SSM's Query protocol, as test_get_parameter_query_protocol calls it on the service's own endpoint. */
const ssmQuery = async (runtime: RunningRuntime, accept?: string) => {
  const { endpoint, region, credentials } = runtime.clientConfig('ssm') as {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  const url = `${endpoint.replace(/\/$/, '')}/?Action=GetParameter&Name=param-test-123`;
  const headers = await signedHeaders(url, credentials, region, 'POST', '', {
    service: 'ssm',
    headers: accept ? { accept } : {},
  });
  const parsed = new URL(url);
  const base = `${parsed.protocol}//${parsed.host}`;
  return send(base, 'POST', `${parsed.pathname}${parsed.search}`, headers, '');
};

/**
 * What python's xmltodict makes of a small XML document, as test_get_parameter_query_protocol reads the default
 * answer: elements as objects, text as strings, attributes as `@name`, repeated elements as lists.
 */
const xmlToDict = (xml: string): Record<string, unknown> => {
  const root: Record<string, unknown> = {};
  const stack: { name: string; value: Record<string, unknown>; text: string }[] = [{ name: '', value: root, text: '' }];
  for (const [, close, name = '', attributes = '', selfClosing, text] of xml.matchAll(
    /<(\/?)([\w:.-]+)([^>]*?)(\/?)>|([^<]+)/g,
  )) {
    const top = stack.at(-1);
    if (!top) break;
    if (text !== undefined) {
      top.text += text;
      continue;
    }
    if (close) {
      const done = stack.pop();
      const parent = stack.at(-1);
      if (!done || !parent) break;
      const value = Object.keys(done.value).length > 0 ? done.value : done.text;
      const before = parent.value[done.name];
      parent.value[done.name] =
        before === undefined ? value : Array.isArray(before) ? [...before, value] : [before, value];
      continue;
    }
    const element: Record<string, unknown> = {};
    for (const [, key, quoted] of attributes.matchAll(/([\w:.-]+)="([^"]*)"/g)) element[`@${key}`] = quoted;
    stack.push({ name, value: element, text: '' });
    if (selfClosing) {
      stack.pop();
      top.value[name] = Object.keys(element).length > 0 ? element : null;
    }
  }
  return root;
};

const ssm: Scenario[] = [
  {
    area: 'SSM',
    id: { file: SSM_FILE, test: 'test_ssm_aws_integration', key: 'ssm-aws-integration' },
    status: 200,
    masks: SSM_MASKS,
    run: async (bases) => {
      const answer = await send(bases.SsmApi as string, 'GET', '/test/ssm');
      return { status: answer.status, value: getParameterResponse(answer.content) };
    },
  },
  {
    area: 'SSM',
    id: { file: SSM_FILE, test: 'test_get_parameter_query_protocol', key: 'get-parameter-query-default' },
    status: 200,
    masks: SSM_MASKS,
    run: async (_bases, runtime) => {
      const answer = await ssmQuery(runtime);
      const document = xmlToDict(answer.text.replace(/^<\?xml[^>]*\?>/, ''));
      return { status: answer.status, value: getParameterResponse(document) };
    },
  },
  {
    area: 'SSM',
    id: { file: SSM_FILE, test: 'test_get_parameter_query_protocol', key: 'get-parameter-query-json' },
    status: 200,
    masks: SSM_MASKS,
    run: async (_bases, runtime) => {
      const answer = await ssmQuery(runtime, 'application/json');
      return { status: answer.status, value: getParameterResponse(answer.content) };
    },
  },
];

// SQS ------------------------------------------------------------------------------------------------------------

const SQS_FILE = 'test_apigateway_sqs';

/** The queue of the template's `logicalId` (its physical name holds the logical id). */
const queueUrl = async (runtime: RunningRuntime, sqs: SQSClient, logicalId: string): Promise<string> => {
  const queues = (await (await fetch(`${runtime.info.restUrl}/_local/queues`)).json()) as { name?: string }[];
  const name = queues.map((queue) => queue.name ?? '').find((candidate) => candidate.includes(logicalId));
  if (!name) throw new Error(`no queue ${logicalId}`);
  return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
};

/** The fixture's sqs_collect_messages: `expected` messages, each as the recordings show it (a JSON body parsed). */
const collect = async (runtime: RunningRuntime, logicalId: string, expected: number) => {
  const sqs = new SQSClient(runtime.clientConfig('sqs'));
  try {
    const QueueUrl = await queueUrl(runtime, sqs, logicalId);
    const messages: Message[] = [];
    await eventually(async () => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      messages.push(...Messages);
      return messages.length >= expected;
    }, 3000).catch(() => false);
    return messages.map(({ MessageId, ReceiptHandle, MD5OfBody, Body }) => {
      let body: unknown = Body;
      try {
        body = JSON.parse(Body ?? '');
      } catch {
        // Not JSON: as sent.
      }
      return { MessageId, ReceiptHandle, MD5OfBody, Body: body };
    });
  } finally {
    sqs.destroy();
  }
};

const plainRequests = new Map<
  string,
  Promise<{ withPayload: number; withPayloadContent: unknown; without: number; withoutContent: unknown }>
>();
/** test_sqs_aws_integration's two requests, with and without a JSON payload, in that order. */
const plainSent = (base: string) =>
  once(plainRequests, 'plain', async () => {
    const first = await send(base, 'POST', '/testing/sqs', { 'Content-Type': 'application/json' }, '{"foo": "bar"}');
    const second = await send(base, 'POST', '/testing/sqs', {}, '');
    return {
      withPayload: first.status,
      withPayloadContent: first.content,
      without: second.status,
      withoutContent: second.content,
    };
  });

/** One of test_sqs_aws_integration's recordings, read from its two requests (and the queue). */
const plain = (
  key: string,
  read: (sent: Awaited<ReturnType<typeof plainSent>>, runtime: RunningRuntime) => Promise<Outcome> | Outcome,
): Scenario => ({
  area: 'SQS',
  id: { file: SQS_FILE, test: 'test_sqs_aws_integration', key },
  status: 200,
  run: async (bases, runtime) => read(await plainSent(bases.SqsPlainApi as string), runtime),
});

const sqs: Scenario[] = [
  plain('sqs-aws-integration-with-payload', (sent) => ({ status: sent.withPayload, value: sent.withPayloadContent })),
  plain('sqs-aws-integration-without-payload', (sent) => ({ status: sent.without, value: sent.withoutContent })),
  plain('sqs-messages', async (sent, runtime) => ({
    status: sent.without,
    value: await collect(runtime, 'SqsPlainQueue', 2),
  })),
  {
    area: 'SQS',
    id: { file: SQS_FILE, test: 'test_sqs_request_and_response_xml_templates_integration', key: 'sqs-json-response' },
    status: 200,
    run: async (bases) => {
      const answer = await send(bases.SqsXmlApi as string, 'POST', '/testing/sqs', {}, '<xml>Hello World</xml>');
      return { status: answer.status, value: answer.content };
    },
  },
  {
    area: 'SQS',
    id: { file: SQS_FILE, test: 'test_sqs_amz_json_protocol', key: 'sqs-messages' },
    status: 200,
    masks: { anyValue: ['requestTimeEpoch'] },
    run: async (bases, runtime) => {
      const answer = await send(
        bases.SqsJsonApi as string,
        'POST',
        '/testing/sqs',
        {
          'User-Agent': 'python/requests/tests',
        },
        '',
      );
      return { status: answer.status, value: await collect(runtime, 'SqsJsonQueue', 1) };
    },
  },
];

// EventBridge ----------------------------------------------------------------------------------------------------

const eventbridge: Scenario[] = [
  {
    area: 'EventBridge',
    id: {
      file: 'test_apigateway_eventbridge',
      test: 'test_apigateway_to_eventbridge',
      key: 'eventbridge-put-events-response',
    },
    status: 200,
    run: async (bases) => {
      // python-requests' data=json.dumps(...): Python's separators.
      const body =
        '{"items": [{"Detail": "{\\"data\\":\\"Order is created\\"}", "DetailType": "Test", "Source": "order"}]}';
      const answer = await send(
        bases.EventsPutApi as string,
        'POST',
        '/dev/event',
        { 'Content-Type': 'application/json', Accept: 'application/json' },
        body,
      );
      return { status: answer.status, value: answer.content };
    },
  },
];

export const awsServices: Scenario[] = [...dynamodb, ...ssm, ...sqs, ...eventbridge];
