import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import type { BuiltFunction } from '../build/build.ts';
import { FunctionUrlGateway } from '../function-url/gateway.ts';
import { type FunctionUrl, functionUrlsOf } from '../function-url/model.ts';
import { CognitoAuthorizer } from '../gateway/auth/cognito-authorizer.ts';
import { IamAuthorizer } from '../gateway/auth/iam-authorizer.ts';
import type { LocalCredentials } from '../gateway/auth/sigv4.ts';
import type { LambdaInvoker } from '../gateway/integrations/lambda-invoke.ts';
import { JwtVerifier } from '../http-api/auth/jwt.ts';
import { HttpGateway } from '../http-api/gateway.ts';
import { type HttpApi, httpApiReport, httpApisOf } from '../http-api/model.ts';
import { createLocalIssuer, type LocalIssuer, type MintOptions } from '../issuer/issuer.ts';
import { hostRuntimeDifferences } from '../lambda/node-runtime.ts';
import { RestGateway } from '../rest/gateway.ts';
import type { RestApi } from '../rest/model.ts';
import { apiRequestHandler, placeEndpoints } from '../rest/server.ts';
import { UsagePlans } from '../rest/usage/usage-plans.ts';
import type { LocalService } from '../services/shared/local-service.ts';
import { requestVerifier } from '../services/shared/request-auth.ts';
import { guardHttpPort } from '../shared/http-port.ts';
import { includedFiles } from '../template/load.ts';
import { LocalStack } from '../template/stack.ts';
import { WebSocketGateway, type WsLimits } from '../websocket/gateway.ts';
import { type WebSocketApi, webSocketApisOf, webSocketProblems } from '../websocket/model.ts';
import { webSocketPort } from '../websocket/server.ts';
import type { ApiEndpoint } from './api-endpoint.ts';
import { withoutLambdaAuthorizers } from './disable-authorizer.ts';
import type { EnvVarsOverrides } from './env-vars.ts';
import { type FunctionsRuntime, RuntimeStartError, startFunctionsRuntime } from './functions-runtime.ts';
import { type GivenApiKey, withGivenKeys } from './given-api-keys.ts';
import { refuseBadHost, refuseBadHostUpgrade } from './host-header.ts';
import { localPages } from './local-pages.ts';
import type { LocalRoute, RuntimeInfo } from './local-routes.ts';
import { createRuntimeLog, type LogFormat, useColor } from './log-format.ts';
import { type Observability, startObservability } from './observability.ts';
import { apiKeysOf, cognitoIssuerRewrite, restApisOf, samUsageOf, usagePlansOf, userPoolsOf } from './rest-apis.ts';
import type { RouteEntry } from './route-table.ts';
import { routeTableOf } from './route-table.ts';
import type { AwsServices } from './services.ts';
import { writeStdoutSoon } from './stdout-lines.ts';
import { type TemplateReport, templateReport } from './unsupported.ts';
import { watchSources } from './watch.ts';

/** One API stage's key: a REST API may have several stages, each served. */
const stageKey = (api: { logicalId: string; stage: string }): string => `${api.logicalId}/${api.stage}`;

export interface RuntimeOptions {
  templatePath: string;
  configEnv?: string;
  /** `Key=Value ...`, merged key by key over samconfig.toml's `parameter_overrides`. */
  parameterOverrides?: string;
  /** The samconfig file (default `samconfig.toml` beside the template; `--config-file`). */
  samconfigPath?: string;
  /**
   * Its table the parameter values, region and stack name come from: `deploy` by default (the stack as deployed),
   * `local_start_api` for `start-api` (as `sam local start-api` reads it); `global` under either.
   */
  samconfigCommand?: string;
  /** The stack's region, over samconfig.toml's (`--region`). */
  region?: string;
  /** `--env-vars`: values for the variables the functions declare in `Environment.Variables` (SAM CLI's rule). */
  envVars?: EnvVarsOverrides;
  /** Serve each REST API's stage at the root of its port too, as `sam local start-api` does (`--stage-path off`). */
  restApisAtRoot?: boolean;
  /** Files served at `/` (`--static-dir`), as `sam local start-api` serves its `public` folder. */
  staticDir?: string;
  /** Lambda authorizers are not run (`--disable-authorizer`); the start-up report says how many methods it opened. */
  disableAuthorizer?: boolean;
  /** `--debug-args`, `--debugger-path`: SAM CLI's debugger flags, taken and reported (see README, Debugging). */
  debugArgs?: string;
  debuggerPath?: string;
  /** REST API port; 0 picks a free one. */
  port?: number;
  host?: string;
  /** Rebuild functions when their sources change. */
  watch?: boolean;
  /** Where bundles go (default `.local/build` beside the template). */
  buildDir?: string;
  /** Execution environments per function. */
  maxConcurrency?: number;
  /** An execution environment idle this long ends (default 5 minutes: see DEFAULT_IDLE_TIMEOUT_MS). */
  idleTimeoutMs?: number;
  /** Execution environments alive at once across all functions (see LambdaRuntimeOptions.maxEnvironments). */
  maxEnvironments?: number;
  /** The first function URL's port (the next ones take the ports after it); 0 picks free ones. Default 3020. */
  functionUrlPort?: number;
  /** WebSocket API port (0 picks one). Until the WebSocket API is served, it answers 501. */
  wsPort?: number;
  /** Multiplies queue visibility timeouts and delays and workflow waits and retry intervals (default 1). */
  timeScale?: number;
  /** `--schedules`: `run` fires the template's enabled schedules on their clock; `off` (default) only on request. */
  schedules?: 'off' | 'run';
  /** Keep DynamoDB data here between runs (otherwise in a temporary directory, removed at stop). */
  persistDir?: string;
  /** Values of other stacks' exports for `Fn::ImportValue`; a missing one resolves to `local-import-<name>`. */
  importValues?: Record<string, string>;
  /** `--api-key`: keys made out of band, bound to the template's usage plans (see given-api-keys.ts). */
  apiKeys?: GivenApiKey[];
  /** First of the local AWS endpoints' fixed ports, one per service of services/index.ts; 0 = free ports. */
  servicePorts?: number;
  /** WebSocket idle timeout and maximum connection duration (AWS: 10 min and 2 h). */
  wsLimits?: Partial<WsLimits>;
  /**
   * Where log lines go (one call per line, plain text); stdout by default, in `logFormat`, written in batches
   * (see stdout-lines.ts).
   */
  log?: (line: string) => void;
  /** `text` (default; coloured on a terminal) or `json` (one object per line). */
  logFormat?: LogFormat;
  /** Colour the text log (default: when stdout is a terminal and NO_COLOR is not set). */
  color?: boolean;
  /** The project's own pages beside the runtime's (see LocalRoute). */
  routes?: LocalRoute[];
  /** `--debug-port`: the debugged function's environment waits for a debugger here (see functions-runtime.ts). */
  debugPort?: number;
  /** `--debug-function`: which function; the template's only one when absent. */
  debugFunction?: string;
  /**
   * The local AWS endpoints and the @connections API take any well-formed SigV4 signature, not only the local
   * credentials' (for tools signed with other credentials). AWS_IAM routes still need the local credentials.
   */
  acceptAnySignature?: boolean;
  /** `--strict`: refuse the template for anything CloudFormation refuses it for (see template-problems.ts). */
  strict?: boolean;
}

export interface LocalRuntime {
  stack: LocalStack;
  restUrl: string;
  apis: RestApi[];
  httpApis: HttpApi[];
  usagePlans: UsagePlans;
  issuer: LocalIssuer;
  credentials: LocalCredentials;
  /** The local endpoints and @connections take any well-formed signature, not only the local credentials'. */
  acceptAnySignature: boolean;
  services: LocalService[];
  aws: AwsServices;
  wsUrl: string;
  webSocketApis: WebSocketApi[];
  /** The template's function URLs, each on a port of its own. */
  functionUrls: PlacedFunctionUrl[];
  report: TemplateReport;
  watching: string[];
  /** URLs, API keys, issuer, credentials and service endpoints: what `GET /_local/runtime` answers. */
  info: RuntimeInfo;
  /**
   * Back to the template's initial state without a restart (between tests): queues emptied, tables deleted and
   * created again, SSM parameters as the template gives them, executions, queued asynchronous invocations, response
   * and authorizer caches, usage counters and WebSocket connections gone, every function's next invocation a cold
   * start. Ports, URLs, keys and credentials stay.
   */
  reset(): Promise<void>;
  /** A token from the local issuer (the JWKS the template's authorizers are pointed at). */
  token(options: MintOptions): Promise<string>;
  /** Ends everything: servers, functions' workers, pollers, timers, watchers. */
  stop(): Promise<void>;
  /** Same as stop(). */
  close(): Promise<void>;
}

/** `GET /_local/runtime`: what the banner shows, as JSON, for scripts and tests. */
const runtimeInfo = (parts: {
  origin: string;
  region: string;
  apis: PlacedApi[];
  usagePlans: UsagePlans;
  issuer: LocalIssuer;
  credentials: LocalCredentials;
  services: LocalService[];
  wsUrl: string;
  webSocketApis: WebSocketApi[];
  functionUrls: PlacedFunctionUrl[];
  routes: RouteEntry[];
}): RuntimeInfo => ({
  restUrl: parts.origin,
  region: parts.region,
  apis: parts.apis.map((api) => ({
    logicalId: api.logicalId,
    id: api.id,
    kind: api.kind,
    stage: api.stage,
    url: api.url,
  })),
  apiKeys: parts.usagePlans.keys.map((key) => ({
    logicalId: key.logicalId,
    id: key.id,
    name: key.name,
    value: key.value,
    usagePlan: parts.usagePlans.plans.find((plan) => plan.keyIds.includes(key.id))?.name,
  })),
  issuer: { issuer: parts.issuer.issuer, jwksUri: parts.issuer.jwksUri, clientId: parts.issuer.clientId },
  credentials: parts.credentials,
  services: parts.services.map((service) => ({ name: service.name, url: service.url })),
  wsUrl: parts.wsUrl,
  webSockets: parts.webSocketApis.map((api) => ({
    logicalId: api.logicalId,
    id: api.id,
    stage: api.stage,
    url: `${parts.wsUrl.replace(/^http/, 'ws')}/${api.stage}`,
  })),
  functionUrls: parts.functionUrls.map(({ logicalId, id, authType, url }) => ({ logicalId, id, authType, url })),
  routes: parts.routes,
});

/** Where an API is served: the shared port, or a port of its own (see placeEndpoints). */
export interface PlacedApi {
  logicalId: string;
  id: string;
  kind: 'REST' | 'HTTP';
  stage: string;
  /** `http://127.0.0.1:3000/dev`, or the origin alone for a `$default` stage. */
  url: string;
  /** `http://127.0.0.1:PORT`: what the API's execute-api origin is rewritten to for the functions. */
  origin: string;
}

/** A function URL and the local origin serving it. */
export interface PlacedFunctionUrl extends FunctionUrl {
  /** `http://127.0.0.1:PORT/`: what `!GetAtt <Url>.FunctionUrl` is rewritten to. */
  url: string;
  origin: string;
}

export { RuntimeStartError };

const listen = (server: Server, port: number, host: string, flag = '--port'): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new RuntimeStartError(
              `port ${port} on ${host} is in use: stop what holds it or pass ${flag} <free port> (0 picks one)`,
            )
          : error,
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolvePort((server.address() as AddressInfo).port);
    });
  });

const close = (server: Server): Promise<void> =>
  new Promise((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });

/** The REST and HTTP APIs of a stack and their usage plans: what a template reload replaces. */
const apiModelsOf = (stack: LocalStack, disableAuthorizer = false, apiKeys: GivenApiKey[] = []) => {
  const restApis = restApisOf(stack);
  const samUsage = samUsageOf(stack, restApis.samUsagePlans);
  const usage = withGivenKeys(
    apiKeys,
    stack.pseudo.stackName,
    [...apiKeysOf(stack), ...samUsage.keys],
    [...usagePlansOf(stack), ...samUsage.plans],
  );
  const served = disableAuthorizer
    ? withoutLambdaAuthorizers(restApis.apis, httpApisOf(stack))
    : { apis: restApis.apis, httpApis: httpApisOf(stack), note: [] };
  return {
    apis: served.apis,
    httpApis: served.httpApis,
    usagePlans: new UsagePlans(usage.keys, usage.plans),
    problems: [...restApis.problems, ...httpApiReport(served.httpApis), ...served.note, ...usage.problems],
  };
};

const placeKey = (apis: Pick<PlacedApi, 'logicalId' | 'stage'>[]) => apis.map(stageKey).join(',');

/**
 * Starts the whole local stack: reads the template (a bad one fails here, with its problem named), opens the REST
 * port, starts the issuer and the local services, bundles the functions, and serves.
 */
export const startLocalRuntime = async (options: RuntimeOptions): Promise<LocalRuntime> => {
  const write = options.log;
  const runtimeLog = write
    ? createRuntimeLog({ format: 'text', color: false, write: (text) => write(text.replace(/\n$/, '')) })
    : createRuntimeLog({
        format: options.logFormat ?? 'text',
        color: options.color ?? useColor(),
        write: writeStdoutSoon,
      });
  const log = runtimeLog.line;
  const host = options.host ?? '127.0.0.1';
  // The template read as one stack, at start and again on each template reload.
  const readStack = () =>
    new LocalStack({
      templatePath: options.templatePath,
      configEnv: options.configEnv,
      parameterOverrides: options.parameterOverrides,
      ...(options.samconfigPath ? { samconfigPath: options.samconfigPath } : {}),
      ...(options.samconfigCommand ? { samconfigCommand: options.samconfigCommand } : {}),
      ...(options.region ? { region: options.region } : {}),
      ...(options.importValues ? { importValues: options.importValues } : {}),
      strict: options.strict ?? false,
    });
  const stack = readStack();
  const report = templateReport(stack);
  const webSocketApis = webSocketApisOf(stack);
  let models = apiModelsOf(stack, options.disableAuthorizer, options.apiKeys);
  report.unsupported.push(...models.problems);
  const { apis, httpApis } = models;

  let handler: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => {
    response.writeHead(503, { 'Content-Type': 'application/json' }).end('{"message":"The local runtime is starting"}');
  };
  const server = guardHttpPort(
    createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
      if (!refuseBadHost(request, response)) handler(request, response);
    }),
  );
  const port = await listen(server, options.port ?? 3000, host);
  const origin = `http://${host}:${port}`;
  // The WebSocket API's port is taken now, so the functions' callback URL (WS_CALLBACK_URL) can name it.
  let wsHandlers: ReturnType<typeof webSocketPort> = {
    request: (_request, response) => {
      response
        .writeHead(503, { 'Content-Type': 'application/json' })
        .end('{"message":"The local runtime is starting"}');
    },
    upgrade: (_request, socket) => {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
    },
  };
  const wsServer = guardHttpPort(
    createServer((request, response) => {
      if (!refuseBadHost(request, response)) wsHandlers.request(request, response);
    }),
  );
  wsServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // node:http leaves an upgraded socket with no 'error' listener: a client that resets the connection while it is
    // answered (a refusal, or its $connect route running) would otherwise be an uncaught error, the runtime's end.
    socket.on('error', () => socket.destroy());
    if (!refuseBadHostUpgrade(request, socket)) wsHandlers.upgrade(request, socket, head);
  });
  let wsGateways: WebSocketGateway[] = [];
  const wsPort = await listen(wsServer, options.wsPort ?? 3001, host).catch(async (error: unknown) => {
    await close(server);
    throw error;
  });
  const wsUrl = `http://${host}:${wsPort}`;
  // Every API's place is known before the functions start, so their environment can name its local URL.
  const descriptors: Pick<PlacedApi, 'logicalId' | 'id' | 'kind' | 'stage'>[] = [
    ...apis.map((api) => ({ logicalId: api.logicalId, id: api.id, kind: 'REST' as const, stage: api.stage })),
    ...httpApis.map((api) => ({ logicalId: api.logicalId, id: api.id, kind: 'HTTP' as const, stage: api.stage })),
  ];
  const placement = placeEndpoints(descriptors);
  const ownHandlers = new Map<string, (request: IncomingMessage, response: ServerResponse) => void>();
  const ownServers: Server[] = [];
  const placed: PlacedApi[] = [];
  for (const descriptor of descriptors) {
    let apiOrigin = origin;
    if (placement.own.includes(descriptor)) {
      const own = guardHttpPort(
        createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
          if (!refuseBadHost(request, response)) (ownHandlers.get(stageKey(descriptor)) ?? handler)(request, response);
        }),
      );
      ownServers.push(own);
      apiOrigin = `http://${host}:${await listen(own, 0, host)}`;
    }
    const url = descriptor.stage === '$default' ? apiOrigin : `${apiOrigin}/${descriptor.stage}`;
    placed.push({ ...descriptor, url, origin: apiOrigin });
  }
  // Each function URL on a port of its own (on AWS a host of its own, whose function sees every path).
  const functionUrlModels = functionUrlsOf(stack);
  report.unsupported.push(...functionUrlModels.problems);
  const urlHandlers = new Map<string, (request: IncomingMessage, response: ServerResponse) => void>();
  const urlServers: Server[] = [];
  const functionUrls: PlacedFunctionUrl[] = [];
  const firstUrlPort = options.functionUrlPort ?? 3020;
  try {
    for (const [index, model] of functionUrlModels.urls.entries()) {
      const urlServer = guardHttpPort(
        createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
          if (refuseBadHost(request, response)) return;
          const serve = urlHandlers.get(model.logicalId);
          if (serve) serve(request, response);
          else
            response
              .writeHead(503, { 'Content-Type': 'application/json' })
              .end('{"message":"The local runtime is starting"}');
        }),
      );
      urlServers.push(urlServer);
      const urlPort = firstUrlPort === 0 ? 0 : firstUrlPort + index;
      const urlOrigin = `http://${host}:${await listen(urlServer, urlPort, host, '--function-url-port')}`;
      functionUrls.push({ ...model, url: `${urlOrigin}/`, origin: urlOrigin });
    }
  } catch (error) {
    await Promise.all([close(server), close(wsServer), ...ownServers.map(close), ...urlServers.map(close)]);
    throw error;
  }
  const services: LocalService[] = [];
  let functions: FunctionsRuntime | undefined;
  let stopWatching: (() => void) | undefined;
  let observability: Observability | undefined;
  const shutdown = async () => {
    stopWatching?.();
    await Promise.all(wsGateways.map((gateway) => gateway.close()));
    await Promise.all([
      close(server),
      close(wsServer),
      ...ownServers.map(close),
      ...urlServers.map(close),
      functions?.close(),
    ]);
    await observability?.close();
  };
  try {
    // Traces (a local X-Ray daemon, the API, Lambda and Step Functions segments) and the functions' EMF metrics.
    const seen = await startObservability(host);
    observability = seen;
    const clientId =
      stack.ofType('AWS::Cognito::UserPoolClient').map((client) => stack.ref(client.logicalId))[0] ?? 'local-client';
    // The issuer's key pair is made (WebCrypto, off the main thread) while the services start and the functions are
    // bundled; the template's Cognito URLs are rewritten to its URL, known before it.
    const issuerUrl = `${origin}/_local/issuer`;
    const issuerStarting = createLocalIssuer({ baseUrl: issuerUrl, clientId });
    // Its failure is thrown where it is awaited, below.
    issuerStarting.catch(() => {});
    const cognitoRewrite = cognitoIssuerRewrite(stack, issuerUrl);
    // The execute-api host of each of the template's APIs and the local origin serving it: the template's own
    // `https://${Api}.execute-api.${AWS::Region}.amazonaws.com/...` values are rewritten to the local URLs, and a
    // function's HTTPS request to one (see lambda/local-hosts.ts) goes there, as does one to the local host:port
    // itself (`https://${requestContext.domainName}/...`).
    const apiHosts: [string, string][] = [
      ...placed.map((api): [string, string] => [`${api.id}.execute-api.${stack.region}.amazonaws.com`, api.origin]),
      ...webSocketApis.map((api): [string, string] => [`${api.id}.execute-api.${stack.region}.amazonaws.com`, wsUrl]),
      // `!GetAtt <Fn>Url.FunctionUrl` (`https://<url-id>.lambda-url.<region>.on.aws/`) → `http://127.0.0.1:PORT/`.
      ...functionUrls.map((url): [string, string] => [`${url.id}.lambda-url.${stack.region}.on.aws`, url.origin]),
    ];
    const rewrite = (value: string) =>
      apiHosts.reduce((text, [remote, local]) => text.replaceAll(`https://${remote}`, local), cognitoRewrite(value));
    const localHosts: Record<string, string> = Object.fromEntries([
      ...apiHosts,
      ...[
        ...new Set([origin, wsUrl, ...placed.map((api) => api.origin), ...functionUrls.map((url) => url.origin)]),
      ].map((local) => [new URL(local).host, local]),
    ]);
    functions = await startFunctionsRuntime(stack, {
      host,
      ...(options.servicePorts ? { servicePorts: options.servicePorts } : {}),
      timeScale: options.timeScale ?? 1,
      ...(options.schedules ? { schedules: options.schedules } : {}),
      acceptAnySignature: options.acceptAnySignature ?? false,
      ...(options.envVars ? { envVars: options.envVars } : {}),
      observability: seen,
      ...(options.persistDir ? { persistDir: options.persistDir } : {}),
      log,
      functionOutput: runtimeLog.functionLine,
      maxConcurrency: options.maxConcurrency ?? 10,
      ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
      ...(options.maxEnvironments === undefined ? {} : { maxEnvironments: options.maxEnvironments }),
      ...(options.buildDir ? { buildDir: options.buildDir } : {}),
      rewrite,
      localHosts,
      ...(options.debugPort === undefined
        ? {}
        : {
            debug: { port: options.debugPort, ...(options.debugFunction ? { functionId: options.debugFunction } : {}) },
          }),
    });
    const started = functions;
    const issuer = await issuerStarting;
    const { aws, credentials, buildDir, auth: serviceAuth } = started;
    services.push(...aws.all);
    let runtime = started.lambda;
    report.unsupported.push(...started.problems);
    report.hostRuntime.push(...hostRuntimeDifferences(runtime.functions.filter((config) => !config.problem)));
    report.unsupported.push(...webSocketProblems(webSocketApis, (arn) => runtime.find(arn) !== undefined));
    const pools = userPoolsOf(stack, issuer);
    const cognito = new CognitoAuthorizer(pools, issuer);
    const foreignPools = new Set(
      models.apis.flatMap((api) =>
        api.operations.flatMap((operation) =>
          operation.authorizer?.type === 'cognito_user_pools'
            ? operation.authorizer.providerArns.filter((arn) => !pools.some((pool) => pool.arn === arn))
            : [],
        ),
      ),
    );
    for (const arn of foreignPools) {
      report.unsupported.push(
        `user pool ${arn} is not in the template: the local issuer stands in for it (any app client id accepted)`,
      );
    }
    const iam = new IamAuthorizer([credentials], stack.region);
    const invoker: LambdaInvoker = {
      // Lambda's request id is its own (a fresh one per invocation), not API Gateway's.
      invoke: (target, event) => runtime.invoke(target, event),
      timeoutOf: (target) => runtime.find(target)?.config.timeoutSeconds ?? 3,
    };
    for (const url of functionUrls) {
      if (!runtime.find(url.functionArn)) {
        report.unsupported.push(
          `function URL ${url.logicalId}: its function ${url.functionArn} is not run locally: the URL answers 502`,
        );
      }
      const gateway = new FunctionUrlGateway({
        url,
        region: stack.region,
        accountId: stack.accountId,
        lambda: invoker,
        credentials: [credentials],
      });
      const serve = apiRequestHandler({ endpoints: [gateway], log: runtimeLog.request, listenHost: host });
      urlHandlers.set(url.logicalId, (request, response) => void serve(request, response));
    }
    const jwt = new JwtVerifier(issuer);
    // An HTTP integration to one of the template's own APIs (`https://${Other}.execute-api...`) calls the local one.
    const localBackends = (api: RestApi): RestApi => ({
      ...api,
      operations: api.operations.map((operation) =>
        operation.integration.type === 'http' || operation.integration.type === 'http_proxy'
          ? { ...operation, integration: { ...operation.integration, uri: rewrite(operation.integration.uri) } }
          : operation,
      ),
    });
    const endpointsOf = (current: ReturnType<typeof apiModelsOf>, target: LocalStack): ApiEndpoint[] => [
      ...current.apis.map(
        (api) =>
          new RestGateway({
            api: localBackends(api),
            region: target.region,
            accountId: target.accountId,
            domainName: `${host}:${port}`,
            lambda: invoker,
            usagePlans: current.usagePlans,
            cognito,
            iam,
            awsServices: (service) => aws?.endpointOf(service),
          }),
      ),
      ...current.httpApis.map(
        (api) =>
          new HttpGateway({
            api,
            region: target.region,
            accountId: target.accountId,
            domainName: `${host}:${port}`,
            lambda: invoker,
            jwt,
            iam,
            awsServices: (service) => aws?.endpointOf(service),
          }),
      ),
    ];
    wsGateways = webSocketApis.map(
      (api) =>
        new WebSocketGateway({
          api,
          region: stack.region,
          accountId: stack.accountId,
          domainName: `${host}:${wsPort}`,
          invoke: (target, event) => runtime.invoke(target, event),
          awsServices: (service) => aws?.endpointOf(service),
          log,
          ...(options.wsLimits ? { limits: options.wsLimits } : {}),
        }),
    );
    wsHandlers = webSocketPort(wsGateways, requestVerifier(serviceAuth, 'execute-api'));
    const logRequest = runtimeLog.request;
    const infoOf = () =>
      runtimeInfo({
        origin,
        region: stack.region,
        apis: placed,
        usagePlans: models.usagePlans,
        issuer,
        credentials,
        services,
        wsUrl,
        webSocketApis,
        functionUrls,
        routes: routeTableOf(routeStack, { rest: models.apis, http: models.httpApis, webSocket: webSocketApis }),
      });
    let routeStack = stack;
    let info = infoOf();
    const pages = localPages(aws.pages);
    let endpoints = endpointsOf(models, stack);
    const local = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
      for (const extra of options.routes ?? []) if (await extra(req, res, info)) return true;
      if (req.url?.startsWith('/_local/issuer')) return issuer.handle(req, res);
      if (req.url === '/_local/runtime') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(info));
        return true;
      }
      return seen.pages(req, res) || pages(req, res);
    };
    const index = () => ({
      apis: info.apis,
      webSockets: info.webSockets,
      pages: [
        { path: `${origin}/_local/runtime`, what: 'URLs, API keys, credentials, endpoints and every route as JSON' },
        ...aws.pages.map((page) => ({ path: `${origin}${page.path}`, what: page.what })),
        { path: `${origin}/_local/traces`, what: 'traces of the REST API requests, as waterfalls' },
        { path: `${origin}/_local/metrics`, what: "the functions' embedded-format metrics" },
        { path: `${origin}/_local/issuer/.well-known/openid-configuration`, what: 'the local token issuer' },
      ],
    });
    /** Points the ports at `endpoints`: the shared one at the APIs placed there, each own port at its API. */
    const route = () => {
      // X-Ray traces a REST stage whose TracingEnabled is on, and no other.
      const traced = new Set(models.apis.filter((api) => api.tracingEnabled).map(stageKey));
      // By API and stage: a REST API may have several stages (a Stage resource and a Deployment's StageName).
      const byStage = new Map(
        endpoints.map((endpoint) => [
          stageKey(endpoint),
          traced.has(stageKey(endpoint)) ? seen.traced(endpoint) : endpoint,
        ]),
      );
      const onSharedPort = placement.shared.flatMap((api) => byStage.get(stageKey(api)) ?? []);
      const all = [...byStage.values()];
      const serving = {
        all,
        local,
        log: logRequest,
        listenHost: host,
        ...(options.restApisAtRoot ? { restApisAtRoot: true } : {}),
        ...(options.staticDir ? { staticDir: options.staticDir } : {}),
      };
      const serve = apiRequestHandler({ ...serving, endpoints: onSharedPort, index });
      handler = (request, response) => void serve(request, response);
      for (const api of placement.own) {
        const endpoint = byStage.get(stageKey(api));
        if (!endpoint) continue;
        const own = apiRequestHandler({ ...serving, endpoints: [endpoint] });
        ownHandlers.set(stageKey(api), (request, response) => void own(request, response));
      }
    };
    route();

    /**
     * A template or OpenAPI change, applied without a restart: the stack is read again, the functions rebuilt (the
     * cache skips unchanged ones) and run with their new configuration, and the REST and HTTP APIs replaced. The
     * ports, the local services and their data stay; what needs a restart (new ports, queues, tables, WebSocket
     * routes) is said.
     */
    const reloadTemplate = async (): Promise<{ what: string; built: BuiltFunction[] }> => {
      const next = readStack();
      next.carryOver(routeStack);
      const nextModels = apiModelsOf(next, options.disableAuthorizer, options.apiKeys);
      const nextPlaced = [...nextModels.apis, ...nextModels.httpApis].map((api) => ({
        logicalId: api.logicalId,
        stage: api.stage,
      }));
      const notes: string[] = [];
      // Against the stack the services started with: what they run until a restart, however many reloads since.
      notes.push(...aws.reload(stack, next));
      if (JSON.stringify(functionUrlsOf(next).urls) !== JSON.stringify(functionUrlModels.urls))
        notes.push('function URLs were added, removed or changed: restart to serve them as the template says');
      if (placeKey(nextPlaced) !== placeKey(placed))
        notes.push('APIs or stages were added or removed: restart to serve them');
      const nextBuilt = await started.bundle(next.templatePath, { outDir: buildDir });
      nextBuilt.sort((a, b) => a.logicalId.localeCompare(b.logicalId));
      const nextRuntime = started.replace(next, Object.fromEntries(nextBuilt.map((fn) => [fn.logicalId, fn.outfile])));
      runtime = nextRuntime;
      models = nextModels;
      routeStack = next;
      endpoints = endpointsOf(nextModels, next);
      route();
      info = infoOf();
      if (
        JSON.stringify(webSocketApisOf(next).map((api) => [...api.routes.keys()])) !==
        JSON.stringify(webSocketApis.map((api) => [...api.routes.keys()]))
      ) {
        notes.push('WebSocket routes changed: restart to apply them');
      }
      const what = [
        `reloaded ${endpoints.length} APIs and ${nextRuntime.functions.length} functions`,
        ...nextModels.problems.map((problem) => `not run: ${problem}`),
        ...notes,
      ].join('; ');
      return { what, built: nextBuilt };
    };

    let watching: string[] = [];
    if (options.watch) {
      // Bundles are built on first invocations: each one's sources are watched from then on.
      let built = started.bundles?.built ?? [];
      const watcher = watchSources(stack.templatePath, {
        built: () => built,
        entries: started.bundles?.entries ?? [],
        rebuild: async (logicalIds) => {
          const rebuilt = await started.bundle(stack.templatePath, {
            outDir: buildDir,
            only: logicalIds,
            cache: false,
          });
          built = [...built.filter((fn) => !logicalIds.includes(fn.logicalId)), ...rebuilt];
          started.bundles?.rebuilt(rebuilt);
          runtime.reload(Object.fromEntries(rebuilt.map((fn) => [fn.logicalId, fn.outfile])));
          for (const gateway of endpoints) if (gateway instanceof RestGateway) gateway.clearAuthorizerCache();
        },
        reloadTemplate: async () => {
          const reloaded = await reloadTemplate();
          built = reloaded.built;
          return reloaded.what;
        },
        templateFiles: includedFiles(stack.templatePath),
        inPlaceDirectories: runtime.functions
          .filter((config) => config.inPlace)
          .map((config) => ({ logicalId: config.logicalId, directory: dirname(config.bundle) })),
        restartInPlace: (logicalIds) =>
          runtime.reload(
            Object.fromEntries(
              runtime.functions
                .filter((config) => logicalIds.includes(config.logicalId))
                .map((config) => [config.logicalId, config.bundle]),
            ),
          ),
        log,
      });
      if (started.bundles) {
        started.bundles.onBuilt = (fn) => {
          built = [...built.filter((other) => other.logicalId !== fn.logicalId), fn];
          watcher.watchSourcesOf([fn]);
        };
      }
      stopWatching = () => void watcher.close();
      watching = watcher.directories;
    }
    for (const name of stack.missingImports) {
      report.unsupported.push(
        `Fn::ImportValue ${name}: another stack's export, not given (--import-values ${name}=<value>); "local-import-${name}" stands in`,
      );
    }
    for (const standIn of stack.standIns) {
      const [logicalId, attribute] = standIn.split('.');
      report.unsupported.push(
        `Fn::GetAtt ${standIn}: not known locally (${stack.resources.get(logicalId ?? '')?.type ?? 'a generated resource'}); "local-${logicalId}-${attribute}" stands in`,
      );
    }
    // After the banner (written as soon as this resolves): a failed init is named in a line of its own.
    started.checkInits();
    return {
      stack,
      restUrl: origin,
      get apis() {
        return models.apis;
      },
      get httpApis() {
        return models.httpApis;
      },
      get usagePlans() {
        return models.usagePlans;
      },
      issuer,
      credentials,
      acceptAnySignature: serviceAuth.acceptAnySignature,
      services,
      aws,
      wsUrl,
      webSocketApis,
      functionUrls,
      report,
      watching,
      get info() {
        return info;
      },
      token: (mintOptions) => issuer.mint(mintOptions),
      reset: async () => {
        await Promise.all(wsGateways.map((gateway) => gateway.disconnectAll()));
        await started.reset();
        for (const endpoint of endpoints) {
          if (endpoint instanceof RestGateway) endpoint.cache.clear();
          if (endpoint instanceof RestGateway || endpoint instanceof HttpGateway) endpoint.clearAuthorizerCache();
        }
        models.usagePlans.reset();
      },
      stop: shutdown,
      close: shutdown,
    };
  } catch (error) {
    await shutdown();
    throw error;
  }
};
