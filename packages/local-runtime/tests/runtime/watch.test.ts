import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, type RunningRuntime, startRuntime } from '../../src/testing/index.ts';

/** Watch mode: editing a function's source rebuilds it, and the next request runs the new code. */
let runtime: RunningRuntime;
const copy = mkdtempSync(join(tmpdir(), 'watch-fixture-'));

beforeAll(async () => {
  cpSync('packages/local-runtime/tests/fixtures/gateway', copy, { recursive: true });
  runtime = await startRuntime(['--template', join(copy, 'template.yaml')], { watch: true });
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  rmSync(copy, { recursive: true, force: true });
});

it('rebuilds a changed function and serves the new code', async () => {
  expect((await call(`${runtime.base}/fail/ok`)).json()).toEqual({ mode: 'ok' });
  expect(runtime.output()).toMatch(/Watching .*functions for changes/);
  const source = join(copy, 'functions', 'fail.ts');
  writeFileSync(
    source,
    readFileSync(source, 'utf8').replace('JSON.stringify({ mode })', 'JSON.stringify({ mode, version: 2 })'),
  );
  expect(await runtime.waitForOutput(/\[watch\] rebuilt \d+ functions/, 30_000)).toBe(true);
  expect((await call(`${runtime.base}/fail/ok`)).json()).toEqual({ mode: 'ok', version: 2 });
}, 60_000);
