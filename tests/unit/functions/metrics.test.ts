import { readFileSync } from 'node:fs';
import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, Context, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as catalog } from '../../../src/functions/catalog/handler.ts';
import { handler as charge } from '../../../src/functions/order-charge/handler.ts';
import { handler as orderEvents } from '../../../src/functions/order-events/handler.ts';
import { handler as notify } from '../../../src/functions/order-notify/handler.ts';
import { handler as reserve } from '../../../src/functions/order-reserve/handler.ts';
import { handler as validate } from '../../../src/functions/order-validate/handler.ts';
import { handler as create } from '../../../src/functions/orders-create/handler.ts';
import { emittedMetrics, summary } from './emitted-metrics.ts';

/**
 * Issue 24: the business metrics each function emits, as the EMF lines Powertools Metrics prints (namespace from
 * POWERTOOLS_METRICS_NAMESPACE, `service` and `stage` on every one). OrdersPlaced and OrdersFailed also come in the
 * {service, stage} dimension set alone, which the template's failure-rate alarm reads.
 */
const read = <T>(file: string): T => JSON.parse(readFileSync(`events/${file}`, 'utf8')) as T;
const ddb = mockClient(DynamoDBDocumentClient);
const ws = mockClient(ApiGatewayManagementApiClient);
const sfn = mockClient(SFNClient);

beforeEach(() => {
  ddb.reset();
  ws.reset();
  sfn.reset();
  process.env.CONNECTIONS_TABLE = 'connections-test';
  process.env.WS_CALLBACK_URL = 'https://w9x8y7z6v5.execute-api.eu-west-1.amazonaws.com/dev';
  process.env.STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:orders-workflow-dev';
  ddb.on(QueryCommand, { IndexName: 'byOrder' }).resolves({ Items: [{ connectionId: 'a' }, { connectionId: 'b' }] });
  ddb.on(QueryCommand, { KeyConditionExpression: 'pk = :pk' }).resolves({ Items: [{ pk: 'CONN#b', sk: 'META' }] });
  ddb.on(BatchWriteCommand).resolves({});
  ws.on(PostToConnectionCommand).resolves({});
});

describe('the metrics each function emits', () => {
  it('order-validate: OrdersPlaced by channel, in the {service, stage} set too', async () => {
    const input = read<Record<string, unknown>>('order-validate.json');
    const points = await emittedMetrics(() => validate(input));
    expect(summary(points)).toEqual([
      'OrdersApi/OrdersPlaced{service,stage} Count = 1',
      'OrdersApi/OrdersPlaced{service,stage,channel=v1} Count = 1',
    ]);
    expect(points[0]?.dimensions).toEqual({ service: 'orders-api', stage: 'dev' });
    const v2 = await emittedMetrics(() => validate({ ...input, channel: 'v2' }));
    expect(summary(v2)).toContain('OrdersApi/OrdersPlaced{service,stage,channel=v2} Count = 1');
  });

  it('order-validate: nothing for an input that is not an order', async () => {
    expect(await emittedMetrics(() => validate({ orderId: 'nope' }))).toEqual([]);
  });

  it('order-charge: PaymentRetries on every attempt after the first, nothing on the first', async () => {
    const event = read<{ order: Record<string, unknown> }>('order-charge.json');
    expect(await emittedMetrics(() => charge({ ...event, attempt: 0 }))).toEqual([]);
    expect(summary(await emittedMetrics(() => charge({ ...event, attempt: 2 })))).toEqual([
      'OrdersApi/PaymentRetries{service,stage} Count = 1',
    ]);
  });

  it('order-notify: OrdersConfirmed with the pushes and the stale connections it removed', async () => {
    ws.on(PostToConnectionCommand, { ConnectionId: 'b' }).rejects(
      new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } }),
    );
    const points = await emittedMetrics(() =>
      notify({ orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p', status: 'CONFIRMED' }),
    );
    expect(summary(points)).toEqual([
      'OrdersApi/OrdersConfirmed{service,stage} Count = 1',
      'OrdersApi/WebSocketPushes{service,stage} Count = 1',
      'OrdersApi/StaleConnections{service,stage} Count = 1',
    ]);
  });

  it('order-notify: OrdersFailed by the error that ended the order (Unknown without one)', async () => {
    const failed = await emittedMetrics(() => notify(read('order-notify.json')));
    expect(summary(failed)).toEqual([
      'OrdersApi/OrdersFailed{service,stage} Count = 1',
      'OrdersApi/OrdersFailed{service,stage,reason=PaymentDeclinedError} Count = 1',
      'OrdersApi/WebSocketPushes{service,stage} Count = 2',
    ]);
    const unknown = await emittedMetrics(() => notify({ orderId: 'ord_01jd8x2k7q9w3e5r6t7y8u9i0p', status: 'FAILED' }));
    expect(summary(unknown)).toContain('OrdersApi/OrdersFailed{service,stage,reason=Unknown} Count = 1');
  });

  it('order-events: WebSocketPushes of the whole batch, even when a record fails', async () => {
    const context = { functionName: 'OrderEventsFunction', awsRequestId: 'r', getRemainingTimeInMillis: () => 1 };
    const points = await emittedMetrics(() => orderEvents(read<SQSEvent>('order-events.json'), context as Context));
    // Two good records (the third is not JSON), each pushed to both subscribers: one EMF line, a value per record.
    expect(summary(points)).toEqual(['OrdersApi/WebSocketPushes{service,stage} Count = 2,2']);
  });

  it('orders-create, order-reserve and catalog emit no business metric', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
    expect(await emittedMetrics(() => create(read<APIGatewayProxyEvent>('orders-create.json')))).toEqual([]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    const validated = await validate(read('order-validate.json')).catch(() => undefined);
    expect(await emittedMetrics(() => reserve(validated))).toEqual([]);
    expect(await emittedMetrics(() => catalog(read<APIGatewayProxyEvent>('catalog.json')))).toEqual([]);
  });
});
