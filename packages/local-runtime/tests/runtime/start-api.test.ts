import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { call, eventually, type RunningRuntime, runtimeForSuite, startRuntime } from '../../src/testing/index.ts';

/**
 * `sam-local-runtime start-api` run from a SAM project's folder as `sam local start-api` is: samconfig.toml's
 * local tables, --env-vars, the stage layout, the missing-route hint, the template lookup. The fixture
 * (tests/fixtures/sam-project) has a REST API (Prod) and an HTTP API ($default, at the root).
 */
const PROJECT = fileURLToPath(new URL('../fixtures/sam-project/', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/sam-local-runtime.js', import.meta.url));

const echo = async (runtime: RunningRuntime, url = `${runtime.base}/hello`) => {
  const answer = await call(url);
  expect(answer.status).toBe(200);
  return answer.json();
};

const generateEvent = (args: string[]): Record<string, unknown> => {
  const result = spawnSync(process.execPath, [BIN, 'generate-event', ...args], { cwd: PROJECT, encoding: 'utf8' });
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
};

/** The keys of an event, all the way down, with each leaf's type; header maps (whatever the client sent) as `map`. */
const shapeOf = (value: unknown, key = ''): unknown => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return [shapeOf(value[0])];
  if (typeof value !== 'object') return typeof value;
  if (/^(headers|multiValueHeaders)$/.test(key)) return 'map';
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, item]) => [name, shapeOf(item, name)]),
  );
};

describe('start-api with samconfig.toml and --env-vars from the project', () => {
  const runtime = runtimeForSuite([], { command: 'start-api', cwd: PROJECT });

  it('reads [default.local_start_api.parameters] over [default.global.parameters], and says what it ignores', async () => {
    const env = await echo(runtime);
    // parameter_overrides of the local table (Stage is then set by env.json's Parameters), region of the global one.
    expect(env.GREETING).toBe('from-local-table');
    expect(env.AWS_REGION).toBe('eu-west-2');
    expect(runtime.output()).toContain(
      "sam-local-runtime start-api: --warm-containers ([default.local_start_api.parameters]): accepted and ignored: every function's execution environments stay warm",
    );
    expect(runtime.output()).toContain('sam-local-runtime start-api: template template.yaml\n');
    expect(runtime.output()).toContain('samconfig env "default" (local_start_api table)');
  });

  it("applies env.json (samconfig's env_vars) as SAM CLI does: the function's table over Parameters, declared variables only", async () => {
    const env = await echo(runtime);
    expect(env).toEqual({
      TABLE_NAME: 'from-function',
      STAGE: 'from-parameters',
      GREETING: 'from-local-table',
      SHARED: 'from-globals',
      FLAG: 'true',
      AWS_REGION: 'eu-west-2',
    });
    expect(runtime.output()).toContain(
      '[env-vars] EchoFunction: EXTRA not set (SAM CLI sets only variables a function declares in Environment.Variables)',
    );
    expect(runtime.output()).toContain('[env-vars] Parameters: NOT_DECLARED not set in any function');
  });

  it("answers a path a REST stage serves with the HTTP API's own 404, and a hint naming the stage", async () => {
    const answer = await call(`${runtime.info.restUrl}/hello?x=1`);
    expect(answer.status).toBe(404);
    expect(answer.json()).toEqual({
      message: 'Not Found',
      hint: expect.stringMatching(/^no route GET \/hello; did you mean \/Prod\/hello\?x=1\? /),
    });
    expect(answer.headers.get('apigw-requestid')).toBeTruthy();
    // A path no API has a route for: the plain answer.
    expect((await call(`${runtime.info.restUrl}/nowhere`)).json()).toEqual({ message: 'Not Found' });
  });

  it('serves public/ (the default --static-dir) at / where no route takes the path', async () => {
    const answer = await call(`${runtime.info.restUrl}/hello.txt`);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('a static file\n');
    expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect((await call(`${runtime.info.restUrl}/..%2f..%2fsamconfig.toml`)).status).toBe(404);
  });

  it('generate-event apigateway aws-proxy has the keys and values of the event the REST API sends', async () => {
    const answer = await call(`${runtime.base}/items/42?foo=bar`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"test":"body"}',
    });
    expect(answer.status).toBe(200);
    const sent = answer.json();
    const generated = generateEvent([
      'apigateway',
      'aws-proxy',
      '--stage',
      'Prod',
      '--resource',
      '/items/{id}',
      '--path',
      'items/42',
    ]);
    expect(shapeOf(generated)).toEqual(shapeOf(sent));
    for (const key of ['resource', 'path', 'httpMethod', 'pathParameters', 'queryStringParameters', 'body']) {
      expect([key, generated[key]]).toEqual([key, sent[key]]);
    }
    expect(generated.isBase64Encoded).toBe(false);
  });

  it('generate-event apigateway http-api-proxy has the keys of the event the HTTP API sends', async () => {
    const answer = await call(`${runtime.info.restUrl}/http`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"test":"body"}',
    });
    const sent = answer.json();
    const generated = generateEvent(['apigateway', 'http-api-proxy', '--path', 'http']);
    expect(shapeOf(generated)).toEqual(shapeOf(sent));
    expect([generated.rawPath, generated.body, generated.isBase64Encoded]).toEqual([sent.rawPath, sent.body, false]);
  });
});

describe('start-api: the command line over samconfig', () => {
  const runtime = runtimeForSuite(
    [
      '--parameter-overrides',
      'Stage=from-cli',
      '--env-vars',
      'env2.json',
      '--region',
      'us-west-2',
      '--stage-path',
      'off',
    ],
    { command: 'start-api', cwd: PROJECT },
  );

  it('takes --env-vars, --region and --parameter-overrides (merged key by key over the local table) from the command line', async () => {
    const env = await echo(runtime);
    expect(env).toEqual({
      TABLE_NAME: 'from-cli-file',
      STAGE: 'from-cli',
      GREETING: 'from-local-table',
      SHARED: 'from-globals',
      FLAG: 'no',
      AWS_REGION: 'us-west-2',
    });
  });

  it('--stage-path off serves the REST API at the root too, and still under its stage', async () => {
    expect((await echo(runtime, `${runtime.info.restUrl}/hello`)).STAGE).toBe('from-cli');
    expect((await echo(runtime, `${runtime.info.restUrl}/Prod/hello`)).STAGE).toBe('from-cli');
    // The HTTP API at the root keeps its own routes.
    expect((await call(`${runtime.info.restUrl}/http`, { method: 'POST', body: 'x' })).status).toBe(200);
  });
});

describe('start-api --config-env, and start (the deployed view)', () => {
  it("--config-env dev reads dev's tables", async () => {
    const runtime = await startRuntime(['--config-env', 'dev'], { command: 'start-api', cwd: PROJECT });
    try {
      expect(await echo(runtime)).toMatchObject({
        GREETING: 'from-dev',
        STAGE: 'from-default',
        TABLE_NAME: 'from-template',
        AWS_REGION: 'ap-south-1',
      });
      expect(runtime.output()).not.toContain('--warm-containers');
    } finally {
      await runtime.stop();
    }
  }, 90_000);

  it("start reads the deploy table's parameter values, and no local table", async () => {
    const runtime = await startRuntime(['--template', 'template.yaml'], { cwd: PROJECT });
    try {
      expect(await echo(runtime)).toMatchObject({
        GREETING: 'from-deploy',
        STAGE: 'from-deploy',
        TABLE_NAME: 'from-template',
        AWS_REGION: 'eu-west-2',
      });
      expect(runtime.output()).not.toContain('--warm-containers');
    } finally {
      await runtime.stop();
    }
  }, 90_000);
});

describe('start-api: a REST API alone', () => {
  it('answers a path that names no stage with 403 Forbidden and the hint; --log-file takes the log', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'start-api-log-'));
    const logFile = join(folder, 'local.log');
    const runtime = await startRuntime(['--log-file', logFile], {
      command: 'start-api',
      cwd: join(PROJECT, 'rest-only'),
    });
    try {
      const answer = await call(`${runtime.info.restUrl}/hello`);
      expect(answer.status).toBe(403);
      expect(answer.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
      const body = answer.json();
      expect(body.message).toBe('Forbidden');
      expect(body.hint).toMatch(/^no route GET \/hello; did you mean \/Prod\/hello\? /);
      expect((await call(`${runtime.info.restUrl}/nope`)).json().hint).toBeUndefined();
      expect((await call(`${runtime.base}/hello`)).status).toBe(200);
      // A request's log line follows its answer.
      const logged = (pattern: RegExp) => eventually(() => pattern.test(readFileSync(logFile, 'utf8')), 5000);
      expect(await logged(/GET \/hello 403 .*no route GET \/hello; did you mean \/Prod\/hello\?/)).toBe(true);
      expect(await logged(/GET \/Prod\/hello 200/)).toBe(true);
      expect(runtime.output()).not.toMatch(/GET \/Prod\/hello 200/);
    } finally {
      await runtime.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('start-api --disable-authorizer', () => {
  it("opens the methods of Lambda authorizers, as sam local start-api's flag does, and says so", async () => {
    const folder = join(PROJECT, 'authorized');
    const guarded = await startRuntime([], { command: 'start-api', cwd: folder });
    try {
      expect((await call(`${guarded.base}/hello`, { headers: { Authorization: 'x' } })).status).toBe(401);
    } finally {
      await guarded.stop();
    }
    const open = await startRuntime(['--disable-authorizer'], { command: 'start-api', cwd: folder });
    try {
      expect((await call(`${open.base}/hello`)).status).toBe(200);
      expect(open.output()).toContain('--disable-authorizer: Lambda authorizers not run; methods and routes opened: 1');
    } finally {
      await open.stop();
    }
  }, 90_000);
});

describe("start-api: sam build's output", () => {
  it('reads .aws-sam/build/template.yaml when it is newer than template.yaml, and runs its built code in place', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'start-api-built-'));
    try {
      cpSync(join(PROJECT, 'template.yaml'), join(folder, 'template.yaml'));
      cpSync(join(PROJECT, 'src'), join(folder, 'src'), { recursive: true });
      // What sam build writes: the template with CodeUri pointing at each function's built folder.
      const built = join(folder, '.aws-sam', 'build');
      mkdirSync(join(built, 'EchoFunction'), { recursive: true });
      mkdirSync(join(built, 'EventFunction'), { recursive: true });
      writeFileSync(
        join(built, 'template.yaml'),
        readFileSync(join(PROJECT, 'template.yaml'), 'utf8')
          .replace('    CodeUri: src/\n', '')
          .replace('      Handler: echo.handler\n', '      Handler: echo.handler\n      CodeUri: EchoFunction\n')
          .replace('      Handler: event.handler\n', '      Handler: event.handler\n      CodeUri: EventFunction\n'),
      );
      writeFileSync(
        join(built, 'EchoFunction', 'echo.mjs'),
        "export const handler = async () => ({ statusCode: 200, body: JSON.stringify({ TABLE_NAME: 'built' }) });\n",
      );
      cpSync(join(PROJECT, 'src', 'event.js'), join(built, 'EventFunction', 'event.mjs'));
      const past = new Date(Date.now() - 60_000);
      utimesSync(join(folder, 'template.yaml'), past, past);
      const runtime = await startRuntime([], { command: 'start-api', cwd: folder });
      try {
        expect(await echo(runtime)).toEqual({ TABLE_NAME: 'built' });
        expect(runtime.output()).toContain(
          "sam-local-runtime start-api: template .aws-sam/build/template.yaml (sam build's output, newer than template.yaml)",
        );
      } finally {
        await runtime.stop();
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 90_000);
});
