import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { currentTraceHeader } from '../../traces/trace-context.ts';
import { sendToBackend } from './backend.ts';

/**
 * A local AWS endpoint and whom the runtime calls it as: API Gateway signs with the integration's role, the runtime
 * with the local credentials in the stack's region, which the local services accept.
 */
export interface LocalEndpoint {
  url: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
}

/** Where the local runtime serves an AWS service (`sqs`, `states`, ...), if it does. */
export type AwsServiceEndpoints = (service: string) => LocalEndpoint | undefined;

type Protocol = { kind: 'query' } | { kind: 'json'; contentType: string; targetPrefix: string } | { kind: 'rest-xml' };

// The wire protocol of each service the runtime hosts: what API Gateway itself speaks to it, and the name it signs
// for (SigV4 credential scope).
const PROTOCOLS: Record<string, Protocol & { signingName: string }> = {
  sqs: { kind: 'query', signingName: 'sqs' },
  sns: { kind: 'query', signingName: 'sns' },
  states: {
    kind: 'json',
    contentType: 'application/x-amz-json-1.0',
    targetPrefix: 'AWSStepFunctions',
    signingName: 'states',
  },
  dynamodb: {
    kind: 'json',
    contentType: 'application/x-amz-json-1.0',
    targetPrefix: 'DynamoDB_20120810',
    signingName: 'dynamodb',
  },
  // API Gateway speaks SSM's Query protocol, asked for JSON: the recorded answer of an `ssm:action/GetParameter`
  // integration is `{"GetParameterResponse": {"GetParameterResult": ...}}` (test_apigateway_ssm.snapshot.json
  // test_ssm_aws_integration "ssm-aws-integration").
  ssm: { kind: 'query', signingName: 'ssm' },
  secretsmanager: {
    kind: 'json',
    contentType: 'application/x-amz-json-1.1',
    targetPrefix: 'secretsmanager',
    signingName: 'secretsmanager',
  },
  kinesis: {
    kind: 'json',
    contentType: 'application/x-amz-json-1.1',
    targetPrefix: 'Kinesis_20131202',
    signingName: 'kinesis',
  },
  events: { kind: 'json', contentType: 'application/x-amz-json-1.1', targetPrefix: 'AWSEvents', signingName: 'events' },
  // S3's REST protocol: a path integration (`s3:path/{bucket}/{key}`) is the S3 request itself, with the
  // integration's HTTP method, its mapped headers and the body as API Gateway passes it.
  s3: { kind: 'rest-xml', signingName: 's3' },
};

/** The services an AWS integration can reach locally. */
export const HOSTED_SERVICES: readonly string[] = Object.keys(PROTOCOLS);

export interface ServiceTarget {
  /** The region the URI names (`arn:aws:apigateway:{region}:...`); locally, the one the runtime hosts answers. */
  region: string;
  service: string;
  kind: 'action' | 'path';
  /** The action name, or the path after `path/`. */
  value: string;
  /** Extra query parameters of an action URI (`action/SendMessage&QueueUrl=...`). */
  query: string;
}

/**
 * `arn:aws:apigateway:{region}:{subdomain.}{service}:{action|path}/{...}` (API Gateway API reference, Integration:
 * uri) → what to call.
 */
export const serviceTargetOf = (uri: string): ServiceTarget | undefined => {
  const match = /^arn:[^:]+:apigateway:([^:]*):(?:[^.:]+\.)?([^:.]+):(action|path)\/(.*)$/.exec(uri);
  if (!match) return undefined;
  const [, region = '', service = '', kind = 'path', rest = ''] = match;
  if (kind === 'action') {
    const [value = '', ...query] = rest.split('&');
    return { region, service, kind, value, query: query.join('&') };
  }
  const [value = '', query = ''] = rest.split('?');
  return { region, service, kind: 'path', value, query };
};

export interface ServiceCall {
  target: ServiceTarget;
  method: string;
  headers: Record<string, string>;
  /** Query parameters beyond those of the URI. */
  query: Record<string, string>;
  body: Buffer;
  timeoutMs: number;
}

/**
 * The headers of a request to a local endpoint, signed with SigV4 for `service` as an SDK client signs it (host
 * included, then dropped: node:http sends its own).
 */
export const signForEndpoint = async (
  endpoint: LocalEndpoint,
  service: string,
  request: { method: string; url: URL; headers: Record<string, string>; body: Buffer },
): Promise<Record<string, string>> => {
  const { url } = request;
  const signer = new SignatureV4({
    credentials: endpoint.credentials,
    region: endpoint.region,
    service,
    sha256: Hash.bind(null, 'sha256'),
    // S3 signs its path as sent; the other services encode each segment twice ("Create a canonical request").
    uriEscapePath: service !== 's3',
  });
  const signed = await signer.sign({
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { ...request.headers, host: url.host },
    body: request.body,
  });
  return Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name.toLowerCase() !== 'host'));
};

/**
 * Sends a service request to the local endpoint in the service's own protocol (JSON with `X-Amz-Target`, or the
 * query protocol asked for JSON), signed with SigV4 as an SDK client signs it. Undefined when the runtime does not
 * host the service.
 */
export const callAwsService = async (call: ServiceCall, endpoints: AwsServiceEndpoints) => {
  const { target } = call;
  const protocol = PROTOCOLS[target.service];
  const endpoint = endpoints(target.service);
  if (!protocol || !endpoint) return undefined;
  const headers: Record<string, string> = { ...call.headers };
  const has = (name: string) => Object.keys(headers).some((key) => key.toLowerCase() === name);
  // API Gateway passes the trace on to the services it calls, as an instrumented SDK client does.
  const trace = currentTraceHeader();
  if (trace && !has('x-amzn-trace-id')) headers['X-Amzn-Trace-Id'] = trace;
  const url = new URL(endpoint.url);
  const query = new URLSearchParams(target.query);
  for (const [name, value] of Object.entries(call.query)) query.set(name, value);
  if (protocol.kind === 'rest-xml') {
    // S3's operations are its paths and methods: an `action/...` URI names none the local S3 serves.
    if (target.kind === 'action') return undefined;
    url.pathname = `/${target.value}`;
  } else if (protocol.kind === 'json') {
    if (target.kind === 'action') headers['X-Amz-Target'] = `${protocol.targetPrefix}.${target.value}`;
    else url.pathname = `/${target.value}`;
    if (!has('content-type')) headers['Content-Type'] = protocol.contentType;
  } else {
    if (target.kind === 'action') query.set('Action', target.value);
    else url.pathname = `/${target.value}`;
    // API Gateway asks query-protocol services for JSON, which is why SQS templates read `$.SendMessageResponse`.
    if (!has('accept')) headers.Accept = 'application/json';
  }
  url.search = query.toString();
  // Signed for the local service's region, whatever region the URI names: it is the one the runtime hosts.
  const sent = await signForEndpoint(endpoint, protocol.signingName, {
    method: call.method,
    url,
    headers,
    body: call.body,
  });
  return sendToBackend(url, call.method, sent, call.body, call.timeoutMs);
};
