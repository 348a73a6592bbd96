import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, startRuntimeChild } from './child.ts';
import { lambdaEnvironment } from './lambda-environment.ts';
import { measure, printTable, type Row } from './load.ts';

/**
 * `npm run bench:offline`: the local runtime beside serverless-offline, the tool most projects use to run API Gateway
 * and Lambda locally, in one run with the same load (bench/load.ts): the same catalogue bundle behind a Lambda proxy
 * route, and behind the project's token authorizer, with bench:gateway's thread ceiling on the plain route as the
 * bound of the ratio. Both run the handlers in worker threads on the host's Node.js.
 * serverless-offline 13.10.1 needs the Serverless Framework v3 (3.40.0, the last: v4 asks for a login); the two are
 * installed at bench time into a folder of the OS temp folder (kept for the next run), not into the repository: they
 * weigh hundreds of megabytes and nothing else uses them. The runtime's local SSM and issuer serve both authorizers.
 *
 * Both run the same handlers in the same Lambda environment. serverless-offline defines part of what Lambda does
 * (LAMBDA_TASK_ROOT, _HANDLER, AWS_LAMBDA_FUNCTION_NAME...) but not AWS_EXECUTION_ENV, which turns the handlers'
 * Powertools Tracer on, nor a `_X_AMZN_TRACE_ID` per invocation, which the X-Ray SDK reads in Lambda mode: without
 * them its handlers skip the tracing the runtime's (and Lambda's) do. The service's `provider.environment` adds the
 * variables (as bench/lambda-environment.ts gives the ceilings of bench:gateway), and each function's handler is a
 * two-line wrapper that sets a fresh unsampled trace header, as the runtime does per invocation, then calls the
 * bundle's own handler.
 */
const OFFLINE = '13.10.1';
/**
 * The loads each route gets (BENCH_OFFLINE_CONNECTIONS, comma-separated): serverless-offline starts a worker thread
 * per request in flight, so it peaks at fewer connections than the runtime, whose environments are capped.
 */
const connectionCounts = (process.env.BENCH_OFFLINE_CONNECTIONS ?? '8,32').split(',').map(Number);
const SERVERLESS = '3.40.0';

const installDir = join(tmpdir(), `sam-local-runtime-bench-offline-${OFFLINE}-${SERVERLESS}`);
const installedVersion = (name: string): string | undefined => {
  const file = join(installDir, 'node_modules', name, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : undefined;
};
if (installedVersion('serverless-offline') !== OFFLINE || installedVersion('serverless') !== SERVERLESS) {
  console.log(`installing serverless@${SERVERLESS} and serverless-offline@${OFFLINE} into ${installDir} ...`);
  mkdirSync(installDir, { recursive: true });
  writeFileSync(join(installDir, 'package.json'), '{"private":true}\n');
  const npm = spawnSync(
    'npm',
    ['install', '--no-audit', '--no-fund', `serverless@${SERVERLESS}`, `serverless-offline@${OFFLINE}`],
    { cwd: installDir, stdio: 'inherit' },
  );
  if (npm.status !== 0) throw new Error(`npm install failed (${npm.status})`);
}

/** What Lambda defines and serverless-offline does not (it sets the function's name, handler and task root itself). */
const OFFLINE_OWN = new Set([
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  '_HANDLER',
  'LAMBDA_TASK_ROOT',
]);
const providerEnvironment = Object.entries(lambdaEnvironment)
  .filter(([name]) => !OFFLINE_OWN.has(name))
  .map(([name, value]) => `    ${name}: ${JSON.stringify(value)}`)
  .join('\n');

/**
 * The per-invocation trace header of bench/lambda-environment.ts's unsampledTraceHeader, which the runtime gives every
 * invocation, around the bundle's handler.
 */
const tracedHandler = `import { randomBytes } from 'node:crypto';
import { handler as bundled } from './handler.mjs';
export const handler = (event, context) => {
  const random = randomBytes(20).toString('hex');
  const time = Math.floor(Date.now() / 1000).toString(16);
  process.env._X_AMZN_TRACE_ID = \`Root=1-\${time}-\${random.slice(0, 24)};Parent=\${random.slice(24)};Sampled=0\`;
  return bundled(event, context);
};
`;

const serverlessYml = `service: bench-offline
frameworkVersion: '3'
configValidationMode: off
plugins:
  - serverless-offline
provider:
  name: aws
  runtime: nodejs20.x
  region: us-east-1
  stage: bench
  memorySize: 256
  environment:
${providerEnvironment}
functions:
  catalog:
    handler: CatalogFunction/traced.handler
    events:
      - http: { method: get, path: v1/catalog }
      - http:
          method: get
          path: v1/legacy/catalog
          authorizer:
            name: authorizer
            type: token
            identitySource: method.request.header.Authorization
            resultTtlInSeconds: 300
  authorizer:
    handler: AuthorizerFunction/traced.handler
    environment:
      AUTH_CONFIG_PARAMETER: /orders-api/bench/auth
      AUTH_CONFIG_MAX_AGE_SECONDS: '300'
`;

interface RuntimeInfo {
  credentials: { accessKeyId: string; secretAccessKey: string };
  services: { name: string; url: string }[];
}

const buildDir = mkdtempSync(join(tmpdir(), 'bench-offline-build-'));
const serviceDir = mkdtempSync(join(tmpdir(), 'bench-offline-service-'));
const runtimeChild = await startRuntimeChild(
  ['--template', 'bench/gateway/template.yaml'],
  buildDir,
  /REST API \S+\s+(http:\/\/127\.0\.0\.1:\d+\/bench)/,
);
const runtimeUrl = runtimeChild.match[1] ?? '';
// bench:gateway's thread ceiling (node:http and the handler in worker threads, nothing else): what any tool that
// isolates functions in worker threads can reach on this machine, and so the bound of the ratio.
const threadCeiling = await startChild(['bench/gateway/worker-ceiling-server.ts'], /(http:\/\/127\.0\.0\.1:\d+)/);
let offline: Awaited<ReturnType<typeof startChild>> | undefined;
try {
  const origin = new URL(runtimeUrl).origin;
  const info = (await (await fetch(`${origin}/_local/runtime`)).json()) as RuntimeInfo;
  const tokenResponse = await fetch(`${origin}/_local/issuer/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sub: 'bench', scope: 'orders:read' }),
  });
  const { token } = (await tokenResponse.json()) as { token: string };
  // The runtime's bundles, the same code on both sides. They are built on a function's first invocation: one request
  // through the authorizer builds both.
  const built = await fetch(`${runtimeUrl}/v1/legacy/catalog?category=books`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!built.ok) throw new Error(`the runtime answered ${built.status}: ${await built.text()}`);
  for (const id of ['CatalogFunction', 'AuthorizerFunction']) {
    cpSync(join(buildDir, id), join(serviceDir, id), { recursive: true });
    writeFileSync(join(serviceDir, id, 'traced.mjs'), tracedHandler);
  }
  writeFileSync(join(serviceDir, 'serverless.yml'), serverlessYml);
  const httpPort = 20_000 + Math.floor(Math.random() * 20_000);
  offline = await startChild(
    [
      join(installDir, 'node_modules', 'serverless', 'bin', 'serverless.js'),
      'offline',
      'start',
      '--httpPort',
      String(httpPort),
      '--lambdaPort',
      String(httpPort + 1),
      '--noPrependStageInUrl',
    ],
    // Its route table (stdout); "Server ready" goes to stderr.
    /GET\s+\|\s+http:\/\/localhost:\d+\/v1\/catalog/,
    {
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: info.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: info.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_SSM: info.services.find((service) => service.name === 'ssm')?.url ?? '',
    },
    serviceDir,
  );
  const offlineUrl = `http://127.0.0.1:${httpPort}`;
  for (let attempt = 0; ; attempt++) {
    const ready = await fetch(`${offlineUrl}/v1/catalog`).then(
      (answer) => answer.ok,
      () => false,
    );
    if (ready) break;
    if (attempt > 600) throw new Error('serverless-offline did not answer');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const catalog = '/v1/catalog?category=books';
  const secured = '/v1/legacy/catalog?category=books';
  const authorization = { Authorization: `Bearer ${token}` };
  const runtimePid = runtimeChild.child.pid ?? 0;
  const offlinePid = offline.child.pid ?? 0;
  const routes = [
    { tool: 'serverless-offline', route: 'Lambda proxy', url: `${offlineUrl}${catalog}`, pid: offlinePid },
    { tool: 'local runtime', route: 'Lambda proxy', url: `${runtimeUrl}${catalog}`, pid: runtimePid },
    {
      tool: 'thread ceiling',
      route: 'node:http + handler in worker threads',
      url: `${threadCeiling.match[1]}${catalog}`,
      pid: threadCeiling.child.pid ?? 0,
    },
    {
      tool: 'serverless-offline',
      route: '+ token authorizer (never cached)',
      url: `${offlineUrl}${secured}`,
      headers: authorization,
      pid: offlinePid,
    },
    {
      tool: 'local runtime',
      route: '+ token authorizer (cached)',
      url: `${runtimeUrl}${secured}`,
      headers: authorization,
      pid: runtimePid,
    },
  ];
  // Each server at its own ceiling: every route is loaded at each count, and each side is compared at its best.
  const targets = connectionCounts.flatMap((count) =>
    routes.map((route) => ({ ...route, name: `${route.tool}: ${route.route}, ${count} conn.`, connections: count })),
  );
  const rows = await measure(targets);
  const best = (tool: string, route: string): Row & { connections: number } => {
    const own = rows
      .map((row, i) => ({ ...row, connections: targets[i]?.connections ?? 0, target: targets[i] }))
      .filter((row) => row.target?.tool === tool && row.target.route === route);
    return own.reduce((a, b) => (b.rps > a.rps ? b : a));
  };
  const offlinePlain = best('serverless-offline', 'Lambda proxy');
  const plain = best('local runtime', 'Lambda proxy');
  const ceiling = best('thread ceiling', 'node:http + handler in worker threads');
  const offlineSecured = best('serverless-offline', '+ token authorizer (never cached)');
  const securedRow = best('local runtime', '+ token authorizer (cached)');
  printTable(rows, [['vs offline, plain (best)', offlinePlain]], `${connectionCounts.join(' and ')} connections`);
  const at = (row: { rps: number; connections: number }) => `${row.rps.toFixed(0)} req/s at ${row.connections}`;
  console.log(
    [
      '',
      `Each at its best connection count: Lambda proxy ${at(plain)} vs ${at(offlinePlain)}; token authorizer ${at(securedRow)} vs ${at(offlineSecured)}.`,
      `The thread ceiling makes ${at(ceiling)}: ${(ceiling.rps / offlinePlain.rps).toFixed(1)}× serverless-offline, the most a runtime isolating functions in worker threads could show on this machine.`,
      `local runtime ÷ serverless-offline: ${(plain.rps / offlinePlain.rps).toFixed(1)}× on the Lambda proxy route, ${(securedRow.rps / offlineSecured.rps).toFixed(1)}× behind the token authorizer`,
      `(server CPU per request: ${(offlinePlain.cpuUs / plain.cpuUs).toFixed(1)}× and ${(offlineSecured.cpuUs / securedRow.cpuUs).toFixed(1)}× less).`,
      'serverless-offline runs the authorizer on every request: it does not cache results (resultTtlInSeconds), which',
      'API Gateway and the runtime do.',
      'Both run the same bundles in the same Lambda environment: serverless-offline does not define AWS_EXECUTION_ENV',
      "nor a per-invocation _X_AMZN_TRACE_ID, which turn the handlers' Powertools Tracer on; the bench adds them",
      "(provider.environment, and a wrapper setting a fresh unsampled trace header before the bundle's handler), so its",
      "handlers do the runtime's work per request, not less.",
    ].join('\n'),
  );
} finally {
  offline?.child.kill('SIGTERM');
  threadCeiling.child.kill('SIGTERM');
  runtimeChild.child.kill('SIGTERM');
  rmSync(buildDir, { recursive: true, force: true });
  rmSync(serviceDir, { recursive: true, force: true });
}
