import { keyed, keyedFrom } from '../../shared/client-keyed.ts';
import { escapeXml, type QueryAnswer, queryEnvelope, queryErrorEnvelope } from '../shared/query-protocol.ts';
import type { SqsError } from './errors.ts';
import type { SqsInput, SqsOutput } from './operations.ts';

const NAMESPACE = 'http://queue.amazonaws.com/doc/2012-11-05/';

type Flat = Record<string, string>;

const BATCH_ENTRIES = new Set([
  'SendMessageBatchRequestEntry',
  'DeleteMessageBatchRequestEntry',
  'ChangeMessageVisibilityBatchRequestEntry',
]);

const attributeValue = (item: Flat) => ({
  DataType: item['Value.DataType'],
  ...(item['Value.StringValue'] === undefined ? {} : { StringValue: item['Value.StringValue'] }),
  ...(item['Value.BinaryValue'] === undefined ? {} : { BinaryValue: item['Value.BinaryValue'] }),
});

/**
 * SQS also takes the plural spelling of these lists (`MessageAttributes.1.Name`): API Gateway's SQS integrations
 * send it and AWS keeps the attributes (recording test_apigateway_sqs.py::
 * test_sqs_aws_integration_with_message_attribute[MessageAttributes]).
 */
const PLURAL_SPELLINGS: Record<string, string> = {
  MessageAttributes: 'MessageAttribute',
  MessageSystemAttributes: 'MessageSystemAttribute',
};

/**
 * The query protocol's flattened parameters (`MessageAttribute.1.Name`, `SendMessageBatchRequestEntry.2.Id`, ...) as
 * the JSON protocol's structure (SQS API reference, "Making query API requests").
 */
export const parseQueryParameters = (flat: Flat): SqsInput => {
  // Parameter names, list item fields and attribute names are the client's: keyed maps throughout (see client-keyed.ts).
  const input = keyed<unknown>();
  const lists = new Map<string, Map<number, Flat>>();
  for (const [key, value] of Object.entries(flat)) {
    const match = /^([A-Za-z]+)\.(\d+)(?:\.(.+))?$/.exec(key);
    if (!match) {
      input[key] = value;
      continue;
    }
    const [, written = '', index = '0', rest = ''] = match;
    const name = PLURAL_SPELLINGS[written] ?? written;
    const items = lists.get(name) ?? new Map<number, Flat>();
    lists.set(name, items);
    const item = items.get(Number(index)) ?? keyed<string>();
    items.set(Number(index), item);
    item[rest] = value;
  }
  for (const [name, byIndex] of lists) {
    const items = [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
    if (BATCH_ENTRIES.has(name)) input.Entries = items.map(parseQueryParameters);
    else if (name === 'Attribute') input.Attributes = keyedFrom(items.map((item) => [String(item.Name), item.Value]));
    else if (name === 'MessageAttribute' || name === 'MessageSystemAttribute') {
      input[`${name}s`] = keyedFrom(items.map((item) => [String(item.Name), attributeValue(item)]));
    } else if (name === 'Tag') input.tags = keyedFrom(items.map((item) => [String(item.Key), item.Value]));
    else input[`${name}s`] = items.map((item) => item['']);
  }
  return input;
};

const element = (name: string, value: unknown): string => {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return `<${name}>${elements(value as SqsOutput)}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
};

/** A map of name → value the way the query protocol lists it: repeated `<Attribute><Name/><Value/></Attribute>`. */
const nameValues = (tag: string, map: unknown, value: (item: unknown) => string): string =>
  Object.entries((map ?? {}) as Record<string, unknown>)
    .map(([name, item]) => `<${tag}><Name>${escapeXml(name)}</Name>${value(item)}</${tag}>`)
    .join('');

const elements = (output: SqsOutput): string =>
  Object.entries(output)
    .map(([name, value]) => {
      if (name === 'Attributes') return nameValues('Attribute', value, (item) => element('Value', item));
      if (name === 'MessageAttributes') return nameValues('MessageAttribute', value, (item) => element('Value', item));
      if (name === 'Messages') return (value as SqsOutput[]).map((message) => element('Message', message)).join('');
      if (name === 'QueueUrls') return (value as string[]).map((url) => element('QueueUrl', url)).join('');
      return element(name, value);
    })
    .join('');

const BATCH_RESULT: Record<string, string> = {
  SendMessageBatch: 'SendMessageBatchResultEntry',
  DeleteMessageBatch: 'DeleteMessageBatchResultEntry',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibilityBatchResultEntry',
};

const resultElements = (action: string, output: SqsOutput): string => {
  const entry = BATCH_RESULT[action];
  if (!entry) return elements(output);
  const successful = (output.Successful as SqsOutput[]).map((item) => element(entry, item)).join('');
  const failed = (output.Failed as SqsOutput[]).map((item) => element('BatchResultErrorEntry', item)).join('');
  return successful + failed;
};

const RESULTLESS = new Set([
  'DeleteMessage',
  'ChangeMessageVisibility',
  'PurgeQueue',
  'DeleteQueue',
  'SetQueueAttributes',
]);

export type { QueryAnswer };

const MESSAGE_FIELDS = [
  'Attributes',
  'Body',
  'MD5OfBody',
  'MD5OfMessageAttributes',
  'MessageAttributes',
  'MessageId',
  'ReceiptHandle',
] as const;

/**
 * ReceiveMessage's JSON rendering is not the XML document's: the list is `messages` (lower case, `null` when there is
 * none) and every message lists each field, `null` when absent (the answer of a REST API `ReceiveMessage` integration,
 * aws-samples/serverless-patterns apigw-sqs-receive: `{"ReceiveMessageResponse":{"ReceiveMessageResult":{"messages":
 * [{"Attributes":null,"Body":...,"MD5OfBody":...,"MD5OfMessageAttributes":null,"MessageAttributes":null,"MessageId":
 * ...,"ReceiptHandle":...}]},"ResponseMetadata":{...}}}`).
 */
const jsonResult = (action: string, output: SqsOutput): unknown => {
  if (action !== 'ReceiveMessage') return output;
  const messages = (output.Messages as SqsOutput[] | undefined) ?? [];
  return {
    messages: messages.length
      ? messages.map((message) => Object.fromEntries(MESSAGE_FIELDS.map((field) => [field, message[field] ?? null])))
      : null,
  };
};

/**
 * A query-protocol answer: XML by default, or the same document as JSON when the caller asks for
 * `Accept: application/json` (as API Gateway's AWS integrations do; the template's response mapping reads
 * `$.SendMessageResponse.SendMessageResult.MessageId`).
 */
export const queryAnswer = (action: string, output: SqsOutput, requestId: string, json: boolean): QueryAnswer =>
  queryEnvelope(
    { action, namespace: NAMESPACE, requestId, json },
    RESULTLESS.has(action) ? undefined : { xml: resultElements(action, output), json: jsonResult(action, output) },
  );

export const queryError = (error: SqsError, requestId: string, json: boolean): QueryAnswer =>
  queryErrorEnvelope(
    { status: error.status, fault: error.fault, code: error.queryCode, message: error.message },
    { namespace: NAMESPACE, requestId, json },
  );
