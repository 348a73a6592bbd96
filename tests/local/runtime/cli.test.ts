import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** `npm start` and `npm run token` fail with one clear line and a non-zero exit, never a stack trace. */
const run = (args: string[]): Promise<{ code: number | null; stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
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

describe('npm start', () => {
  it('names a port that is in use', async () => {
    const { code, stderr } = await run(['local/cli/start.ts', '--port', String(port), '--no-watch']);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `npm start: port ${port} on 127.0.0.1 is in use: stop what holds it or pass --port <free port> (0 picks one)\n`,
    );
  });

  it('names a template that cannot be read, and a parameter value the template refuses', async () => {
    const missing = await run(['local/cli/start.ts', '--template', 'nope.yaml', '--port', '0']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^npm start: .*nope\.yaml: cannot be read \(ENOENT\)\n$/);
    const refused = await run(['local/cli/start.ts', '--parameter-overrides', 'Stage=qa', '--port', '0']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Parameter 'Stage' failed to satisfy constraint: must be one of dev, test, prod/);
  });

  it('refuses a bad option with its usage', async () => {
    const { code, stderr } = await run(['local/cli/start.ts', '--port', 'abc']);
    expect(code).toBe(2);
    expect(stderr).toContain('--port must be a port number');
    const scale = await run(['local/cli/start.ts', '--time-scale', '5']);
    expect(scale.code).toBe(2);
    expect(scale.stderr).toBe('npm start: --time-scale must be a number above 0 and at most 1, got "5"\n');
    const idle = await run(['local/cli/start.ts', '--ws-idle-timeout', '0']);
    expect(idle.code).toBe(2);
    expect(idle.stderr).toBe('npm start: --ws-idle-timeout must be a number of seconds above 0, got "0"\n');
  });
});

describe('npm run token', () => {
  it('says when the local runtime is not running', async () => {
    busy.closeAllConnections();
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const free = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(free));
      });
    });
    const { code, stderr } = await run([
      'local/issuer/cli.ts',
      '--sub',
      'alice',
      '--url',
      `http://127.0.0.1:${closed}`,
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('is `npm start` running?');
  });

  it('needs --sub', async () => {
    const { code, stderr } = await run(['local/issuer/cli.ts']);
    expect(code).toBe(2);
    expect(stderr).toContain('--sub is required');
  });
});
