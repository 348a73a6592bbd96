import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The responses LocalStack's parity tests recorded on AWS (localstack/localstack at 8b9a79f0,
 * tests/aws/services/apigateway/*.snapshot.json, Apache-2.0), read where tests and CI find them: `../shared/fixtures/`
 * beside the repository (never copied into it). In a git worktree that is beside the main checkout.
 */
const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

const mainCheckoutOf = (root: string): string | undefined => {
  const dotGit = join(root, '.git');
  if (!existsSync(dotGit)) return undefined;
  const pointer = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8').toString());
  // A worktree's .git is a file naming <main>/.git/worktrees/<name>; a checkout's own is a folder (read fails).
  return pointer?.[1] ? resolve(pointer[1], '../../..') : undefined;
};

const fixturesDir = (): string => {
  const candidates = [join(repositoryRoot, '..', 'shared/fixtures')];
  try {
    const main = mainCheckoutOf(repositoryRoot);
    if (main) candidates.push(join(main, '..', 'shared/fixtures'));
  } catch {
    // .git is a folder: no other checkout to look beside.
  }
  const found = candidates.find((candidate) => existsSync(join(candidate, 'localstack-apigateway-recordings')));
  if (!found) throw new Error(`the recordings are not in ${candidates.join(' or ')}`);
  return join(found, 'localstack-apigateway-recordings');
};

type SnapshotFile = Record<string, { 'recorded-content': Record<string, unknown> }>;
const files = new Map<string, SnapshotFile>();

/** One recording: `file` (e.g. `test_apigateway_lambda`), the test id's last part, the snapshot key. */
export interface RecordingId {
  file: string;
  test: string;
  key: string;
}

export const citation = ({ file, test, key }: RecordingId) => `${file}.snapshot.json ${test} "${key}"`;

export const recorded = ({ file, test, key }: RecordingId): unknown => {
  let snapshots = files.get(file);
  if (!snapshots) {
    snapshots = JSON.parse(readFileSync(join(fixturesDir(), `${file}.snapshot.json`), 'utf8')) as SnapshotFile;
    files.set(file, snapshots);
  }
  const entry = Object.entries(snapshots).find(([id]) => id.endsWith(`::${test}`))?.[1];
  if (!entry) throw new Error(`no test ${test} in ${file}.snapshot.json`);
  if (!(key in entry['recorded-content'])) throw new Error(`no recording "${key}" in ${test}`);
  return entry['recorded-content'][key];
};
