import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedFixtures } from '../shared-fixtures.ts';

/**
 * The responses LocalStack's parity tests recorded on AWS (localstack/localstack at 8b9a79f0,
 * tests/aws/services/apigateway/*.snapshot.json, Apache-2.0), read from `../shared/fixtures/` (see shared-fixtures.ts).
 */
const fixturesDir = (): string => sharedFixtures('localstack-apigateway-recordings');

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
