import { callAwsService, type LocalEndpoint } from '../../gateway/integrations/aws-service.ts';
import type { Json } from '../stepfunctions/task-services.ts';

/**
 * The runtime's own calls to a local endpoint of an AWS JSON protocol (DynamoDB for Step Functions' tasks, Kinesis
 * for the event source pollers), made as the service's SDK makes them: signed, `X-Amz-Target` naming the action. An
 * error answer becomes an Error named by its code (`com.amazonaws.dynamodb.v20120810#X` → `X`).
 */
export const callJsonService = async (
  endpoint: LocalEndpoint,
  service: string,
  action: string,
  input: Record<string, Json>,
): Promise<Json> => {
  const answer = await callAwsService(
    {
      target: { region: endpoint.region, service, kind: 'action', value: action, query: '' },
      method: 'POST',
      headers: {},
      query: {},
      body: Buffer.from(JSON.stringify(input)),
      timeoutMs: 60_000,
    },
    (asked) => (asked === service ? endpoint : undefined),
  );
  const text = answer?.body.toString('utf8') ?? '';
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    parsed = { message: text };
  }
  const body = (parsed ?? {}) as Record<string, unknown>;
  if (answer && answer.status === 200) return body as Json;
  const code =
    String(body.__type ?? 'InternalServerError')
      .split('#')
      .pop() ?? 'InternalServerError';
  const message = String(body.message ?? body.Message ?? `${service} answered ${answer?.status ?? 'nothing'}`);
  throw Object.assign(new Error(message), { name: code, statusCode: answer?.status ?? 500 });
};
