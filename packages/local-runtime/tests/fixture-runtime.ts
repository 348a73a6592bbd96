import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LocalRuntime, type RuntimeOptions, startLocalRuntime } from '../src/index.ts';
import {
  type ClientConfig,
  type RunningRuntime,
  runtimeForSuite,
  type SuiteRuntimeOptions,
} from '../src/testing/index.ts';

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

/**
 * The fixture `tests/fixtures/<name>/` started in-process (startLocalRuntime: for what only the programmatic API
 * offers, such as `reset()`), on free ports with a temporary build folder, and an SDK client's settings for each of
 * its local endpoints. `options` are added to the start's (a `log`, a `persistDir`).
 */
export const inProcessRuntime = async (
  name: string,
  options: Partial<RuntimeOptions> = {},
): Promise<{ runtime: LocalRuntime; clientConfig: (service: string) => ClientConfig }> => {
  const runtime = await startLocalRuntime({
    templatePath: fixtureTemplate(name),
    port: 0,
    wsPort: 0,
    watch: false,
    buildDir: mkdtempSync(join(tmpdir(), `${name}-build-`)),
    log: () => {},
    ...options,
  });
  const { accessKeyId, secretAccessKey } = runtime.info.credentials;
  return {
    runtime,
    clientConfig: (service) => ({
      endpoint: runtime.services.find((candidate) => candidate.name === service)?.url ?? '',
      region: runtime.info.region,
      credentials: { accessKeyId, secretAccessKey },
    }),
  };
};
