import { dynamicReferencesIn } from '../../template/dynamic-references.ts';
import { isObject } from '../../template/load.ts';
import { endpointOptions, type ServiceDefinition } from '../registry.ts';
import { type SecretsManagerService, startSecretsManagerService } from './server.ts';
import { SecretStore } from './store.ts';
import { resolveSecretReference, SECRET_TYPE, templateSecrets } from './template-secrets.ts';

declare module '../registry.ts' {
  interface LocalServices {
    secretsmanager: SecretsManagerService;
  }
}

/** Secrets Manager resources with no local effect, and what each would do on AWS. */
const NOT_RUN: Record<string, string> = {
  'AWS::SecretsManager::RotationSchedule': 'rotation does not run locally: the secret keeps its value until changed',
  'AWS::SecretsManager::SecretTargetAttachment':
    'the secret is not given the database connection fields (engine, host, port) AWS adds',
  'AWS::SecretsManager::ResourcePolicy': 'resource policies are not checked locally: any local caller may read',
};

/**
 * Secrets Manager with the template's secrets (AWS::SecretsManager::Secret: SecretString or GenerateSecretString);
 * a secret's Ref and `Fn::GetAtt Id` name its ARN, and the template's `{{resolve:secretsmanager:...}}` dynamic
 * references resolve to the same values GetSecretValue serves.
 */
export const secretsManagerService: ServiceDefinition<'secretsmanager'> = {
  name: 'secretsmanager',
  // The SDKs read `AWS_ENDPOINT_URL_` + the service id with its spaces as underscores: "Secrets Manager".
  environmentVariable: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  arnNames: ['secretsmanager'],
  endpointPrefix: 'secretsmanager',
  resourceTypes: [SECRET_TYPE, ...Object.keys(NOT_RUN)],
  start: async ({ stack, auth, host, port, log }) => {
    const notes: string[] = [];
    const secrets = templateSecrets(stack, notes);
    // What CloudFormation resolved the references from at deploy time: the template's secrets as made, whatever
    // the endpoint's secrets become later (a reset or a template reload does not change them).
    const deployed = new SecretStore(stack.region, stack.accountId);
    for (const secret of secrets) deployed.seed(secret);
    stack.addDynamicReferences('secretsmanager', (reference) => resolveSecretReference(deployed, reference));
    for (const type of Object.keys(NOT_RUN)) {
      for (const resource of stack.ofType(type)) notes.push(`${resource.logicalId} (${type}): ${NOT_RUN[type]}`);
    }
    // A reference the local secrets cannot answer stays as written (`{{resolve:secretsmanager:...}}`): CloudFormation
    // would refuse to deploy the stack, and a literal that says what it wanted is plainer to a function than a
    // made-up value that looks right.
    for (const resource of stack.resources.values()) {
      if (!resource.enabled || !JSON.stringify(resource.raw).includes('{{resolve:secretsmanager:')) continue;
      let properties: ReturnType<typeof stack.properties>;
      try {
        properties = stack.properties(resource.logicalId);
      } catch {
        continue;
      }
      for (const reference of dynamicReferencesIn(properties, 'secretsmanager')) {
        notes.push(
          `${resource.logicalId}: {{resolve:secretsmanager:${reference}}} names no secret (or key) of the template: left unresolved`,
        );
      }
    }
    const globals = isObject(stack.template.Globals) ? stack.template.Globals : {};
    for (const reference of dynamicReferencesIn(stack.resolve(globals), 'secretsmanager')) {
      notes.push(
        `Globals: {{resolve:secretsmanager:${reference}}} names no secret (or key) of the template: left unresolved`,
      );
    }
    for (const note of notes) log(`[secretsmanager] ${note}`);
    const service = await startSecretsManagerService({
      secrets,
      ...endpointOptions({ stack, auth, host, port }),
    });
    return {
      ...service,
      pages: [
        {
          path: '/_local/secrets',
          what: 'the secrets by name with their version stages (never their values)',
          read: () =>
            service.store.all().map((secret) => ({
              name: secret.name,
              arn: secret.arn,
              ...(secret.deletionDate !== undefined
                ? { deletionDate: new Date(secret.deletionDate * 1000).toISOString() }
                : {}),
              versions: secret.versions
                .filter((version) => version.stages.length > 0)
                .map((version) => ({ versionId: version.id, stages: version.stages })),
            })),
        },
      ],
    };
  },
};
