import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { call } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';
import { failure } from './sdk-failure.ts';

/**
 * Secrets Manager (issue 20), black-box over real sockets: the template's secrets (a value, a generated password),
 * their Ref, the dynamic references that name them, a function reading them with the SDK and Powertools, and the
 * API's operations and errors as an SDK client sees them.
 */
const runtime = fixtureRuntime('secrets');
let client: SecretsManagerClient;

interface Read {
  credentials: { arn: string; name: string; value: string };
  signingKey: { arn: string; name: string; value: string };
  viaPowertools: Record<string, unknown>;
  environment: Record<string, string>;
}
let read: Read;

beforeAll(async () => {
  client = new SecretsManagerClient(runtime.clientConfig('secretsmanager'));
  const answer = await call(`${runtime.base}/secrets`);
  if (answer.status !== 200) throw new Error(`GET /secrets answered ${answer.status}: ${answer.text}`);
  read = answer.json() as unknown as Read;
}, 90_000);
afterAll(async () => {
  client?.destroy();
});

const ARN = /^arn:aws:secretsmanager:us-east-1:123456789012:secret:(.+)-[A-Za-z0-9]{6}$/;

describe('the template secrets, read by a function with the AWS SDK and Powertools', () => {
  it('serves a SecretString secret under its Name, its ARN as Ref', () => {
    expect(read.signingKey.name).toBe('local-stack/webhook-signing-key');
    expect(read.signingKey.value).toBe('whsec-0123456789');
    expect(read.signingKey.arn).toMatch(ARN);
    expect(ARN.exec(read.signingKey.arn)?.[1]).toBe('local-stack/webhook-signing-key');
  });

  it('generates the password into the SecretStringTemplate under GenerateStringKey, following the rules', () => {
    expect(read.credentials.name).toMatch(/^ReportingDbCredentials-[A-Za-z0-9]{12}$/);
    expect(ARN.exec(read.credentials.arn)?.[1]).toBe(read.credentials.name);
    const value = JSON.parse(read.credentials.value) as { username: string; port: number; password: string };
    expect(value.username).toBe('reporter');
    expect(value.port).toBe(5432);
    // PasswordLength 40, ExcludeUppercase, ExcludeCharacters "@/\ ; each other type at least once (the default).
    expect(value.password).toHaveLength(40);
    expect(value.password).not.toMatch(/[A-Z"@/\\ ]/);
    expect(value.password).toMatch(/[a-z]/);
    expect(value.password).toMatch(/[0-9]/);
    expect(value.password).toMatch(/[!#$%&'()*+,\-.:;<=>?[\]^_`{|}~]/);
  });

  it('answers Powertools getSecret with the same value', () => {
    expect(read.viaPowertools).toEqual(JSON.parse(read.credentials.value));
  });

  it('gives Ref and GetAtt Id the ARN the endpoint answers with', () => {
    expect(read.environment.CREDENTIALS_ARN).toBe(read.credentials.arn);
    expect(read.environment.CREDENTIALS_ID).toBe(read.credentials.arn);
  });

  it('resolves {{resolve:secretsmanager:...}} to what GetSecretValue answers', async () => {
    const password = (JSON.parse(read.credentials.value) as { password: string }).password;
    expect(read.environment.DB_PASSWORD).toBe(password);
    expect(read.environment.DB_USER).toBe('reporter');
    expect(read.environment.SIGNING_KEY).toBe('key=whsec-0123456789');
    const fromTest = await client.send(new GetSecretValueCommand({ SecretId: read.credentials.name }));
    expect(fromTest.SecretString).toBe(read.credentials.value);
  });

  it('leaves a reference to a secret the template does not define as written, and names it at start-up', () => {
    expect(read.environment.UNDEFINED_SECRET).toBe(
      '{{resolve:secretsmanager:not-in-this-template:SecretString:token}}',
    );
    expect(runtime.output()).toContain(
      'SecretReaderFunction: {{resolve:secretsmanager:not-in-this-template:SecretString:token}} names no secret',
    );
    // The references the template's secrets answer are not named.
    expect(runtime.output().match(/names no secret/g)).toHaveLength(1);
  });

  it('names the rotation schedule as not run', () => {
    expect(runtime.output()).toContain(
      'CredentialsRotation (AWS::SecretsManager::RotationSchedule): rotation does not run',
    );
    expect(runtime.output()).not.toContain(
      'CredentialsRotation (AWS::SecretsManager::RotationSchedule): resource type not supported',
    );
  });

  it('finds a template secret by partial ARN (without its 6 random characters)', async () => {
    const partial = read.signingKey.arn.slice(0, -7);
    const answer = await client.send(new GetSecretValueCommand({ SecretId: partial }));
    expect(answer.SecretString).toBe('whsec-0123456789');
    expect(answer.VersionStages).toEqual(['AWSCURRENT']);
  });

  it('describes a template secret with its Description and Tags, and lists it by tag', async () => {
    const described = await client.send(new DescribeSecretCommand({ SecretId: read.credentials.arn }));
    expect(described).toMatchObject({
      Name: read.credentials.name,
      Description: 'Credentials of the reporting database',
    });
    const listed = await client.send(new ListSecretsCommand({ Filters: [{ Key: 'tag-value', Values: ['payments'] }] }));
    expect(listed.SecretList?.map((secret) => [secret.Name, secret.Tags])).toEqual([
      ['local-stack/webhook-signing-key', [{ Key: 'team', Value: 'payments' }]],
    ]);
  });

  it('lists secrets on /_local/secrets with their stages, never their values', async () => {
    const page = await call(`${runtime.info.restUrl}/_local/secrets`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('local-stack/webhook-signing-key');
    expect(page.text).toContain('AWSCURRENT');
    expect(page.text).not.toContain('whsec-0123456789');
    expect(page.text).not.toContain('reporter');
  });
});

describe('an API Gateway AWS integration to Secrets Manager', () => {
  it('calls GetSecretValue on the local endpoint, signed as API Gateway signs', async () => {
    const answer = await call(`${runtime.base}/signing-key`);
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({
      name: 'local-stack/webhook-signing-key',
      value: 'whsec-0123456789',
      stages: ['AWSCURRENT'],
    });
  });
});

describe('the Secrets Manager API', () => {
  it('creates, versions, describes, lists, deletes and restores a secret', async () => {
    const created = await client.send(new CreateSecretCommand({ Name: 'tests/lifecycle', SecretString: 'one' }));
    expect(created.ARN).toMatch(ARN);
    const first = created.VersionId;
    const put = await client.send(new PutSecretValueCommand({ SecretId: 'tests/lifecycle', SecretString: 'two' }));
    expect(put.VersionStages).toEqual(['AWSCURRENT']);
    expect((await client.send(new GetSecretValueCommand({ SecretId: created.ARN }))).SecretString).toBe('two');
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: 'tests/lifecycle', VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous).toMatchObject({ SecretString: 'one', VersionId: first, VersionStages: ['AWSPREVIOUS'] });
    const byId = await client.send(
      new GetSecretValueCommand({ SecretId: 'tests/lifecycle', VersionId: put.VersionId }),
    );
    expect(byId.SecretString).toBe('two');

    await client.send(new UpdateSecretCommand({ SecretId: 'tests/lifecycle', Description: 'for the tests' }));
    const described = await client.send(new DescribeSecretCommand({ SecretId: 'tests/lifecycle' }));
    expect(described.Description).toBe('for the tests');
    expect(described.VersionIdsToStages).toEqual({
      [String(first)]: ['AWSPREVIOUS'],
      [String(put.VersionId)]: ['AWSCURRENT'],
    });
    const listed = await client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['tests/'] }] }));
    expect(listed.SecretList?.map((secret) => secret.Name)).toEqual(['tests/lifecycle']);

    const deleted = await client.send(
      new DeleteSecretCommand({ SecretId: 'tests/lifecycle', RecoveryWindowInDays: 7 }),
    );
    expect(deleted.DeletionDate).toBeInstanceOf(Date);
    expect(await failure(client.send(new GetSecretValueCommand({ SecretId: 'tests/lifecycle' })))).toEqual({
      name: 'InvalidRequestException',
      message: "You can't perform this operation on the secret because it was marked for deletion.",
      status: 400,
    });
    expect((await client.send(new DescribeSecretCommand({ SecretId: 'tests/lifecycle' }))).DeletedDate).toBeInstanceOf(
      Date,
    );
    const listedAfter = await client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['tests/'] }] }));
    expect(listedAfter.SecretList).toEqual([]);

    await client.send(new RestoreSecretCommand({ SecretId: 'tests/lifecycle' }));
    expect((await client.send(new GetSecretValueCommand({ SecretId: 'tests/lifecycle' }))).SecretString).toBe('two');

    await client.send(new DeleteSecretCommand({ SecretId: 'tests/lifecycle', ForceDeleteWithoutRecovery: true }));
    expect((await failure(client.send(new GetSecretValueCommand({ SecretId: 'tests/lifecycle' })))).name).toBe(
      'ResourceNotFoundException',
    );
  });

  it('refuses a second secret of the same name', async () => {
    await client.send(new CreateSecretCommand({ Name: 'tests/twice', SecretString: 'x' }));
    expect(await failure(client.send(new CreateSecretCommand({ Name: 'tests/twice', SecretString: 'y' })))).toEqual({
      name: 'ResourceExistsException',
      message: 'The operation failed because the secret tests/twice already exists.',
      status: 400,
    });
  });

  it('answers an unknown secret with ResourceNotFoundException', async () => {
    expect(await failure(client.send(new GetSecretValueCommand({ SecretId: 'no/such/secret' })))).toEqual({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
      status: 400,
    });
  });

  it('reads several secrets at once, with an error entry for the unknown one', async () => {
    const answer = await client.send(
      new BatchGetSecretValueCommand({ SecretIdList: ['local-stack/webhook-signing-key', 'no/such/secret'] }),
    );
    expect(answer.SecretValues?.map((value) => value.SecretString)).toEqual(['whsec-0123456789']);
    expect(answer.Errors).toEqual([
      {
        SecretId: 'no/such/secret',
        ErrorCode: 'ResourceNotFoundException',
        Message: "Secrets Manager can't find the specified secret.",
      },
    ]);
  });

  it('generates a random password with the same rules', async () => {
    const { RandomPassword } = await client.send(
      new GetRandomPasswordCommand({ PasswordLength: 12, ExcludePunctuation: true, ExcludeNumbers: true }),
    );
    expect(RandomPassword).toMatch(/^[A-Za-z]{12}$/);
    expect(RandomPassword).toMatch(/[a-z]/);
    expect(RandomPassword).toMatch(/[A-Z]/);
  });

  it('refuses an unsigned request', async () => {
    const answer = await call(runtime.serviceUrl('secretsmanager'), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'secretsmanager.GetSecretValue' },
      body: JSON.stringify({ SecretId: 'local-stack/webhook-signing-key' }),
    });
    expect(answer.status).toBe(400);
    expect(answer.json().__type).toBe('MissingAuthenticationTokenException');
    expect(answer.text).not.toContain('whsec');
  });
});
