import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { buildFunctions } from '../build/build.ts';
import { createLocalIssuer, type LocalIssuer } from '../issuer/issuer.ts';
import { LambdaRuntime } from '../lambda/lambda-runtime.ts';
import { CognitoAuthorizer } from '../rest/auth/cognito-authorizer.ts';
import { IamAuthorizer } from '../rest/auth/iam-authorizer.ts';
import type { LocalCredentials } from '../rest/auth/sigv4.ts';
import { RestGateway } from '../rest/gateway.ts';
import type { RestApi } from '../rest/model.ts';
import { type RequestLogEntry, restRequestHandler } from '../rest/server.ts';
import { UsagePlans } from '../rest/usage/usage-plans.ts';
import { type LocalService, startSsmService } from '../services/ssm/server.ts';
import { LocalStack } from '../template/stack.ts';
import { localCredentials } from './credentials.ts';
import { functionConfigs } from './functions.ts';
import { apiKeysOf, cognitoIssuerRewrite, restApisOf, usagePlansOf, userPoolsOf } from './rest-apis.ts';
import { type TemplateReport, templateReport } from './unsupported.ts';
import { watchSources } from './watch.ts';

export interface RuntimeOptions {
  templatePath: string;
  configEnv?: string;
  parameterOverrides?: string;
  /** REST API port; 0 picks a free one. */
  port?: number;
  host?: string;
  /** Rebuild functions when their sources change. */
  watch?: boolean;
  /** Where bundles go (default `.local/build` beside the template). */
  buildDir?: string;
  /** Execution environments per function. */
  maxConcurrency?: number;
  log?: (line: string) => void;
}

export interface LocalRuntime {
  stack: LocalStack;
  restUrl: string;
  apis: RestApi[];
  usagePlans: UsagePlans;
  issuer: LocalIssuer;
  credentials: LocalCredentials;
  services: LocalService[];
  report: TemplateReport;
  watching: string[];
  close(): Promise<void>;
}

/** `GET /_local/runtime`: what the banner shows, as JSON, for scripts and tests. */
const runtimeInfo = (parts: {
  origin: string;
  apis: RestApi[];
  usagePlans: UsagePlans;
  issuer: LocalIssuer;
  credentials: LocalCredentials;
  services: LocalService[];
}) => ({
  restUrl: parts.origin,
  apis: parts.apis.map((api) => ({
    logicalId: api.logicalId,
    id: api.id,
    stage: api.stage,
    url: `${parts.origin}/${api.stage}`,
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
});

export class RuntimeStartError extends Error {
  override readonly name = 'RuntimeStartError';
}

const listen = (server: Server, port: number, host: string): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new RuntimeStartError(
              `port ${port} on ${host} is in use: stop what holds it or pass --port <free port> (0 picks one)`,
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

/**
 * Starts the whole local stack: reads the template (a bad one fails here, with its problem named), opens the REST
 * port, starts the issuer and the local services, bundles the functions, and serves.
 */
export const startLocalRuntime = async (options: RuntimeOptions): Promise<LocalRuntime> => {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const host = options.host ?? '127.0.0.1';
  const stack = new LocalStack({
    templatePath: options.templatePath,
    configEnv: options.configEnv,
    parameterOverrides: options.parameterOverrides,
  });
  const report = templateReport(stack);
  const apis = restApisOf(stack);
  const usagePlans = new UsagePlans(apiKeysOf(stack), usagePlansOf(stack));

  let handler: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => {
    response.writeHead(503, { 'Content-Type': 'application/json' }).end('{"message":"The local runtime is starting"}');
  };
  const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) => handler(request, response));
  const port = await listen(server, options.port ?? 3000, host);
  const origin = `http://${host}:${port}`;
  const services: LocalService[] = [];
  let lambda: LambdaRuntime | undefined;
  let stopWatching: (() => void) | undefined;
  const shutdown = async () => {
    stopWatching?.();
    await Promise.all([close(server), ...services.map((service) => service.close()), lambda?.close()]);
  };
  try {
    const clientId =
      stack.ofType('AWS::Cognito::UserPoolClient').map((client) => stack.ref(client.logicalId))[0] ?? 'local-client';
    const issuer = await createLocalIssuer({ baseUrl: `${origin}/_local/issuer`, clientId });
    const rewrite = cognitoIssuerRewrite(stack, issuer.issuer);
    const credentials = localCredentials(stack);
    const ssm = await startSsmService({
      parameters: stack.ofType('AWS::SSM::Parameter').map((parameter) => {
        const properties = stack.properties(parameter.logicalId);
        return {
          name: stack.ref(parameter.logicalId),
          value: rewrite(String(properties.Value ?? '')),
          type: String(properties.Type ?? 'String') as 'String' | 'StringList' | 'SecureString',
        };
      }),
      region: stack.region,
      accountId: stack.accountId,
      host,
    });
    services.push(ssm);

    const buildDir = resolve(options.buildDir ?? join(stack.templatePath, '..', '.local', 'build'));
    const built = await buildFunctions(stack.templatePath, { outDir: buildDir });
    const bundles = Object.fromEntries(built.map((fn) => [fn.logicalId, fn.outfile]));
    const shared = {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_SSM: ssm.url,
    };
    const runtime = new LambdaRuntime(
      functionConfigs(stack, bundles, { shared, rewrite }),
      options.maxConcurrency ?? 10,
    );
    lambda = runtime;
    const cognito = new CognitoAuthorizer(userPoolsOf(stack, issuer));
    const iam = new IamAuthorizer([credentials], stack.region);
    const gateways = apis.map(
      (api) =>
        new RestGateway({
          api,
          region: stack.region,
          accountId: stack.accountId,
          domainName: `${host}:${port}`,
          lambda: {
            invoke: (target, event, requestId) => runtime.invoke(target, event, requestId),
            timeoutOf: (target) => runtime.find(target)?.config.timeoutSeconds ?? 3,
          },
          usagePlans,
          cognito,
          iam,
        }),
    );
    const logRequest = (entry: RequestLogEntry) =>
      log(`${entry.method} ${entry.url} ${entry.status} ${entry.latencyMs.toFixed(1)} ms ${entry.integration}`);
    const info = runtimeInfo({ origin, apis, usagePlans, issuer, credentials, services });
    const serve = restRequestHandler({
      gateways,
      local: async (req, res) => {
        if (req.url?.startsWith('/_local/issuer')) return issuer.handle(req, res);
        if (req.url === '/_local/runtime') {
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(info));
          return true;
        }
        return false;
      },
      log: logRequest,
    });
    handler = (request, response) => void serve(request, response);

    let watching: string[] = [];
    if (options.watch) {
      const watcher = watchSources(built, stack.templatePath, {
        rebuild: async () => {
          const rebuilt = await buildFunctions(stack.templatePath, { outDir: buildDir });
          runtime.reload(Object.fromEntries(rebuilt.map((fn) => [fn.logicalId, fn.outfile])));
          return rebuilt.length;
        },
        log,
      });
      stopWatching = watcher.close;
      watching = watcher.directories;
    }
    return {
      stack,
      restUrl: origin,
      apis,
      usagePlans,
      issuer,
      credentials,
      services,
      report,
      watching,
      close: shutdown,
    };
  } catch (error) {
    await shutdown();
    throw error;
  }
};
