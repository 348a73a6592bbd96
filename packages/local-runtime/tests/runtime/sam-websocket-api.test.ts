import { describe, expect, it } from '@jest/globals';
import { openSocket } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';

/**
 * AWS::Serverless::WebSocketApi served as the SAM translator v1.110.0 expands it, black-box over real WebSockets:
 * a Lambda REQUEST authorizer on $connect, a custom route pushing back through @connections, a two-way $default
 * with Globals' stage variables, an API without auth on the `default` stage, Refs and GetAtts of the generated ids,
 * and an AWS_IAM $connect the runtime cannot check, refused.
 */

describe('AWS::Serverless::WebSocketApi', () => {
  const runtime = fixtureRuntime('sam-websocket-api');
  const socketOf = (logicalId: string) => {
    const api = runtime.info.webSockets.find((candidate) => candidate.logicalId === logicalId);
    if (!api) throw new Error(`no ${logicalId} in ${JSON.stringify(runtime.info.webSockets)}`);
    return api;
  };

  it('serves each API on the stage the translator gives it (StageName, or `default`)', () => {
    expect(socketOf('Chat').stage).toBe('beta');
    expect(socketOf('Lobby').stage).toBe('default');
    expect(socketOf('Vault').stage).toBe('vault');
  });

  it("runs the Auth's REQUEST authorizer on $connect with its identity source", async () => {
    const chat = socketOf('Chat').url;
    // No `ticket`: the identity source is missing, API Gateway answers 401 without calling the authorizer.
    await expect(openSocket(chat)).rejects.toMatchObject({ status: 401 });
    await expect(openSocket(`${chat}?ticket=forged`)).rejects.toMatchObject({ status: 403 });
    const socket = await openSocket(`${chat}?ticket=admit-one`);
    socket.socket.close();
    await socket.closed;
  });

  it('runs a custom route whose function pushes back through the @connections management API', async () => {
    const socket = await openSocket(`${socketOf('Chat').url}?ticket=admit-one`);
    socket.socket.send(JSON.stringify({ action: 'shout', text: 'hello there' }));
    expect(await socket.next((message) => message.shouted !== undefined)).toEqual({
      shouted: 'HELLO THERE',
      seat: '12B',
      principal: 'holder-admit-one',
      route: 'shout',
    });
    socket.socket.close();
  });

  it('answers a two-way $default (RouteResponseSelectionExpression) on the API stage', async () => {
    const socket = await openSocket(`${socketOf('Chat').url}?ticket=admit-one`);
    socket.socket.send(JSON.stringify({ action: 'unknown', n: 1 }));
    expect(await socket.next((message) => message.route === '$default')).toEqual({
      route: '$default',
      stage: 'beta',
      heard: JSON.stringify({ action: 'unknown', n: 1 }),
    });
    socket.socket.close();
  });

  it('connects to an API without Auth and resolves Refs and GetAtts of the ids the translator generates', async () => {
    const socket = await openSocket(socketOf('Lobby').url);
    socket.socket.send(JSON.stringify({ kind: 'whatever' }));
    const answer = await socket.next((message) => message.route === '$default');
    socket.socket.close();
    const chat = socketOf('Chat');
    const env = answer.env as Record<string, string>;
    expect(answer.stage).toBe('default');
    expect(env).toMatchObject({
      SEEN_CHAT: chat.id,
      SEEN_CHAT_API_ID: chat.id,
      SEEN_CHAT_ENDPOINT: `wss://${chat.id}.execute-api.${runtime.info.region}.amazonaws.com`,
      SEEN_CHAT_STAGE: 'beta',
      SEEN_CHAT_STAGE_REFERABLE: 'beta',
      SEEN_CHAT_URL: `wss://${chat.id}.execute-api.${runtime.info.region}.amazonaws.com/beta`,
    });
    for (const key of [
      'SEEN_CHAT_ROUTE',
      'SEEN_CHAT_INTEGRATION',
      'SEEN_CHAT_PERMISSION',
      'SEEN_CHAT_AUTHORIZER',
      'SEEN_CHAT_AUTHORIZER_PERMISSION',
    ]) {
      expect(env[key]).toMatch(/^[\w-]+$/);
    }
    expect(runtime.output()).not.toMatch(/Ref to unknown|unknown logical id|Chat-Stage/);
  });

  it('refuses an AWS_IAM $connect it cannot check, and names it at start-up', async () => {
    await expect(openSocket(socketOf('Vault').url)).rejects.toMatchObject({ status: 500 });
    expect(runtime.output()).toMatch(/VaultConnectRoute \(\$connect\): AWS_IAM authorization is not checked locally/);
  });
});
