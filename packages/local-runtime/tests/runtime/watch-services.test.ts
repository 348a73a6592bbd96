import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call } from '../../src/testing/index.ts';
import { watchedFixtureCopy } from '../fixture-runtime.ts';

/**
 * A template change applied by --watch keeps what the running local services gave the first reading of the template:
 * a dynamic reference still resolves to the secret's value, and a queue's Ref is still its local URL. The services
 * started once; the reloaded stack is read from the file anew, and the reload names the services' resources it added
 * or changed, which run as at start until a restart.
 */
const { runtime, folder: copy } = watchedFixtureCopy('watch-services');

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

it('names the queue and the secret a reload added or changed, which the services run as at start', async () => {
  const template = join(copy, 'template.yaml');
  writeFileSync(
    template,
    readFileSync(template, 'utf8')
      .replace('swordfish', 'marlin')
      .replace(
        '  Jobs:\n    Type: AWS::SQS::Queue\n',
        '  Jobs:\n    Type: AWS::SQS::Queue\n\n  MoreJobs:\n    Type: AWS::SQS::Queue\n',
      ),
  );
  expect(
    await runtime.waitForOutput(
      /reloaded \d+ APIs and \d+ functions.*sqs: MoreJobs \(AWS::SQS::Queue\) added: not applied.*restart to apply.*secretsmanager: Credentials \(AWS::SecretsManager::Secret\) changed: not applied/,
      60_000,
    ),
  ).toBe(true);
  // As said: the secret the service holds is still the first one.
  expect(((await call(`${runtime.base}/env`)).json() as unknown as Seen).password).toBe('swordfish');
  // A later reload still says so: the services run what they started with, whatever was reloaded since.
  writeFileSync(template, readFileSync(template, 'utf8').replace('LABEL: second', 'LABEL: third'));
  expect(await runtime.waitForOutput(/(MoreJobs \(AWS::SQS::Queue\) added: not applied[\s\S]*){2}/, 60_000)).toBe(true);
}, 90_000);
