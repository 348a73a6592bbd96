import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, type RuntimeInfo } from 'sam-local-runtime/testing';

/**
 * `npm start` as a newcomer runs it (through the npm script, on free ports): the sample legacy back end is up and
 * `ANY /v1/legacy/{proxy+}` answers 200 through the gateway at once, the starter's lines under the banner say what
 * the stage turns on, a configured LegacyBackendUrl is left alone, and SIGTERM stops the runtime and the back end.
 */
interface Started {
  child: ChildProcess;
  output: () => string;
  restUrl: string;
  info: RuntimeInfo;
  exited: Promise<void>;
  buildDir: string;
}

const npm = (): [string, string[]] =>
  process.env.npm_execpath?.endsWith('.js') ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];

const npmStart = async (extra: string[]): Promise<Started> => {
  const buildDir = mkdtempSync(join(tmpdir(), 'npm-start-build-'));
  const [command, prefix] = npm();
  const child = spawn(
    command,
    [...prefix, 'start', '--', '--port', '0', '--ws-port', '0', '--no-watch', '--build-dir', buildDir, ...extra],
    // Its own process group, as a terminal's foreground job: the test signals the group, as Ctrl-C does.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, NO_COLOR: '1' } },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const restUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not get ready:\n${output}`)), 90_000);
    const check = () => {
      // The starter's lines come after the runtime's banner.
      const ready = /Runtime info \(JSON\): (http:\/\/127\.0\.0\.1:\d+)\/_local\/runtime[\s\S]*Demo page: /.exec(
        output,
      );
      if (ready?.[1]) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    };
    child.stdout?.on('data', check);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${child.exitCode ?? child.signalCode}:\n${output}`));
    });
  });
  const info = (await (await fetch(`${restUrl}/_local/runtime`)).json()) as RuntimeInfo;
  return { child, output: () => output, restUrl, info, exited, buildDir };
};

/** SIGTERM to the whole group, as a terminal's Ctrl-C signals every process of the foreground job. */
const stop = async (started: Started | undefined): Promise<void> => {
  if (!started) return;
  if (started.child.exitCode === null && started.child.pid !== undefined) process.kill(-started.child.pid, 'SIGTERM');
  await started.exited;
  rmSync(started.buildDir, { recursive: true, force: true });
};

const tokenFrom = async (restUrl: string, scope: string): Promise<string> => {
  const response = await fetch(`${restUrl}/_local/issuer/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ sub: 'alice', scope }),
  });
  return ((await response.json()) as { token: string }).token;
};

const refused = async (url: string): Promise<boolean> =>
  fetch(url).then(
    () => false,
    () => true,
  );

describe('npm start (dev, nothing configured)', () => {
  let started: Started | undefined;
  let stopped = false;

  beforeAll(async () => {
    started = await npmStart([]);
  }, 120_000);

  afterAll(async () => {
    if (!stopped) await stop(started);
  });

  const legacyUrl = () => {
    const match = /Legacy back end: the sample demo\/legacy-backend\.ts on (http:\/\/127\.0\.0\.1:\d+)/.exec(
      started?.output() ?? '',
    );
    if (!match?.[1]) throw new Error(`no legacy back end line in:\n${started?.output()}`);
    return match[1];
  };

  it('answers ANY /v1/legacy/{proxy+} with 200 from the sample back end, behind the token and the API key', async () => {
    const { info } = started as Started;
    const base = info.apis[0]?.url;
    const key = info.apiKeys[0]?.value ?? '';
    const token = await tokenFrom(info.restUrl, 'orders:read');
    const headers = { Authorization: `Bearer ${token}`, 'x-api-key': key };

    const customer = await fetch(`${base}/v1/legacy/customers/c-1001`, { headers });
    expect(customer.status).toBe(200);
    expect(customer.headers.get('x-legacy-backend')).toBe('sample');
    expect(await customer.json()).toMatchObject({
      customer: { id: 'c-1001', name: 'Alice Example' },
      seen: { method: 'GET', path: '/customers/c-1001', authorizationPassedThrough: true },
    });

    const created = await fetch(`${base}/v1/legacy/customers?source=test`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Dana Example', email: 'dana@example.com' }),
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      customer: { name: 'Dana Example' },
      seen: { method: 'POST', path: '/customers', query: { source: 'test' } },
    });

    const missing = await fetch(`${base}/v1/legacy/customers/c-9999`, { headers });
    expect(missing.status).toBe(404);

    const noKey = await fetch(`${base}/v1/legacy/customers/c-1001`, { headers: { Authorization: `Bearer ${token}` } });
    expect(noKey.status).toBe(403);
    const noToken = await fetch(`${base}/v1/legacy/customers/c-1001`, { headers: { 'x-api-key': key } });
    expect(noToken.status).toBe(401);
  });

  it('prints what each stage turns on, the legacy back end, the token command and the demo page', () => {
    const output = started?.output() ?? '';
    expect(output).toMatch(/▸ dev +no response cache/);
    expect(output).toMatch(/ test +response cache on \(0\.5 GB, TTL 60 s\)/);
    expect(output).toMatch(/ prod +response cache on \(1\.6 GB, TTL 300 s\)/);
    expect(output).toMatch(/▸ dev .* CORS origin \*$/m);
    expect(output).toMatch(/ prod .* CORS origin https:\/\/orders\.example\.com$/m);
    expect(output).toContain(`behind ANY ${started?.info.apis[0]?.url}/v1/legacy/{proxy+}`);
    expect(output).toContain(
      `npm run -s token -- --sub alice --scope "orders:read orders:write" --url ${started?.restUrl}`,
    );
    expect(output).toContain(`Demo page: ${started?.restUrl}/_local/`);
  });

  it('stops the runtime and the legacy back end on SIGTERM', async () => {
    const backend = legacyUrl();
    expect(await refused(`${backend}/customers`)).toBe(false);
    stopped = true;
    await stop(started);
    // npm itself dies of the signal at once; the front door and the runtime finish their stop just after.
    expect(await eventually(() => refused(`${backend}/customers`), 8000)).toBe(true);
    expect(await eventually(() => refused(`${started?.restUrl}/_local/runtime`), 8000)).toBe(true);
    expect(started?.output()).toContain('SIGTERM: stopping');
  }, 20_000);
});

describe('npm start with a LegacyBackendUrl of its own', () => {
  let started: Started | undefined;

  beforeAll(async () => {
    started = await npmStart(['--config-env', 'test', '--parameter-overrides', 'LegacyBackendUrl=http://127.0.0.1:9']);
  }, 120_000);

  afterAll(async () => {
    await stop(started);
  });

  it('starts no sample back end and proxies to the configured one', async () => {
    const output = started?.output() ?? '';
    expect(output).not.toContain('demo/legacy-backend.ts on');
    expect(output).toContain('Legacy back end: http://127.0.0.1:9 (LegacyBackendUrl)');
    expect(output).toMatch(/▸ test +response cache on/);
    const { info } = started as Started;
    const token = await tokenFrom(info.restUrl, 'orders:read');
    const answer = await fetch(`${info.apis[0]?.url}/v1/legacy/customers/c-1001`, {
      headers: { Authorization: `Bearer ${token}`, 'x-api-key': info.apiKeys[0]?.value ?? '' },
    });
    // Nothing listens on port 9: API Gateway's answer for an unreachable HTTP back end.
    expect(answer.status).toBeGreaterThanOrEqual(500);
  });

  it('stops when only npm is sent SIGTERM (npm stops its shell; the orphaned front door stops the runtime)', async () => {
    const { child, restUrl } = started as Started;
    if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    await started?.exited;
    expect(await eventually(() => refused(`${restUrl}/_local/runtime`), 8000)).toBe(true);
  }, 20_000);
});
