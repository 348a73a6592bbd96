import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, startRuntimeChild } from './child.ts';
import { measure, printTable, type Row } from './load.ts';

/**
 * `npm run bench:offline`: the local runtime beside serverless-offline, the tool most projects use to run API Gateway
 * and Lambda locally, in one run with the same load (bench/load.ts): the same catalogue bundle behind a Lambda proxy
 * route, and behind the project's token authorizer. Both run the handlers in worker threads on the host's Node.js.
 * serverless-offline 13.10.1 needs the Serverless Framework v3 (3.40.0, the last: v4 asks for a login); the two are
 * installed at bench time into a folder of the OS temp folder (kept for the next run), not into the repository: they
 * weigh hundreds of megabytes and nothing else uses them. The runtime's local SSM and issuer serve both authorizers.
 */
const OFFLINE = '13.10.1';
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
  environment:
    POWERTOOLS_SERVICE_NAME: orders-api
    POWERTOOLS_LOG_LEVEL: WARN
    STAGE: bench
functions:
  catalog:
    handler: CatalogFunction/handler.handler
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
    handler: AuthorizerFunction/handler.handler
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
  // The runtime's bundles, the same code on both sides.
  for (const id of ['CatalogFunction', 'AuthorizerFunction'])
    cpSync(join(buildDir, id), join(serviceDir, id), { recursive: true });
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
  const rows = await measure([
    { name: 'serverless-offline: Lambda proxy', url: `${offlineUrl}${catalog}`, pid: offlinePid },
    { name: 'local runtime: Lambda proxy', url: `${runtimeUrl}${catalog}`, pid: runtimePid },
    {
      name: 'serverless-offline: + token authorizer (never cached)',
      url: `${offlineUrl}${secured}`,
      headers: authorization,
      pid: offlinePid,
    },
    {
      name: 'local runtime: + token authorizer (cached)',
      url: `${runtimeUrl}${secured}`,
      headers: authorization,
      pid: runtimePid,
    },
  ]);
  printTable(rows, [['vs offline, plain', rows[0] as Row]]);
  const [offlinePlain, plain, offlineSecured, securedRow] = rows as [Row, Row, Row, Row];
  console.log(
    [
      '',
      `local runtime ÷ serverless-offline: ${(plain.rps / offlinePlain.rps).toFixed(1)}× on the Lambda proxy route, ${(securedRow.rps / offlineSecured.rps).toFixed(1)}× behind the token authorizer`,
      `(server CPU per request: ${(offlinePlain.cpuUs / plain.cpuUs).toFixed(1)}× and ${(offlineSecured.cpuUs / securedRow.cpuUs).toFixed(1)}× less).`,
      'serverless-offline runs the authorizer on every request: it does not cache results (resultTtlInSeconds), which',
      'API Gateway and the runtime do.',
    ].join('\n'),
  );
} finally {
  offline?.child.kill('SIGTERM');
  runtimeChild.child.kill('SIGTERM');
  rmSync(buildDir, { recursive: true, force: true });
  rmSync(serviceDir, { recursive: true, force: true });
}
