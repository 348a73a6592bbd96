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
