import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handlerFile, parseHandler } from '../../src/lambda/handler-file.ts';
import { nodeRuntimeOf } from '../../src/lambda/node-runtime.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'handler-file-'));
  mkdirSync(join(dir, 'src', 'handlers'), { recursive: true });
  writeFileSync(join(dir, 'app.js'), '');
  writeFileSync(join(dir, 'app.mjs'), '');
  writeFileSync(join(dir, 'only.cjs'), '');
  writeFileSync(join(dir, 'src', 'handlers', 'get.mjs'), '');
  writeFileSync(join(dir, 'typed.ts'), '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('parseHandler (as Lambda splits Handler)', () => {
  it.each([
    ['app.lambdaHandler', { moduleRoot: '', moduleName: 'app', exportPath: 'lambdaHandler' }],
    ['src/handlers/app.lambdaHandler', { moduleRoot: 'src/handlers', moduleName: 'app', exportPath: 'lambdaHandler' }],
    ['index.handlers.get', { moduleRoot: '', moduleName: 'index', exportPath: 'handlers.get' }],
  ])('%s', (handler, parsed) => expect(parseHandler(handler)).toEqual(parsed));

  it.each(['app', '.handler', 'app.', '../up/app.handler'])('%s is malformed', (handler) =>
    expect(parseHandler(handler)).toBeUndefined(),
  );
});

describe('handlerFile', () => {
  it('tries .js, then .mjs, then .cjs, as Lambda does', () => {
    expect(handlerFile(dir, 'app.handler')).toEqual({ ok: true, file: join(dir, 'app.js') });
    expect(handlerFile(dir, 'only.handler')).toEqual({ ok: true, file: join(dir, 'only.cjs') });
    expect(handlerFile(dir, 'src/handlers/get.handler')).toEqual({
      ok: true,
      file: join(dir, 'src', 'handlers', 'get.mjs'),
    });
  });

  it('says why there is no file: missing, TypeScript, malformed', () => {
    const missing = handlerFile(dir, 'nope.handler');
    expect(missing).toMatchObject({ ok: false, error: { errorType: 'Runtime.ImportModuleError' } });
    expect(missing.ok || missing.error.errorMessage).toMatch(/no nope\.js, \.mjs or \.cjs/);
    const typed = handlerFile(dir, 'typed.handler');
    expect(typed.ok || typed.error.errorMessage).toMatch(/typed\.ts .* is TypeScript/);
    expect(handlerFile(dir, 'handler')).toMatchObject({
      ok: false,
      error: { errorType: 'Runtime.MalformedHandlerName' },
    });
  });
});

describe('nodeRuntimeOf', () => {
  it('callbacks up to nodejs22.x, none from nodejs24.x; other runtimes are not run', () => {
    expect(nodeRuntimeOf('nodejs20.x')).toEqual({ ok: true, name: 'nodejs20.x', callbacks: true });
    expect(nodeRuntimeOf('nodejs22.x')).toEqual({ ok: true, name: 'nodejs22.x', callbacks: true });
    expect(nodeRuntimeOf('nodejs24.x')).toEqual({ ok: true, name: 'nodejs24.x', callbacks: false });
    // Not a Node.js runtime (python3.x runs through the Runtime API instead: python-pool.ts).
    expect(nodeRuntimeOf('python3.12')).toMatchObject({ ok: false, reason: expect.stringContaining('python3.12') });
    expect(nodeRuntimeOf(undefined)).toMatchObject({ ok: false, reason: expect.stringContaining('no Runtime') });
  });
});
