import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { LocalRuntime } from '../../src/index.ts';
import { inProcessRuntime } from '../fixture-runtime.ts';

/** `reset()` puts the secrets back as the template made them: the generated values the template's references hold. */
let runtime: LocalRuntime;
let client: SecretsManagerClient;

beforeAll(async () => {
  const started = await inProcessRuntime('secrets');
  runtime = started.runtime;
  client = new SecretsManagerClient(started.clientConfig('secretsmanager'));
}, 90_000);
afterAll(async () => {
  client?.destroy();
  await runtime?.stop();
});

it('reset() restores the template secrets with their first values and forgets secrets made since', async () => {
  const credentials = String(runtime.stack.ref('ReportingDbCredentials'));
  const before = await client.send(new GetSecretValueCommand({ SecretId: credentials }));
  await client.send(new PutSecretValueCommand({ SecretId: credentials, SecretString: '{"password":"changed"}' }));
  await client.send(new CreateSecretCommand({ Name: 'made-by-a-test', SecretString: 'x' }));

  await runtime.reset();

  const after = await client.send(new GetSecretValueCommand({ SecretId: credentials }));
  expect(after.SecretString).toBe(before.SecretString);
  expect(after.VersionId).toBe(before.VersionId);
  const { SecretList = [] } = await client.send(new ListSecretsCommand({}));
  expect(SecretList.map((secret) => secret.Name).sort()).toEqual(
    [String(before.Name), 'local-stack/webhook-signing-key'].sort(),
  );
});
