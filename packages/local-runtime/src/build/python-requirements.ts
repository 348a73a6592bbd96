import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * A Python function's `requirements.txt`, installed as `sam build` does (SAM CLI's PythonPipBuilder: `pip install -r
 * requirements.txt -t <build dir>`, with the host's Python), into a build cache keyed by the file's content, the
 * local files it names and the Python: an unchanged one is not installed again. The folder goes on the function's
 * import path after its own code, where Lambda finds a deployment package's dependencies. When pip is missing or
 * fails (no network, a package not found), the function runs without them and the reason is said at start-up.
 */
export type Requirements = { ok: true; dir: string } | { ok: false; problem: string } | undefined;

/** The last lines pip printed to stderr: where it says what went wrong. */
const tailOf = (text: string): string =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^WARNING: Running pip as the 'root' user/.test(line))
    .slice(-2)
    .join(' ');

/** Local files a requirements line names (`./wheels/x.whl`, `-e ../lib`): their content is part of the cache key. */
const localFilesOf = (text: string, codeDir: string): string[] =>
  text
    .split('\n')
    .map((line) => line.replace(/^\s*(-e|--editable)\s+/, '').trim())
    .filter((line) => /^\.{0,2}\//.test(line))
    .map((line) => resolve(codeDir, line.split(/\s+/)[0] ?? ''));

export const installRequirements = (python: string, codeDir: string, buildDir: string): Requirements => {
  const file = join(codeDir, 'requirements.txt');
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const hash = createHash('sha256').update(python).update('\0').update(text);
  for (const local of localFilesOf(text, codeDir)) {
    hash.update('\0').update(local);
    try {
      hash.update(readFileSync(local));
    } catch {
      // A folder or a missing file: pip says what it makes of it.
    }
  }
  const dir = resolve(buildDir, 'python-deps', hash.digest('hex').slice(0, 16));
  if (existsSync(dir)) return { ok: true, dir };
  const pip = spawnSync(python, ['-m', 'pip', '--version'], { encoding: 'utf8' });
  if (pip.error || pip.status !== 0) {
    return { ok: false, problem: `requirements.txt not installed: no pip for ${python} (python3 -m pip)` };
  }
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  const install = spawnSync(
    python,
    [
      '-m',
      'pip',
      'install',
      '-r',
      'requirements.txt',
      '-t',
      staging,
      '--disable-pip-version-check',
      '--no-input',
      '--quiet',
      '--retries',
      '1',
      '--timeout',
      '15',
    ],
    { cwd: codeDir, encoding: 'utf8', timeout: 600_000 },
  );
  if (install.error || install.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    const reason = install.error?.message ?? tailOf(install.stderr || install.stdout || '');
    return { ok: false, problem: `requirements.txt not installed (pip: ${reason || `exit ${install.status}`})` };
  }
  renameSync(staging, dir);
  return { ok: true, dir };
};
