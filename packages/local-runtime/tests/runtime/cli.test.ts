import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_PORT_COUNT } from '../../src/runtime/services.ts';

/** `sam-local-runtime start` and `token` fail with one clear line and a non-zero exit, never a stack trace. */
const readdir = (folder: string) =>
  spawnSync('ls', ['-A', folder], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
const BIN = fileURLToPath(new URL('../../bin/sam-local-runtime.js', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../fixtures/gateway/template.yaml', import.meta.url));
const run = (args: string[]): Promise<{ code: number | null; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code, stderr }));
  });

let busy: Server;
let port: number;

beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  port = (busy.address() as AddressInfo).port;
});

afterAll(() => new Promise((resolve) => busy.close(resolve)));

describe('sam-local-runtime start', () => {
  it('names a port that is in use', async () => {
    const { code, stderr } = await run(['start', '--template', FIXTURE, '--port', String(port), '--no-watch']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `sam-local-runtime start: port ${port} on 127.0.0.1 is in use: stop what holds it or pass --port <free port> (0 picks one)\n`,
    );
  });

  it('names a template that cannot be read, and a parameter value the template refuses', async () => {
    const missing = await run(['start', '--template', 'nope.yaml', '--port', '0']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^sam-local-runtime start: .*nope\.yaml: cannot be read \(ENOENT\)\n$/);
    const refused = await run(['start', '--template', FIXTURE, '--parameter-overrides', 'Nope=1', '--port', '0']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Parameter 'Nope' is not declared in the template/);
    const noEnv = await run(['start', '--template', FIXTURE, '--config-env', 'prod', '--port', '0']);
    expect(noEnv.code).toBe(1);
    expect(noEnv.stderr).toMatch(/--config-env prod: there is no .*samconfig\.toml/);
  }, 30_000);

  it('names a service port that is in use, and how to choose others', async () => {
    const { code, stderr } = await run([
      'start',
      '--template',
      FIXTURE,
      '--port',
      '0',
      '--ws-port',
      '0',
      '--service-ports',
      String(port),
      '--no-watch',
    ]);
    expect(code).toBe(1);
    // One port per service of services/index.ts, in the ten below the function URLs' (--port + 20).
    expect(SERVICE_PORT_COUNT).toBeLessThanOrEqual(10);
    const last = port + SERVICE_PORT_COUNT - 1;
    expect(stderr).toContain(`the local AWS endpoints need ports ${port}-${last} on 127.0.0.1, and one is in use`);
  });

  it('refuses a bad option with its usage', async () => {
    const { code, stderr } = await run(['start', '--port', 'abc']);
    expect(code).toBe(2);
    expect(stderr).toContain('--port must be a port number');
    const scale = await run(['start', '--time-scale', '5']);
    expect(scale.code).toBe(2);
    expect(scale.stderr).toBe(
      'sam-local-runtime start: --time-scale must be a number above 0 and at most 1, got "5"\n',
    );
    const idle = await run(['start', '--ws-idle-timeout', '0']);
    expect(idle.code).toBe(2);
    expect(idle.stderr).toBe(
      'sam-local-runtime start: --ws-idle-timeout must be a number of seconds above 0, got "0"\n',
    );
  }, 30_000);
});

describe('sam-local-runtime token', () => {
  it('says when the local runtime is not running', async () => {
    busy.closeAllConnections();
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const free = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(free));
      });
    });
    const { code, stderr } = await run(['token', '--sub', 'alice', '--url', `http://127.0.0.1:${closed}`]);
    expect(code).toBe(1);
    expect(stderr).toContain('is the local runtime running?');
  });

  it('needs --sub', async () => {
    const { code, stderr } = await run(['token']);
    expect(code).toBe(2);
    expect(stderr).toContain('--sub is required');
  });
});

/** A command that ends by itself (help, a refusal), run in `cwd`, with its output. */
const runIn = (args: string[], cwd = process.cwd()) => {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

describe('sam-local-runtime', () => {
  it('lists its commands, and refuses an unknown one', async () => {
    const unknown = await run(['serve']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^sam-local-runtime: unknown command "serve"\n\nUsage: sam-local-runtime <command>/);
    const flag = runIn(['--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^sam-local-runtime: no such option: --bogus\n\nUsage: sam-local-runtime <command>/);
  });

  it("prints its version as SAM CLI does (click's format), from its package.json", () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(runIn(['--version'])).toEqual({ code: 0, stdout: `sam-local-runtime, version ${version}\n`, stderr: '' });
  });

  it.each([
    [['--help'], /^Usage: sam-local-runtime <command>/],
    [
      ['start-api', '--help'],
      /^Usage: sam-local-runtime start-api \[options\][\s\S]*--env-vars FILE[\s\S]*Accepted and ignored/,
    ],
    [['start', '-h'], /^Usage: sam-local-runtime start \[options\][\s\S]*--stage-path on\|off/],
    [['build', '--help'], /^Usage: sam-local-runtime build \[options\]/],
    [['token', '--help'], /^Usage: sam-local-runtime token/],
    [['generate-event', '--help'], /^Usage: sam-local-runtime generate-event <service> <event>[\s\S]*apigateway/],
    [['generate-event', 'sqs'], /^Usage: sam-local-runtime generate-event sqs <event>[\s\S]*receive-message/],
    [['generate-event', 'apigateway', 'aws-proxy', '--help'], /--querystringparameters S/],
  ])(
    '%j prints its help and exits 0, doing nothing else',
    (args, help) => {
      const folder = mkdtempSync(join(tmpdir(), 'cli-help-'));
      try {
        const answer = runIn(args, folder);
        expect(answer).toEqual({ code: 0, stdout: expect.stringMatching(help), stderr: '' });
        expect(readdir(folder)).toEqual([]);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
    30_000,
  );

  it.each([
    [['start-api', '--bogus'], 'no such option: --bogus'],
    [['start-api', '--port'], '--port requires a value'],
    [['start-api', 'extra'], 'unexpected argument "extra"'],
    [['start-api', '--warm-containers', 'HOT'], '--warm-containers must be one of EAGER, LAZY, got "HOT"'],
    [['start', '--nope=1'], 'no such option: --nope'],
  ])(
    '%j: one line, the usage, exit 2',
    (args, message) => {
      const answer = runIn(args);
      expect(answer.code).toBe(2);
      const command = args[0] as string;
      expect(answer.stderr).toBe(
        `sam-local-runtime ${command}: ${message}\nUsage: sam-local-runtime ${command} [options]\nTry 'sam-local-runtime ${command} --help' for help.\n`,
      );
    },
    30_000,
  );

  it.each([
    ['--hook-name', 'terraform', 'hook packages (Terraform projects) are not supported'],
    ['--ssl-cert-file', 'cert.pem', 'HTTPS is not served'],
    ['--save-params', undefined, 'samconfig.toml is not written by this runtime'],
  ])(
    'refuses %s, which means something it does not do, with the reason (exit 2)',
    (flag, value, reason) => {
      const answer = runIn(['start-api', flag, ...(value === undefined ? [] : [value])]);
      expect(answer.code).toBe(2);
      expect(answer.stderr).toContain(`sam-local-runtime start-api: ${flag} is not supported: ${reason}`);
    },
    30_000,
  );
});

describe('sam-local-runtime start-api: the template and --env-vars', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'cli-template-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('finds template.yml (then template.json) as SAM CLI does, and names the one it read', () => {
    writeFileSync(join(folder, 'template.json'), '{');
    const json = runIn(['start-api', '--port', '0'], folder);
    expect(json.code).toBe(1);
    expect(json.stderr).toMatch(/^sam-local-runtime start-api: template template\.json\n.*template\.json/);
    writeFileSync(join(folder, 'template.yml'), 'Resources: [');
    const yml = runIn(['start-api', '--port', '0'], folder);
    expect(yml.code).toBe(1);
    expect(yml.stderr).toMatch(/^sam-local-runtime start-api: template template\.yml\n.*template\.yml/);
  }, 30_000);

  it('says when there is no template', () => {
    const answer = runIn(['start-api'], folder);
    expect(answer.code).toBe(1);
    expect(answer.stderr).toBe(
      `sam-local-runtime start-api: no template.yaml, template.yml or template.json in ${folder}: pass --template FILE\n`,
    );
  });

  it('refuses an --env-vars file that is missing (2), not JSON nor .env, or not an object of variables (1)', () => {
    writeFileSync(join(folder, 'template.yaml'), 'Resources: {}\n');
    const missing = runIn(['start-api', '--env-vars', 'nope.json'], folder);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('sam-local-runtime start-api: --env-vars nope.json: no such file');
    writeFileSync(join(folder, 'bad.json'), '{"Fn": ');
    const bad = runIn(['start-api', '--env-vars', 'bad.json'], folder);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^sam-local-runtime start-api: --env-vars bad\.json: not valid JSON/);
    writeFileSync(join(folder, 'flat.json'), '{"Fn": "x"}');
    const flat = runIn(['start-api', '--env-vars', 'flat.json'], folder);
    expect(flat.code).toBe(1);
    expect(flat.stderr).toContain('"Fn" must be an object of variables ({"Fn": {"NAME": "value"}}), got "x"');
  }, 30_000);

  it('names a --config-file that does not exist (exit 2)', () => {
    writeFileSync(join(folder, 'template.yaml'), 'Resources: {}\n');
    const answer = runIn(['start-api', '--config-file', 'other.toml'], folder);
    expect(answer.code).toBe(2);
    expect(answer.stderr).toContain('--config-file other.toml: other.toml does not exist');
  });
});

describe('sam-local-runtime generate-event', () => {
  it('refuses an unknown service, event or option, and a path its resource does not match (exit 2)', () => {
    expect(runIn(['generate-event', 's4']).stderr).toMatch(
      /^sam-local-runtime generate-event: no such service: "s4"\n/,
    );
    expect(runIn(['generate-event', 's3', 'put']).stderr).toMatch(
      /^sam-local-runtime generate-event: no such service: "s3" \(SAM CLI has its samples; this runtime delivers no s3 events/,
    );
    expect(runIn(['generate-event', 'sqs', 'send']).code).toBe(2);
    const option = runIn(['generate-event', 'sqs', 'receive-message', '--queue', 'q']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('no such option: --queue');
    const path = runIn(['generate-event', 'apigateway', 'aws-proxy', '--resource', '/items/{id}', '--path', 'a/b']);
    expect(path.code).toBe(2);
    expect(path.stderr).toContain('--path /a/b does not match --resource /items/{id}');
  }, 30_000);

  it("prints SAM CLI's stepfunctions error event and the partition, region and account options of an authorizer event", () => {
    const error = runIn(['generate-event', 'stepfunctions', 'error', '--error', 'States.Timeout']);
    expect(JSON.parse(error.stdout)).toEqual({ Error: 'States.Timeout', Cause: 'This is the cause of the error.' });
    const token = runIn([
      'generate-event',
      'apigateway',
      'authorizer',
      '--partition',
      'aws-cn',
      '--region',
      'cn-north-1',
      '--restApiId',
      'a1b2c3',
      '--method',
      'GET',
      '--resource',
      'v1/orders',
    ]);
    expect(JSON.parse(token.stdout)).toEqual({
      type: 'TOKEN',
      authorizationToken: 'incoming-client-token',
      methodArn: 'arn:aws-cn:execute-api:cn-north-1:123456789012:a1b2c3/prod/GET/v1/orders',
    });
  }, 30_000);
});
