import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunningRuntime, signedHeaders, startRuntime } from 'sam-local-runtime/testing';
import WebSocket from 'ws';
import { createOrdersApi, type OrdersApi, type OrdersApiOptions } from '../../sdk/index.ts';
import { connectOrdersSocket, type OrdersSocket, type WebSocketConstructor } from '../../sdk/ws.ts';

/**
 * Where the end-to-end suite runs: by default a local runtime it starts itself (`npm start`'s entry point, samconfig
 * env `test`, with a small legacy back end); with API_URL set, a deployed stage, unchanged:
 *
 *   API_URL   the RestApiUrl stack output            WS_URL    the WebSocketUrl output
 *   API_KEY   a key of a usage plan                  TOKEN     a JWT of the configured issuer (orders:read orders:write)
 *             (without TOKEN, the access token of the Cognito sign-in below: its scopes must include both)
 *   READ_TOKEN (optional) a JWT with orders:read only, for the scope refusals
 *   ID_TOKEN  (optional) a Cognito ID token for GET /v1/me, or COGNITO_CLIENT_ID + COGNITO_USERNAME +
 *             COGNITO_PASSWORD to get one (the app client must allow USER_PASSWORD_AUTH)
 *   AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN / AWS_REGION for the SigV4 route
 *
 * Tests only the local runtime can run use `localOnly(reason)`: against a deployed stage they are skipped and their
 * title says why.
 */
export const deployed = Boolean(process.env.API_URL);

/** `it` locally; `it.skip` against a deployed stage, with the reason in the test's title. */
export const localOnly =
  (reason: string) =>
  (name: string, fn: () => Promise<void>, timeout?: number): void =>
    (deployed ? it.skip : it)(`${name} [local only: ${reason}]`, fn, timeout);

export interface Target {
  deployed: boolean;
  /** The REST stage URL. */
  baseUrl: string;
  wsUrl: string;
  stage: string;
  region: string;
  /** A client with every credential: API key, writer token, Cognito ID token, SigV4. */
  api: OrdersApi;
  /** A client built from other options (a missing key, another token). */
  client: (options: Partial<OrdersApiOptions>) => OrdersApi;
  token: string;
  readerToken: string | undefined;
  idToken: string | undefined;
  sign: NonNullable<OrdersApiOptions['sign']>;
  socket: (token?: string) => Promise<OrdersSocket>;
  /** The local runtime (undefined against a deployed stage). */
  runtime: RunningRuntime | undefined;
  /** What the local legacy back end last received. */
  legacySeen: () => IncomingMessage | undefined;
  stop: () => Promise<void>;
}

const required = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`API_URL is set, so ${name} must be too (see tests/e2e/target.ts)`);
  return value;
};

/** Cognito's InitiateAuth (USER_PASSWORD_AUTH) over its JSON API: no SDK, no signature. */
const cognitoTokens = async (region: string): Promise<{ idToken?: string; accessToken?: string }> => {
  const { COGNITO_CLIENT_ID: clientId, COGNITO_USERNAME: username, COGNITO_PASSWORD: password } = process.env;
  if (!clientId || !username || !password) return {};
  const response = await fetch(`https://cognito-idp.${region}.amazonaws.com/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth',
    },
    body: JSON.stringify({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: clientId,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  });
  const body = (await response.json()) as {
    AuthenticationResult?: { IdToken?: string; AccessToken?: string };
    message?: string;
  };
  const result = body.AuthenticationResult;
  if (!result?.IdToken) throw new Error(`Cognito InitiateAuth: ${body.message ?? response.status}`);
  return { idToken: result.IdToken, ...(result.AccessToken ? { accessToken: result.AccessToken } : {}) };
};

const startLegacy = async (): Promise<{ server: Server; url: string; seen: () => IncomingMessage | undefined }> => {
  let seen: IncomingMessage | undefined;
  const server = createServer((request, response) => {
    seen = request;
    response
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ legacy: true, method: request.method, url: request.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen: () => seen };
};

const build = (
  base: Omit<Target, 'api' | 'client' | 'socket'> & { apiKey: string },
  WebSocketImpl: WebSocketConstructor,
): Target => {
  const client = (options: Partial<OrdersApiOptions>) =>
    createOrdersApi({
      baseUrl: base.baseUrl,
      apiKey: base.apiKey,
      token: base.token,
      ...(base.idToken ? { idToken: base.idToken } : {}),
      sign: base.sign,
      ...options,
    });
  return {
    ...base,
    api: client({}),
    client,
    socket: (token = base.token) => connectOrdersSocket(base.wsUrl, token, { WebSocket: WebSocketImpl }),
  };
};

export const startTarget = async (): Promise<Target> => {
  // The ws package: Jest's node environment has no global WebSocket (browsers and Node.js itself do).
  const WebSocketImpl = WebSocket as unknown as WebSocketConstructor;
  if (deployed) {
    const baseUrl = required('API_URL').replace(/\/+$/, '');
    const region =
      process.env.AWS_REGION ?? /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(baseUrl)?.[1] ?? 'us-east-1';
    const credentials = {
      accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? '',
      ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
    };
    const cognito = await cognitoTokens(region);
    const token = process.env.TOKEN ?? cognito.accessToken;
    if (!token) throw new Error('API_URL is set, so TOKEN (or Cognito credentials) must be too (tests/e2e/target.ts)');
    return build(
      {
        deployed: true,
        baseUrl,
        wsUrl: required('WS_URL'),
        stage: new URL(baseUrl).pathname.split('/')[1] ?? '',
        region,
        apiKey: required('API_KEY'),
        token,
        readerToken: process.env.READ_TOKEN,
        idToken: process.env.ID_TOKEN ?? cognito.idToken,
        sign: ({ url, method, body }) => signedHeaders(url, credentials, region, method, body),
        runtime: undefined,
        legacySeen: () => undefined,
        stop: async () => {},
      },
      WebSocketImpl,
    );
  }
  const legacy = await startLegacy();
  const closeLegacy = async () => {
    legacy.server.closeAllConnections();
    await new Promise((resolve) => legacy.server.close(resolve));
  };
  let runtime: RunningRuntime;
  try {
    runtime = await startRuntime([
      '--config-env',
      'test',
      '--routes',
      'demo/routes.ts',
      '--parameter-overrides',
      `LegacyBackendUrl=${legacy.url}`,
    ]);
  } catch (error) {
    await closeLegacy();
    throw error;
  }
  const stage = runtime.info.apis.find((api) => api.kind === 'REST') ?? runtime.info.apis[0];
  const region = 'eu-west-1'; // samconfig.toml's region for the test environment
  return build(
    {
      deployed: false,
      baseUrl: stage?.url ?? runtime.base,
      wsUrl: runtime.info.webSockets[0]?.url ?? runtime.info.wsUrl,
      stage: stage?.stage ?? 'test',
      region,
      apiKey: runtime.keyOf('BasicApiKey'),
      token: await runtime.token({ sub: 'e2e-alice', scope: 'orders:read orders:write' }),
      readerToken: await runtime.token({ sub: 'e2e-bob', scope: 'orders:read' }),
      idToken: await runtime.token({ sub: 'e2e-carol', token_use: 'id', claims: { email: 'carol@example.com' } }),
      sign: ({ url, method, body }) => signedHeaders(url, runtime.info.credentials, region, method, body),
      runtime,
      legacySeen: legacy.seen,
      stop: async () => {
        await runtime.stop();
        await closeLegacy();
      },
    },
    WebSocketImpl,
  );
};
