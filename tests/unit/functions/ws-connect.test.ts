import { readFileSync } from 'node:fs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { type ConnectEvent, handler } from '../../../src/functions/ws-connect/handler.ts';

const sample = JSON.parse(readFileSync('events/ws-connect.json', 'utf8')) as ConnectEvent;
const ddb = mockClient(DynamoDBDocumentClient);

beforeEach(() => {
  ddb.reset();
  process.env.CONNECTIONS_TABLE = 'connections-test';
  process.env.CONNECTION_TTL_SECONDS = '7200';
});

describe('WebSocket $connect', () => {
  it('records the connection with its principal and a TTL, and accepts the handshake', async () => {
    ddb.on(PutCommand).resolves({});
    const before = Math.floor(Date.now() / 1000);
    await expect(handler(sample)).resolves.toEqual({ statusCode: 200 });
    const [call] = ddb.commandCalls(PutCommand);
    const item = call?.args[0].input.Item as Record<string, unknown>;
    expect(call?.args[0].input.TableName).toBe('connections-test');
    expect(item).toMatchObject({
      pk: 'CONN#CzT4mcP2DoECJ8g=',
      sk: 'META',
      connectionId: 'CzT4mcP2DoECJ8g=',
      principalId: 'user-alice',
      connectedAt: '2026-11-24T19:12:03.000Z',
    });
    expect(item.expiresAt).toBeGreaterThanOrEqual(before + 7200);
    expect(item.expiresAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 7200);
  });

  it('refuses a connection that reached it without an authorizer principal', async () => {
    const event = structuredClone(sample);
    delete event.requestContext.authorizer;
    await expect(handler(event)).resolves.toEqual({ statusCode: 401, body: 'Unauthorized' });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('lets a storage failure surface (API Gateway refuses the handshake)', async () => {
    ddb.on(PutCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    await expect(handler(sample)).rejects.toThrow('ProvisionedThroughputExceededException');
  });
});
