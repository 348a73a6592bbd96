import { randomUUID } from 'node:crypto';
import { isObject, type TemplateObject } from '../../template/load.ts';
import type { LocalStack } from '../../template/stack.ts';
import { tagsOf } from './operations.ts';
import { passwordRulesOf, randomPassword } from './password.ts';
import type { SecretSeed, SecretStore } from './store.ts';

export const SECRET_TYPE = 'AWS::SecretsManager::Secret';

export interface TemplateSecret extends SecretSeed {
  logicalId: string;
}

/**
 * A GenerateSecretString's value (CloudFormation template reference, "AWS::SecretsManager::Secret
 * GenerateSecretString"): with SecretStringTemplate and GenerateStringKey, the template's JSON with the password
 * under that key; otherwise the password alone.
 */
const generatedValue = (logicalId: string, generate: TemplateObject, notes: string[]): string => {
  const password = randomPassword(passwordRulesOf(generate));
  const template = generate.SecretStringTemplate;
  const key = generate.GenerateStringKey;
  if (typeof template !== 'string' && typeof key !== 'string') return password;
  if (typeof template !== 'string' || typeof key !== 'string' || key === '') {
    notes.push(
      `${logicalId}.GenerateSecretString: SecretStringTemplate and GenerateStringKey go together (CloudFormation refuses one alone): the secret is the password alone`,
    );
    return password;
  }
  try {
    const parsed: unknown = JSON.parse(template);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return JSON.stringify({ ...parsed, [key]: password });
  } catch {
    notes.push(
      `${logicalId}.GenerateSecretString.SecretStringTemplate is not a JSON object: the secret is the password alone`,
    );
    return password;
  }
};

/**
 * The template's secrets as CloudFormation creates them, named as their Ref says (template/physical-ids.ts); the value
 * given, generated (once per start: a dynamic reference, Ref and GetSecretValue all read the same
 * one), or none (CloudFormation: "If you omit both GenerateSecretString and SecretString, you create an empty secret").
 */
export const templateSecrets = (stack: LocalStack, notes: string[]): TemplateSecret[] =>
  stack.ofType(SECRET_TYPE).map((resource) => {
    const { logicalId } = resource;
    const properties = stack.properties(logicalId);
    const arn = stack.ref(logicalId);
    // `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>`
    const name = arn.split(':').slice(6).join(':').slice(0, -7);
    const generate = isObject(properties.GenerateSecretString) ? properties.GenerateSecretString : undefined;
    if (generate && properties.SecretString !== undefined) {
      notes.push(
        `${logicalId}: SecretString and GenerateSecretString together (CloudFormation refuses both): SecretString is used`,
      );
    }
    const value =
      properties.SecretString !== undefined
        ? String(properties.SecretString)
        : generate
          ? generatedValue(logicalId, generate, notes)
          : undefined;
    return {
      logicalId,
      name,
      arn,
      ...(typeof properties.Description === 'string' ? { description: properties.Description } : {}),
      tags: tagsOf(properties.Tags),
      ...(value === undefined ? {} : { value }),
      versionId: randomUUID(),
    };
  });

/**
 * `{{resolve:secretsmanager:<secret-id>:SecretString:<json-key>:<version-stage>:<version-id>}}` (CloudFormation user
 * guide, "Get values stored in other services using dynamic references", "Secrets Manager secrets"): the secret by
 * name or ARN (an ARN holds colons of its own), its SecretString, or one key of it as JSON; the version AWSCURRENT
 * unless a stage or id is given. Resolved from the store as the template made it, as CloudFormation resolves it at
 * deploy time. Undefined when it names what the template does not define: see service.ts.
 */
export const resolveSecretReference = (store: SecretStore, reference: string): string | undefined => {
  const parts = reference.split(':');
  const idLength = parts[0] === 'arn' ? 7 : 1;
  const secretId = parts.slice(0, idLength).join(':');
  const [field = '', jsonKey = '', stage = '', versionId = ''] = parts.slice(idLength);
  // An empty segment is the default: `{{resolve:secretsmanager:MySecret::password}}` reads SecretString.
  if (field !== '' && field !== 'SecretString') return undefined;
  try {
    const secret = store.live(secretId);
    const version = store.version(secret, versionId || undefined, stage || undefined);
    if (version.string === undefined) return undefined;
    if (jsonKey === '') return version.string;
    const parsed: unknown = JSON.parse(version.string);
    const value = isObject(parsed as TemplateObject) ? (parsed as TemplateObject)[jsonKey] : undefined;
    if (value === undefined || value === null) return undefined;
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return undefined;
  }
};
