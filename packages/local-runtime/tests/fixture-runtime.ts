import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningRuntime, runtimeForSuite, type SuiteRuntimeOptions } from '../src/testing/index.ts';

/** The template of the fixture `tests/fixtures/<name>/`. */
export const fixtureTemplate = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}/template.yaml`, import.meta.url));

/**
 * The runtime of the fixture `tests/fixtures/<name>/` for the enclosing suite (see runtimeForSuite), with `extraArgs`
 * after `--template`.
 */
export const fixtureRuntime = (
  name: string,
  extraArgs: string[] | (() => string[]) = [],
  options: SuiteRuntimeOptions = {},
): RunningRuntime =>
  runtimeForSuite(
    () => ['--template', fixtureTemplate(name), ...(typeof extraArgs === 'function' ? extraArgs() : extraArgs)],
    options,
  );

/**
 * The fixture `tests/fixtures/<name>/` copied to a temporary folder for the enclosing suite (removed after it), and the
 * runtime serving the copy with `--watch` on: for tests that edit the template or the sources and watch it apply.
 */
export const watchedFixtureCopy = (name: string): { runtime: RunningRuntime; folder: string } => {
  const folder = mkdtempSync(join(tmpdir(), `${name}-fixture-`));
  beforeAll(() => {
    cpSync(dirname(fixtureTemplate(name)), folder, { recursive: true });
  });
  const runtime = runtimeForSuite(['--template', join(folder, 'template.yaml')], { watch: true });
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });
  return { runtime, folder };
};

/** Rewrites a file of a watched copy in place (the watcher sees one save). */
export const editFile = (path: string, edit: (text: string) => string): void => {
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
};
