import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Redocly CLI, run offline: no telemetry, no update check (both would reach the network). */
const redoclyBin = (): string => {
  const manifest = createRequire(import.meta.url).resolve('@redocly/cli/package.json');
  return join(dirname(manifest), 'bin', 'cli.js');
};

export interface LintResult {
  errors: number;
  warnings: number;
  problems: { ruleId: string; severity: string; message: string; location: string[] }[];
}

/**
 * `redocly lint` on a written OpenAPI file with the built-in recommended rules, less `info-license`: the starter
 * leaves the licence of the API to whoever adopts it.
 */
export const lintOpenApi = (file: string): LintResult => {
  const run = spawnSync(process.execPath, [redoclyBin(), 'lint', file, '--skip-rule=info-license', '--format=json'], {
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    timeout: 60_000,
  });
  const start = run.stdout.indexOf('{');
  if (start < 0) throw new Error(`redocly lint printed no report (exit ${run.status}):\n${run.stderr}`);
  const report = JSON.parse(run.stdout.slice(start)) as {
    totals: { errors: number; warnings: number };
    problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
  };
  return {
    errors: report.totals.errors,
    warnings: report.totals.warnings,
    problems: report.problems.map((problem) => ({
      ruleId: problem.ruleId,
      severity: problem.severity,
      message: problem.message,
      location: problem.location.map((location) => location.pointer),
    })),
  };
};
