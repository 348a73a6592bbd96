import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, runtimeForSuite } from '../../src/testing/index.ts';
import { fixtureTemplate } from '../fixture-runtime.ts';

/**
 * A template change applied by --watch keeps what the running local services gave the first reading of the template:
 * a dynamic reference still resolves to the secret's value, and a queue's Ref is still its local URL. The services
 * started once; the reloaded stack is read from the file anew.
 */
const copy = mkdtempSync(join(tmpdir(), 'watch-services-'));
beforeAll(() => {
  cpSync(join(fixtureTemplate('watch-services'), '..'), copy, { recursive: true });
});
const runtime = runtimeForSuite(['--template', join(copy, 'template.yaml')], { watch: true });
afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
});

interface Seen {
  password: string;
  queueUrl: string;
  label: string;
}

it('resolves dynamic references and local Ref values in the reloaded template as in the first', async () => {
  const before = (await call(`${runtime.base}/env`)).json() as unknown as Seen;
  expect(before).toMatchObject({ password: 'swordfish', label: 'first' });
  expect(before.queueUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\d+\/.+Jobs/);
  const template = join(copy, 'template.yaml');
  writeFileSync(template, readFileSync(template, 'utf8').replace('LABEL: first', 'LABEL: second'));
  expect(
    await runtime.waitForOutput(/\[watch\] template\.yaml changed: reloaded \d+ APIs and \d+ functions/, 60_000),
  ).toBe(true);
  const after = (await call(`${runtime.base}/env`)).json() as unknown as Seen;
  expect(after).toEqual({ password: 'swordfish', queueUrl: before.queueUrl, label: 'second' });
}, 90_000);
