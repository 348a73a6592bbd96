import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call } from '../../src/testing/index.ts';
import { watchedFixtureCopy } from '../fixture-runtime.ts';

/**
 * Watch mode, black-box: editing a source rebuilds only the functions that include it, a file saved by replacing it
 * (as `sed -i`, `git checkout` and editors' safe write do) keeps being watched, and a template change is applied
 * without a restart.
 */
const { runtime, folder: copy } = watchedFixtureCopy('gateway');

/** Saves `file` the way `sed -i` does: a new file renamed over the old one (a new inode). */
const replaceSave = (file: string, edit: (text: string) => string) => {
  const next = `${file}.tmp-${process.pid}`;
  writeFileSync(next, edit(readFileSync(file, 'utf8')));
  renameSync(next, file);
};

const rebuilds = () => runtime.output().match(/\[watch\] .* changed: rebuilt .*/g) ?? [];

it('rebuilds only the function whose bundle includes the edited file, and names it', async () => {
  expect((await call(`${runtime.base}/fail/ok`)).json()).toEqual({ mode: 'ok' });
  expect(runtime.output()).toMatch(/Watching .*functions for changes/);
  const source = join(copy, 'functions', 'fail.ts');
  writeFileSync(
    source,
    readFileSync(source, 'utf8').replace('JSON.stringify({ mode })', 'JSON.stringify({ mode, version: 2 })'),
  );
  expect(
    await runtime.waitForOutput(/\[watch\] functions\/fail\.ts changed: rebuilt FailFunction in \d+ ms/, 30_000),
  ).toBe(true);
  expect((await call(`${runtime.base}/fail/ok`)).json()).toEqual({ mode: 'ok', version: 2 });
}, 60_000);

it('keeps watching a file saved by replacing it, edit after edit', async () => {
  const source = join(copy, 'functions', 'fail.ts');
  const before = rebuilds().length;
  replaceSave(source, (text) => text.replace('version: 2', 'version: 3'));
  for (const version of [3, 4]) {
    if (version === 4) replaceSave(source, (text) => text.replace('version: 3', 'version: 4'));
    const deadline = Date.now() + 30_000;
    let answer = await call(`${runtime.base}/fail/ok`);
    while (answer.json().version !== version && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      answer = await call(`${runtime.base}/fail/ok`);
    }
    expect(answer.json()).toEqual({ mode: 'ok', version });
  }
  expect(rebuilds().length).toBeGreaterThanOrEqual(before + 2);
}, 90_000);

it('applies a template change without a restart', async () => {
  expect((await call(`${runtime.base}/mock?name=bob`)).json()).toMatchObject({ greeting: 'hello' });
  replaceSave(join(copy, 'template.yaml'), (text) => text.replace('greeting: hello', 'greeting: bonjour'));
  expect(
    await runtime.waitForOutput(/\[watch\] template\.yaml changed: reloaded \d+ APIs and \d+ functions/, 60_000),
  ).toBe(true);
  expect((await call(`${runtime.base}/mock?name=bob`)).json()).toMatchObject({ greeting: 'bonjour' });
  // The functions keep serving after the reload.
  expect((await call(`${runtime.base}/fail/ok`)).json()).toEqual({ mode: 'ok', version: 4 });
}, 90_000);
