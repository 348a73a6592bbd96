import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestUrl } from '../../shared/request-url.ts';
import { readRequestBody } from '../shared/local-service.ts';
import { jsonAuthError, type RequestVerifier } from '../shared/request-auth.ts';
import { SsmError } from './store.ts';

const NAMESPACE = 'http://ssm.amazonaws.com/doc/2014-11-06/';
const BOOLEANS = new Set(['WithDecryption', 'Recursive', 'Overwrite']);

type Input = Record<string, unknown>;

/** `Names.member.1=a&Names.member.2=b` as `{Names: [a, b]}`, the flags as booleans, the rest as text. */
const inputOf = (flat: Map<string, string>): Input => {
  const input: Input = {};
  const lists = new Map<string, [number, string][]>();
  for (const [key, value] of flat) {
    const member = /^(\w+)\.member\.(\d+)$/.exec(key);
    if (member) {
      const [, name = '', index = '0'] = member;
      lists.set(name, [...(lists.get(name) ?? []), [Number(index), value]]);
    } else if (key !== 'Action' && key !== 'Version') {
      input[key] = BOOLEANS.has(key) ? value === 'true' : value;
    }
  }
  for (const [name, items] of lists) input[name] = items.sort(([a], [b]) => a - b).map(([, value]) => value);
  return input;
};

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

/** The query protocol's XML: a structure's members as elements, a list's items as `<member>`. */
const xmlOf = (value: unknown): string => {
  if (Array.isArray(value)) return value.map((item) => `<member>${xmlOf(item)}</member>`).join('');
  if (value && typeof value === 'object') {
    return Object.entries(value)
      .filter(([, member]) => member !== undefined && member !== null)
      .map(([name, member]) => `<${name}>${xmlOf(member)}</${name}>`)
      .join('');
  }
  return escapeXml(String(value));
};

/** What the JSON rendering of the query protocol shows of a parameter: every member, an absent one as null. */
const withNullMembers = (output: unknown): unknown => {
  if (!output || typeof output !== 'object') return output;
  const fill = (parameter: unknown) =>
    parameter && typeof parameter === 'object' ? { Selector: null, SourceResult: null, ...parameter } : parameter;
  const result = { ...(output as Input) };
  if ('Parameter' in result) result.Parameter = fill(result.Parameter);
  if (Array.isArray(result.Parameters)) result.Parameters = result.Parameters.map(fill);
  return result;
};

/** In XML a time is ISO 8601 (the JSON protocols give epoch seconds). */
const forXml = (output: unknown): unknown =>
  JSON.parse(JSON.stringify(output), (key, value: unknown) =>
    key === 'LastModifiedDate' && typeof value === 'number' ? new Date(value * 1000).toISOString() : value,
  );

/**
 * SSM's Query protocol (`Action=GetParameter&Name=...`, in the query string or form-encoded), which API Gateway's
 * `ssm:action/...` integrations speak: XML by default, the same document as JSON for `Accept: application/json`.
 * Recorded on AWS: test_apigateway_ssm.snapshot.json test_get_parameter_query_protocol "get-parameter-query-default"
 * and "get-parameter-query-json", and test_ssm_aws_integration "ssm-aws-integration" (the integration's answer is
 * `{"GetParameterResponse": {"GetParameterResult": ...}}`).
 */
export const ssmQueryHandler =
  (options: { operations: Record<string, (input: Input) => unknown>; verify: RequestVerifier }) =>
  async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const json = String(request.headers.accept ?? '').includes('application/json');
    const write = (status: number, body: string) =>
      response
        .writeHead(status, { 'Content-Type': json ? 'application/json' : 'text/xml', 'x-amzn-RequestId': requestId })
        .end(body);
    const fail = (status: number, code: string, message: string) => {
      const error = { Type: status >= 500 ? 'Receiver' : 'Sender', Code: code, Message: message };
      write(
        status,
        json
          ? JSON.stringify({ Error: { ...error, Detail: null }, RequestId: requestId })
          : `<?xml version="1.0"?><ErrorResponse xmlns="${NAMESPACE}"><Error>${xmlOf(error)}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    };
    const body = await readRequestBody(request);
    if (body === undefined) return fail(413, 'RequestEntityTooLarge', 'Request entity too large');
    const signature = await options.verify(request, body);
    if (!signature.ok) {
      const refused = jsonAuthError(signature);
      return fail(refused.status, refused.type, refused.message);
    }
    const flat = new Map<string, string>(new URLSearchParams(body.toString('utf8')));
    for (const [key, value] of requestUrl(request.url).searchParams) if (!flat.has(key)) flat.set(key, value);
    const action = flat.get('Action') ?? '';
    const operation = Object.hasOwn(options.operations, action) ? options.operations[action] : undefined;
    if (!operation) return fail(400, 'InvalidAction', `The action ${action} is not valid for this endpoint.`);
    try {
      const output = await operation(inputOf(flat));
      const metadata = { RequestId: requestId };
      if (json) {
        write(
          200,
          JSON.stringify({
            [`${action}Response`]: { [`${action}Result`]: withNullMembers(output), ResponseMetadata: metadata },
          }),
        );
        return;
      }
      write(
        200,
        `<?xml version="1.0"?><${action}Response xmlns="${NAMESPACE}"><${action}Result>${xmlOf(forXml(output))}</${action}Result><ResponseMetadata>${xmlOf(metadata)}</ResponseMetadata></${action}Response>`,
      );
    } catch (error) {
      if (error instanceof SsmError) return fail(400, error.type, error.message);
      console.error(`[ssm] ${action} failed`, error);
      fail(
        500,
        'InternalFailure',
        `The local service failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
