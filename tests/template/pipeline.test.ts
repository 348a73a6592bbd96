import { readFileSync } from 'node:fs';
import { loadYamlFile, parseYaml, type TemplateObject } from 'sam-local-runtime';
import { parse } from 'smol-toml';

/** The CI/CD pipeline users get: .github/workflows/ (actionlint checks them in `npm test`) and its AWS set-up. */
type Job = TemplateObject & { steps?: TemplateObject[] };
const workflow = (name: string) =>
  loadYamlFile(`.github/workflows/${name}`) as TemplateObject & { jobs: Record<string, Job> };
const runs = (job: Job | undefined): string => (job?.steps ?? []).map((step) => String(step.run ?? '')).join('\n');
const uses = (job: Job | undefined): string[] => (job?.steps ?? []).map((step) => String(step.uses ?? ''));

const role = loadYamlFile('pipeline/oidc-deploy-role.yaml') as TemplateObject;
const resources = role.Resources as Record<string, TemplateObject>;
const properties = (logicalId: string): TemplateObject => (resources[logicalId]?.Properties ?? {}) as TemplateObject;
const statements = (logicalId: string): TemplateObject[] =>
  (properties(logicalId).Policies as TemplateObject[]).flatMap(
    (policy) => (policy.PolicyDocument as TemplateObject).Statement as TemplateObject[],
  );

describe('pull requests (ci.yml)', () => {
  const ci = workflow('ci.yml');
  it('run npm ci && npm test and sam validate --lint, without AWS credentials', () => {
    expect(Object.keys(ci.on as TemplateObject)).toContain('pull_request');
    expect(runs(ci.jobs.test)).toMatch(/npm ci[^\n]*\n+npm test/);
    expect(runs(ci.jobs.validate)).toContain('sam validate --lint');
    expect(JSON.stringify(ci)).not.toMatch(/configure-aws-credentials|secrets\./);
  });
});

describe('main (deploy.yml, deploy-stage.yml)', () => {
  const deploy = workflow('deploy.yml');
  const stage = workflow('deploy-stage.yml');
  it('builds once, then deploys dev, test and prod in that order, with the e2e suite after dev and test', () => {
    expect(deploy.on).toMatchObject({ push: { branches: ['main'] } });
    expect(runs(deploy.jobs.build)).toContain('sam build');
    const chain = ['dev', 'test', 'prod'].map((name) => deploy.jobs[name] as TemplateObject);
    expect(chain.map((job) => job.needs)).toEqual(['build', 'dev', 'test']);
    expect(chain.map((job) => (job.with as TemplateObject).stage)).toEqual(['dev', 'test', 'prod']);
    expect(chain.map((job) => (job.with as TemplateObject).e2e)).toEqual([true, true, false]);
    for (const job of chain) expect(job.uses).toBe('./.github/workflows/deploy-stage.yml');
  });
  it('deploys a stage inside its GitHub environment with OIDC credentials only', () => {
    const job = stage.jobs.deploy as Job;
    expect(job.environment).toMatchObject({ name: '${{ inputs.stage }}' });
    expect(job.permissions).toMatchObject({ 'id-token': 'write' });
    const credentials = job.steps?.find((step) =>
      String(step.uses).startsWith('aws-actions/configure-aws-credentials'),
    );
    expect(credentials?.with).toMatchObject({ 'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}' });
    expect(JSON.stringify(stage)).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
    expect(runs(job)).toMatch(/sam deploy --config-env "\$STAGE"[\s\S]*--role-arn[\s\S]*--no-confirm-changeset/);
  });
  it('runs npm run test:e2e with the stage URLs, key and token', () => {
    const job = stage.jobs.deploy as Job;
    expect(runs(job)).toMatch(/API_URL=[\s\S]*WS_URL=[\s\S]*API_KEY=/);
    const e2e = job.steps?.find((step) => step.run === 'npm run test:e2e');
    expect(e2e).toMatchObject({ if: 'inputs.e2e', env: { TOKEN: '${{ secrets.E2E_TOKEN }}' } });
    expect(uses(job)).toContain('actions/download-artifact@v4');
  });
});

describe('pipeline/oidc-deploy-role.yaml', () => {
  it('trusts GitHub OIDC tokens of one repository and one environment (the stage) only', () => {
    const trust = (properties('GitHubDeployRole').AssumeRolePolicyDocument as TemplateObject)
      .Statement as TemplateObject[];
    expect(trust).toEqual([
      expect.objectContaining({
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': {
              'Fn::Sub': 'repo:${GitHubOrg}/${GitHubRepo}:environment:${Stage}',
            },
          },
        },
      }),
    ]);
    expect(resources.GitHubOidcProvider?.Properties).toMatchObject({
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  it('names every action (no wildcards) in both roles', () => {
    for (const logicalId of ['GitHubDeployRole', 'CloudFormationExecutionRole']) {
      for (const statement of statements(logicalId)) {
        for (const action of [statement.Action].flat()) expect(String(action)).not.toContain('*');
      }
    }
  });

  it('scopes the deploy role to the stacks samconfig.toml deploys and the SAM managed bucket', () => {
    const config = parse(readFileSync('samconfig.toml', 'utf8')) as Record<string, Record<string, TemplateObject>>;
    for (const env of ['dev', 'test', 'prod']) {
      expect((config[env]?.global?.parameters as TemplateObject | undefined)?.stack_name).toBe(`orders-api-${env}`);
    }
    const text = JSON.stringify(statements('GitHubDeployRole'));
    expect(text).toContain(':stack/${App}/*');
    expect(JSON.stringify(resources.GitHubDeployRole)).toContain('orders-api-${Stage}');
    expect(text).toContain('aws-sam-cli-managed-default-samclisourcebucket-*');
    const passRole = statements('GitHubDeployRole').find((statement) => statement.Action === 'iam:PassRole');
    expect(passRole).toMatchObject({
      Resource: { 'Fn::GetAtt': ['CloudFormationExecutionRole', 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    });
  });
});

it('parseYaml reads the workflows the way GitHub does (plain YAML, expressions as strings)', () => {
  expect(parseYaml('a: ${{ inputs.stage }}')).toEqual({ a: '${{ inputs.stage }}' });
});
