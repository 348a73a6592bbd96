import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** `sam-local-runtime start` and `token` fail with one clear line and a non-zero exit, never a stack trace. */
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
  });

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
    expect(stderr).toContain(`the local AWS endpoints need ports ${port}-${port + 4} on 127.0.0.1, and one is in use`);
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
  });
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

describe('sam-local-runtime', () => {
  it('lists its commands, and refuses an unknown one', async () => {
    const unknown = await run(['serve']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^sam-local-runtime: unknown command "serve"\n\nUsage: sam-local-runtime <command>/);
  });
});
