import { GatewayError } from '../../gateway/gateway-error.ts';
import { type AwsServiceEndpoints, signForEndpoint } from '../../gateway/integrations/aws-service.ts';
import { sendToBackend } from '../../gateway/integrations/backend.ts';
import type { IntegrationResult } from '../../gateway/integrations/result.ts';
import { HttpApiError, type HttpExchange, internalError, serviceUnavailable } from '../exchange.ts';
import type { AwsSubtype, HttpIntegration } from '../model.ts';
import { mapValue } from '../selection.ts';

type AwsIntegration = Extract<HttpIntegration, { kind: 'aws' }>;

interface Operation {
  service: string;
  action: string;
  required: string[];
  optional: string[];
}

// The parameters of each subtype (developer guide, "Integration subtype reference").
const OPERATIONS: Record<AwsSubtype, Operation> = {
  'SQS-SendMessage': {
    service: 'sqs',
    action: 'SendMessage',
    required: ['QueueUrl', 'MessageBody'],
    optional: [
      'DelaySeconds',
      'MessageAttributes',
      'MessageDeduplicationId',
      'MessageGroupId',
      'MessageSystemAttributes',
    ],
  },
  'SQS-ReceiveMessage': {
    service: 'sqs',
    action: 'ReceiveMessage',
    required: ['QueueUrl'],
    optional: [
      'AttributeName',
      'MaxNumberOfMessages',
      'MessageAttributeNames',
      'ReceiveRequestAttemptId',
      'VisibilityTimeout',
      'WaitTimeSeconds',
    ],
  },
  'SQS-DeleteMessage': {
    service: 'sqs',
    action: 'DeleteMessage',
    required: ['QueueUrl', 'ReceiptHandle'],
    optional: [],
  },
  'SQS-PurgeQueue': { service: 'sqs', action: 'PurgeQueue', required: ['QueueUrl'], optional: [] },
  'StepFunctions-StartExecution': {
    service: 'states',
    action: 'StartExecution',
    required: ['StateMachineArn'],
    optional: ['Name', 'Input'],
  },
  'StepFunctions-StartSyncExecution': {
    service: 'states',
    action: 'StartSyncExecution',
    required: ['StateMachineArn'],
    optional: ['Name', 'Input', 'TraceHeader'],
  },
  'StepFunctions-StopExecution': {
    service: 'states',
    action: 'StopExecution',
    required: ['ExecutionArn'],
    optional: ['Cause', 'Error'],
  },
  'EventBridge-PutEvents': {
    service: 'events',
    action: 'PutEvents',
    required: ['Detail', 'DetailType', 'Source'],
    optional: ['Time', 'EventBusName', 'Resources', 'TraceHeader'],
  },
  'Kinesis-PutRecord': {
    service: 'kinesis',
    action: 'PutRecord',
    required: ['StreamName', 'Data', 'PartitionKey'],
    optional: ['SequenceNumberForOrdering', 'ExplicitHashKey'],
  },
};

/** The AWS service an integration subtype calls (`sqs`, `states`, `events`). */
export const serviceOfSubtype = (subtype: AwsSubtype): string => OPERATIONS[subtype].service;

/** SQS's query protocol flattens lists and maps (`MessageAttribute.1.Name`, `AttributeName.1`). */
const sqsQuery = (action: string, parameters: Record<string, string>): URLSearchParams => {
  const query = new URLSearchParams({ Action: action });
  for (const [name, value] of Object.entries(parameters)) {
    if (name === 'MessageAttributes' || name === 'MessageSystemAttributes') {
      let attributes: Record<string, Record<string, string>>;
      try {
        attributes = JSON.parse(value) as Record<string, Record<string, string>>;
      } catch {
        throw new HttpApiError(400, 'Bad Request', `${name} is not a JSON map of attributes`);
      }
      const prefix = name === 'MessageAttributes' ? 'MessageAttribute' : 'MessageSystemAttribute';
      Object.entries(attributes).forEach(([attribute, content], i) => {
        query.set(`${prefix}.${i + 1}.Name`, attribute);
        for (const [field, fieldValue] of Object.entries(content ?? {})) {
          query.set(`${prefix}.${i + 1}.Value.${field}`, String(fieldValue));
        }
      });
    } else if (name === 'AttributeName' || name === 'MessageAttributeNames') {
      const base = name === 'AttributeName' ? 'AttributeName' : 'MessageAttributeName';
      value
        .split(',')
        .map((item) => item.trim())
        .forEach((item, i) => {
          query.set(`${base}.${i + 1}`, item);
        });
    } else query.set(name, value);
  }
  return query;
};

/**
 * The one PutEvents entry of an EventBridge-PutEvents integration: the parameters are the entry's fields; Resources
 * is a JSON array or a comma-separated list of ARNs.
 */
const putEventsEntry = (parameters: Record<string, string>): Record<string, unknown> => {
  const entry: Record<string, unknown> = { ...parameters };
  const resources = parameters.Resources;
  if (resources !== undefined) {
    let list: unknown;
    try {
      list = JSON.parse(resources);
    } catch {
      list = undefined;
    }
    entry.Resources = Array.isArray(list) ? list.map(String) : resources.split(',').map((item) => item.trim());
  }
  return entry;
};

const lowerFirst = (name: string) => `${name[0]?.toLowerCase() ?? ''}${name.slice(1)}`;

/**
 * A first-class AWS service integration of an HTTP API (`IntegrationSubtype`): the request parameters (selection
 * expressions or static values) become the action's parameters, sent to the local service in its own protocol; the
 * service's answer comes back as it is. The request is signed with the local credentials, as API Gateway signs with the
 * integration's role. A missing required parameter is 400; a service the runtime does not host is
 * 500, logged with the reason.
 */
export const awsIntegration = async (
  exchange: HttpExchange,
  integration: AwsIntegration,
  endpoints: AwsServiceEndpoints,
): Promise<IntegrationResult> => {
  const operation = OPERATIONS[integration.subtype];
  const endpoint = endpoints(operation.service);
  if (!endpoint) {
    throw internalError(`${integration.subtype}: the local runtime has no ${operation.service} endpoint to call`);
  }
  const parameters: Record<string, string> = {};
  for (const [name, expression] of Object.entries(integration.requestParameters)) {
    if (name === 'Region') continue;
    const value = mapValue(exchange, expression);
    if (value !== undefined && value !== '') parameters[name] = value;
  }
  const missing = operation.required.filter((name) => parameters[name] === undefined);
  if (missing.length > 0) {
    throw new HttpApiError(400, 'Bad Request', `${integration.subtype}: no value for ${missing.join(', ')}`);
  }
  const url = new URL(endpoint.url);
  let headers: Record<string, string>;
  let body: Buffer;
  if (operation.service === 'sqs') {
    // API Gateway asks the query protocol for JSON (`{"SendMessageResponse": ...}`).
    headers = { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' };
    body = Buffer.from(sqsQuery(operation.action, parameters).toString());
  } else if (operation.service === 'events') {
    headers = { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSEvents.${operation.action}` };
    body = Buffer.from(JSON.stringify({ Entries: [putEventsEntry(parameters)] }));
  } else if (operation.service === 'kinesis') {
    // PutRecord's own fields: Data goes as given, base64 as Kinesis's JSON protocol carries a blob.
    headers = { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `Kinesis_20131202.${operation.action}` };
    const known = new Set([...operation.required, ...operation.optional]);
    body = Buffer.from(
      JSON.stringify(Object.fromEntries(Object.entries(parameters).filter(([name]) => known.has(name)))),
    );
  } else {
    headers = { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': `AWSStepFunctions.${operation.action}` };
    const input: Record<string, unknown> = Object.fromEntries(
      Object.entries(parameters).map(([name, value]) => [lowerFirst(name), value]),
    );
    body = Buffer.from(JSON.stringify(input));
  }
  try {
    const signed = await signForEndpoint(endpoint, operation.service, { method: 'POST', url, headers, body });
    const answer = await sendToBackend(url, 'POST', signed, body, integration.timeoutMs);
    const contentType = answer.headers['content-type'];
    return {
      status: answer.status,
      headers: contentType ? { 'Content-Type': contentType } : {},
      body: answer.body,
    };
  } catch (error) {
    if (error instanceof GatewayError && error.type === 'INTEGRATION_TIMEOUT') {
      throw serviceUnavailable(`${integration.subtype}: the local ${operation.service} did not answer in time`);
    }
    throw internalError(`${integration.subtype}: the local ${operation.service} could not be reached`);
  }
};
