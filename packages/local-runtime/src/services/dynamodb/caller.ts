import { callAwsService, type LocalEndpoint } from '../../gateway/integrations/aws-service.ts';
import type { CallDynamoDb, Json } from '../stepfunctions/task-services.ts';

/**
 * In-process callers (Step Functions' DynamoDB tasks) call the local DynamoDB as the service would: signed requests
 * in DynamoDB's JSON protocol; an error answer becomes an Error named by its code
 * (`com.amazonaws.dynamodb.v20120810#X` → `X`).
 */
export const dynamoDbCaller =
  (endpoint: LocalEndpoint): CallDynamoDb =>
  async (action, input) => {
    const answer = await callAwsService(
      {
        target: { region: endpoint.region, service: 'dynamodb', kind: 'action', value: action, query: '' },
        method: 'POST',
        headers: {},
        query: {},
        body: Buffer.from(JSON.stringify(input)),
        timeoutMs: 60_000,
      },
      (service) => (service === 'dynamodb' ? endpoint : undefined),
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
    const message = String(body.message ?? body.Message ?? `DynamoDB answered ${answer?.status ?? 'nothing'}`);
    throw Object.assign(new Error(message), { name: code, statusCode: answer?.status ?? 500 });
  };
