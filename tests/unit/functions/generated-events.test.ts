import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayTokenAuthorizerEvent, Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as authorizer } from '../../../src/functions/authorizer/handler.ts';
import { handler as catalog } from '../../../src/functions/catalog/handler.ts';
import { handler as orderEvents } from '../../../src/functions/order-events/handler.ts';
import { useTestIssuer } from '../auth/issuer.ts';

/**
 * `sam-local-runtime generate-event` (as `sam local generate-event`) makes events the starter's handlers take as
 * they are: printed by the CLI a developer runs, parsed, and handed to the handler in this process.
 */
const packageDir = dirname(join(process.cwd(), 'node_modules', 'sam-local-runtime', 'package.json'));
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
};
const BIN = join(packageDir, manifest.bin['sam-local-runtime'] as string);

const generateEvent = <T>(...args: string[]): T =>
  JSON.parse(execFileSync(process.execPath, [BIN, 'generate-event', ...args], { encoding: 'utf8' })) as T;

const context = { functionName: 'Fn', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as Context;

describe('generate-event apigateway aws-proxy → the catalog handler', () => {
  it('answers GET /v1/catalog?category=books with the books', async () => {
    const event = generateEvent<APIGatewayProxyEvent>(
      'apigateway',
      'aws-proxy',
      '--method',
      'GET',
      '--stage',
      'dev',
      '--resource',
      '/v1/catalog',
      '--path',
      'v1/catalog',
      '--querystringparameters',
      '{"category": "books"}',
    );
    const response = await catalog(event);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ category: 'books' });
  }, 30_000);
});

describe('generate-event sqs receive-message → the order events consumer', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  const ws = mockClient(ApiGatewayManagementApiClient);
  beforeEach(() => {
    process.env.CONNECTIONS_TABLE = 'connections-test';
    process.env.WS_CALLBACK_URL = 'https://w9x8y7z6v5.execute-api.eu-west-1.amazonaws.com/dev';
    ddb.reset();
    ws.reset();
    ddb.on(QueryCommand).resolves({ Items: [{ connectionId: 'conn-a' }] });
    ws.on(PostToConnectionCommand).resolves({});
  });

  it('delivers the message the event carries, with no failed record', async () => {
    const sample = JSON.parse(readFileSync('events/order-events.json', 'utf8')) as SQSEvent;
    const body = sample.Records[0]?.body as string;
    const event = generateEvent<SQSEvent>('sqs', 'receive-message', '--body', body, '--queue-name', 'order-events');
    const result = await orderEvents(event, context);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(ws.commandCalls(PostToConnectionCommand)).toHaveLength(1);
    // A record the consumer cannot read fails (alone in its batch, the whole batch: Powertools' rule).
    const bad = generateEvent<SQSEvent>('sqs', 'receive-message', '--body', 'not json');
    await expect(orderEvents(bad, context)).rejects.toThrow(/All records failed processing/);
  }, 30_000);
});

describe('generate-event apigateway authorizer → the REST TOKEN authorizer', () => {
  const idp = useTestIssuer('/orders-api/test/auth');

  const tokenEvent = (token: string) =>
    generateEvent<APIGatewayTokenAuthorizerEvent>(
      'apigateway',
      'authorizer',
      '--token',
      token,
      '--region',
      'eu-west-1',
      '--restApiId',
      'a1b2c3d4e5',
      '--stage',
      'dev',
      '--method',
      'POST',
      '--resource',
      'v1/orders',
    );

  it('allows a valid bearer token on the method of the event', async () => {
    const result = await authorizer(tokenEvent(`Bearer ${await idp().mint({ sub: 'user-alice' })}`));
    expect(result.principalId).toBe('user-alice');
    expect(JSON.stringify(result.policyDocument)).toContain(
      'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/POST/v1/orders',
    );
  }, 30_000);

  it("refuses SAM CLI's default token with Unauthorized", async () => {
    const event = generateEvent<APIGatewayTokenAuthorizerEvent>('apigateway', 'authorizer');
    expect(event.authorizationToken).toBe('incoming-client-token');
    await expect(authorizer(event)).rejects.toThrow(/^Unauthorized$/);
  }, 30_000);
});
