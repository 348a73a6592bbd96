import { randomUUID } from 'node:crypto';
import { requestEvent, tokenEvent } from '../gateway/auth/lambda-authorizer.ts';
import { apiGatewayId, type Exchange, type GatewayRequest, methodArn, randomText } from '../gateway/exchange.ts';
import { deploymentIdOf } from '../gateway/request-context.ts';
import { eventV2 } from '../http-api/events.ts';
import type { HttpExchange } from '../http-api/exchange.ts';
import { sqsRecord } from '../lambda/event-sources/sqs-records.ts';
import { proxyEvent } from '../rest/integrations/lambda-proxy.ts';
import type { Operation } from '../rest/model.ts';
import { createRouter } from '../rest/pipeline/route.ts';
import { md5Hex } from '../services/sqs/md5.ts';
import { newTraceId } from '../traces/trace-header.ts';

/**
 * `generate-event`: the events of the event sources this runtime serves, with SAM CLI's services, event names and
 * options (samcli/lib/generated_sample_events/event-mapping.json) and the shape of its samples, but built by the
 * runtime's own event builders, so an event is what a function gets from the local API, queue or workflow.
 */
export class SampleEventError extends Error {
  override readonly name = 'SampleEventError';
}

export interface SampleOption {
  name: string;
  default: string;
  help: string;
}

export interface SampleEvent {
  help: string;
  options: SampleOption[];
  build: (values: Record<string, string>) => unknown;
}

const option = (name: string, value: string, help: string): SampleOption => ({ name, default: value, help });

const accountOption = option('account-id', '123456789012', 'the account id');
const regionOption = option('region', 'us-east-1', 'the region');
const partitionOption = option('partition', 'aws', 'the partition (aws, aws-cn, aws-us-gov)');
const dnsSuffixOption = option('dns-suffix', 'us-east-1.amazonaws.com', "the execute-api host's suffix");

const value = (values: Record<string, string>, name: string): string => values[name] ?? '';

const slashed = (path: string): string => `/${path.replace(/^\/+/, '')}`;

/** The request a client would have sent, as the runtime's server turns it into a GatewayRequest. */
const gatewayRequest = (parts: {
  method: string;
  path: string;
  stage: string;
  host: string;
  query?: Record<string, string>;
  body?: string;
}): GatewayRequest => {
  const body = Buffer.from(parts.body ?? '');
  let contentType: string | undefined;
  if (body.length > 0) {
    try {
      JSON.parse(parts.body ?? '');
      contentType = 'application/json';
    } catch {
      contentType = 'text/plain';
    }
  }
  const headers: Record<string, string> = {
    Accept: '*/*',
    Host: parts.host,
    'User-Agent': 'Custom User Agent String',
    ...(contentType ? { 'Content-Type': contentType, 'Content-Length': String(body.length) } : {}),
    'X-Amzn-Trace-Id': `Root=${newTraceId()}`,
    'X-Forwarded-For': '127.0.0.1',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
  };
  const query = parts.query ?? {};
  const rawQuery = new URLSearchParams(query).toString();
  const stagePrefix = parts.stage === '$default' ? '' : `/${parts.stage}`;
  return {
    method: parts.method.toUpperCase(),
    path: parts.path,
    rawPath: `${stagePrefix}${parts.path}`,
    rawQuery,
    query,
    multiQuery: Object.fromEntries(Object.entries(query).map(([name, item]) => [name, [item]])),
    headers,
    headerNames: new Map(Object.keys(headers).map((name) => [name.toLowerCase(), name])),
    multiHeaders: Object.fromEntries(Object.entries(headers).map(([name, item]) => [name, [item]])),
    body,
    sourceIp: '127.0.0.1',
    protocol: 'HTTP/1.1',
    requestId: randomUUID(),
    extendedRequestId: apiGatewayId(),
    requestTimeEpoch: Date.now(),
  };
};

/** A REST API method with a Lambda proxy integration on `resourcePath`, to match the request against. */
const lambdaMethod = (method: string, resourcePath: string): Operation => ({
  method: method.toUpperCase(),
  resourcePath,
  apiKeyRequired: false,
  authorizationScopes: [],
  validateBody: false,
  validateParameters: false,
  parameters: [],
  bodyRequired: false,
  bodySchemas: {},
  integration: {
    type: 'aws_proxy',
    httpMethod: 'POST',
    uri: '',
    passthroughBehavior: 'when_no_match',
    requestParameters: {},
    requestTemplates: {},
    responses: [],
    timeoutMs: 29_000,
    cacheKeyParameters: [],
  },
});

const restExchange = (
  request: GatewayRequest,
  api: { id: string; stage: string; accountId: string; domainName: string; resource: string },
): Exchange => {
  const match = createRouter([lambdaMethod(request.method, api.resource)])(request.method, request.path);
  if (!match) throw new SampleEventError(`--path ${request.path} does not match --resource ${api.resource}`);
  return {
    request,
    stage: api.stage,
    apiId: api.id,
    accountId: api.accountId,
    domainName: api.domainName,
    deploymentId: deploymentIdOf(api.id, api.stage),
    match,
    identity: {},
    cacheHit: false,
  };
};

const queryOf = (text: string): Record<string, string> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text || '{}');
  } catch {
    throw new SampleEventError(`--querystringparameters must be a JSON object, e.g. '{"foo": "bar"}', got ${text}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SampleEventError(`--querystringparameters must be a JSON object, got ${text}`);
  }
  return Object.fromEntries(Object.entries(parsed).map(([name, item]) => [name, String(item)]));
};

const inPartition = (arn: string, partition: string) => arn.replace(/^arn:aws:/, `arn:${partition}:`);

const authorizerOptions = (stage: string, method: string, resource: string, apiId: string): SampleOption[] => [
  accountOption,
  partitionOption,
  regionOption,
  option('stage', stage, 'the stage'),
  option('method', method, 'the HTTP method'),
  option('resource', resource, 'the path called (the method ARN ends with it)'),
  option('restApiId', apiId, 'the REST API id'),
];

/** The request an authorizer is called for (its path is `--resource`), and the method ARN it is given. */
const authorizerCall = (values: Record<string, string>, query: Record<string, string> = {}) => {
  const request = gatewayRequest({
    method: value(values, 'method'),
    path: slashed(value(values, 'resource')),
    stage: value(values, 'stage'),
    host: `${value(values, 'restApiId')}.execute-api.${value(values, 'region')}.amazonaws.com`,
    query,
  });
  const exchange = restExchange(request, {
    id: value(values, 'restApiId'),
    stage: value(values, 'stage'),
    accountId: value(values, 'account-id'),
    domainName: request.headers.Host ?? '',
    resource: request.path,
  });
  return { exchange, arn: inPartition(methodArn(exchange, value(values, 'region')), value(values, 'partition')) };
};

/** A proxy event's request: `--method`, `--path`, `--body` to the API's execute-api host under `--stage`. */
const clientRequest = (
  values: Record<string, string>,
  apiId: string,
  extra: { query?: Record<string, string> } = {},
) => {
  const stage = value(values, 'stage');
  const host = `${apiId}.execute-api.${value(values, 'dns-suffix')}`;
  const request = gatewayRequest({
    method: value(values, 'method'),
    path: slashed(value(values, 'path')),
    stage,
    host,
    body: value(values, 'body'),
    ...extra,
  });
  return { request, stage, apiId, host };
};

const apigateway: Record<string, SampleEvent> = {
  'aws-proxy': {
    help: 'a REST API Lambda proxy integration event (what a function behind `Events: Type: Api` gets)',
    options: [
      option('body', '{"test":"body"}', 'the request body'),
      option('stage', 'prod', 'the stage'),
      option('method', 'POST', 'the HTTP method'),
      option('resource', '/{proxy+}', 'the resource path the request matched'),
      option('path', 'path/to/resource', 'the path below the stage'),
      option('querystringparameters', '{"foo": "bar"}', 'the query string, as a JSON object'),
      accountOption,
      dnsSuffixOption,
    ],
    build: (values) => {
      const { request, stage, apiId, host } = clientRequest(values, '1234567890', {
        query: queryOf(value(values, 'querystringparameters')),
      });
      const exchange = restExchange(request, {
        id: apiId,
        stage,
        accountId: value(values, 'account-id'),
        domainName: host,
        resource: slashed(value(values, 'resource')),
      });
      return proxyEvent(exchange, {});
    },
  },
  'http-api-proxy': {
    help: 'an HTTP API Lambda proxy event, payload format 2.0 (what a function behind `Events: Type: HttpApi` gets)',
    options: [
      option('body', '{"test":"body"}', 'the request body'),
      option('stage', '$default', 'the stage'),
      option('method', 'POST', 'the HTTP method'),
      option('path', 'path/to/resource', 'the path below the stage'),
      accountOption,
      dnsSuffixOption,
    ],
    build: (values) => {
      const { request, stage, apiId, host } = clientRequest(values, 'a1b2c3d4e5');
      const exchange: HttpExchange = {
        request,
        api: { logicalId: 'HttpApi', id: apiId, stage, routes: [], stageVariables: {}, problems: [] },
        accountId: value(values, 'account-id'),
        region: value(values, 'dns-suffix').split('.')[0] ?? 'us-east-1',
        domainName: host,
        route: { routeKey: '$default', scopes: [], source: 'generate-event' },
        pathParameters: {},
      };
      return eventV2(exchange);
    },
  },
  authorizer: {
    help: 'a REST API TOKEN Lambda authorizer event',
    options: [
      ...authorizerOptions('prod', 'POST', '{proxy+}', 'example'),
      option('token', 'incoming-client-token', 'the identity source value (e.g. "Bearer <jwt>")'),
    ],
    build: (values) => {
      const { arn } = authorizerCall(values);
      return tokenEvent(value(values, 'token'), arn);
    },
  },
  'request-authorizer': {
    help: 'a REST API REQUEST Lambda authorizer event',
    options: authorizerOptions('test', 'GET', 'request', 'abcdef123'),
    build: (values) => {
      const { exchange, arn } = authorizerCall(values, { QueryString1: 'queryValue1' });
      return requestEvent(exchange, arn);
    },
  },
};

const sqs: Record<string, SampleEvent> = {
  'receive-message': {
    help: 'an SQS event source mapping batch of one message',
    options: [
      partitionOption,
      regionOption,
      accountOption,
      option('queue-name', 'MyQueue', 'the queue'),
      option('body', 'Hello from SQS!', 'the message body'),
    ],
    build: (values) => {
      const [region, account, name] = [
        value(values, 'region'),
        value(values, 'account-id'),
        value(values, 'queue-name'),
      ];
      const body = value(values, 'body');
      const now = Date.now();
      const record = sqsRecord(
        {
          message: {
            id: randomUUID(),
            body,
            md5OfBody: md5Hex(body),
            attributes: {},
            senderId: account,
            sentAt: now,
            firstReceivedAt: now,
            receiveCount: 1,
            visibleAt: now,
          },
          receiptHandle: randomText(48, 'base64'),
        },
        {
          identity: {
            name,
            url: `https://sqs.${region}.amazonaws.com/${account}/${name}`,
            arn: `arn:${value(values, 'partition')}:sqs:${region}:${account}:${name}`,
          },
        },
        region,
      );
      return { Records: [record] };
    },
  },
};

const stepfunctions: Record<string, SampleEvent> = {
  error: {
    help: "the error a state machine's Catch passes on ({Error, Cause})",
    options: [
      option('error', 'ErrorName', 'the error name'),
      option('cause', 'This is the cause of the error.', 'the cause'),
    ],
    build: (values) => ({ Error: value(values, 'error'), Cause: value(values, 'cause') }),
  },
};

export const SAMPLE_EVENTS: Record<string, Record<string, SampleEvent>> = { apigateway, sqs, stepfunctions };
