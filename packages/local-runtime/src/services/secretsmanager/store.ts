import { randomUUID } from 'node:crypto';
import { invalidParameter, markedForDeletion, SecretsManagerError, secretNotFound } from './errors.ts';

/** One value of a secret (Secrets Manager user guide, "Secret versions"): its stages point at it. */
export interface SecretVersion {
  id: string;
  string?: string;
  /** Base64, as the JSON protocol carries blobs. */
  binary?: string;
  stages: string[];
  created: number;
}

export interface Tag {
  Key: string;
  Value: string;
}

export interface StoredSecret {
  arn: string;
  name: string;
  description?: string;
  kmsKeyId?: string;
  tags: Tag[];
  created: number;
  lastChanged: number;
  lastAccessed?: number;
  /** When a scheduled deletion takes effect (DeleteSecret with a recovery window). */
  deletionDate?: number;
  /** Oldest first. */
  versions: SecretVersion[];
}

export interface SecretSeed {
  name: string;
  arn: string;
  description?: string;
  tags?: Tag[];
  /** None: an empty secret (a template secret with neither SecretString nor GenerateSecretString). */
  value?: string;
  versionId: string;
}

const ARN_SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
// Secrets Manager user guide, "Troubleshoot": names may hold letters, digits and /_+=.@-.
const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const now = () => Date.now() / 1000;

/**
 * The secrets of one local Secrets Manager. A secret is found by name, full ARN or partial ARN (the ARN without its
 * six random characters), as GetSecretValue's SecretId reads (API reference, "GetSecretValue", SecretId).
 */
export class SecretStore {
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly arnPrefix: string;

  constructor(region: string, accountId: string) {
    this.arnPrefix = `arn:aws:secretsmanager:${region}:${accountId}:secret:`;
  }

  all(): StoredSecret[] {
    return [...this.secrets.values()];
  }

  clear(): void {
    this.secrets.clear();
  }

  seed(seed: SecretSeed): void {
    const at = now();
    this.secrets.set(seed.name, {
      arn: seed.arn,
      name: seed.name,
      ...(seed.description ? { description: seed.description } : {}),
      tags: seed.tags ?? [],
      created: at,
      lastChanged: at,
      versions:
        seed.value === undefined ? [] : [{ id: seed.versionId, string: seed.value, stages: [CURRENT], created: at }],
    });
  }

  /** Any secret, deleted ones too (DescribeSecret and RestoreSecret see those). */
  find(secretId: unknown): StoredSecret {
    if (typeof secretId !== 'string' || secretId === '') throw invalidParameter('You must provide a SecretId.');
    const byName = this.secrets.get(secretId);
    const secret =
      byName ??
      [...this.secrets.values()].find(
        (candidate) => candidate.arn === secretId || candidate.arn.slice(0, -7) === secretId,
      );
    if (!secret) throw secretNotFound();
    // A recovery window that has passed: the secret is gone.
    if (secret.deletionDate !== undefined && secret.deletionDate <= now()) {
      this.secrets.delete(secret.name);
      throw secretNotFound();
    }
    return secret;
  }

  /** A secret not scheduled for deletion: what reading and changing it need. */
  live(secretId: unknown): StoredSecret {
    const secret = this.find(secretId);
    if (secret.deletionDate !== undefined) throw markedForDeletion();
    return secret;
  }

  create(name: unknown, details: { description?: string; kmsKeyId?: string; tags?: Tag[] }): StoredSecret {
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      throw invalidParameter(
        'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
      );
    }
    const existing = this.secrets.get(name);
    if (existing?.deletionDate !== undefined) {
      throw new SecretsManagerError(
        'InvalidRequestException',
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
      );
    }
    if (existing) {
      throw new SecretsManagerError(
        'ResourceExistsException',
        `The operation failed because the secret ${name} already exists.`,
      );
    }
    let suffix = '';
    for (let i = 0; i < 6; i++) suffix += ARN_SUFFIX[Math.floor(Math.random() * ARN_SUFFIX.length)];
    const at = now();
    const secret: StoredSecret = {
      arn: `${this.arnPrefix}${name}-${suffix}`,
      name,
      ...(details.description ? { description: details.description } : {}),
      ...(details.kmsKeyId ? { kmsKeyId: details.kmsKeyId } : {}),
      tags: details.tags ?? [],
      created: at,
      lastChanged: at,
      versions: [],
    };
    this.secrets.set(name, secret);
    return secret;
  }

  /**
   * A new value (PutSecretValue, UpdateSecret, CreateSecret with a value). The stages it takes (AWSCURRENT by
   * default) leave the versions that had them; AWSCURRENT moving leaves AWSPREVIOUS on the version it left (user
   * guide, "Secret versions"). The same ClientRequestToken again with the same value is the same version; with another
   * value it is refused.
   */
  putValue(
    secret: StoredSecret,
    value: { string?: string; binary?: string },
    token?: string,
    stages: string[] = [CURRENT],
  ): SecretVersion {
    const again = token === undefined ? undefined : secret.versions.find((version) => version.id === token);
    if (again) {
      if (again.string === value.string && again.binary === value.binary) return again;
      throw new SecretsManagerError(
        'ResourceExistsException',
        "You can't modify an existing version, you can only create a new version.",
      );
    }
    const version: SecretVersion = { id: token ?? randomUUID(), ...value, stages: [], created: now() };
    const current = secret.versions.find((candidate) => candidate.stages.includes(CURRENT));
    for (const stage of stages) {
      for (const other of secret.versions) other.stages = other.stages.filter((name) => name !== stage);
      version.stages.push(stage);
    }
    if (stages.includes(CURRENT) && current) {
      for (const other of secret.versions) other.stages = other.stages.filter((name) => name !== PREVIOUS);
      current.stages.push(PREVIOUS);
    }
    secret.versions.push(version);
    secret.lastChanged = version.created;
    return version;
  }

  /** The version a read asks for: by id, by stage, or AWSCURRENT. */
  version(secret: StoredSecret, versionId?: unknown, stage?: unknown): SecretVersion {
    if (typeof versionId === 'string' && versionId !== '') {
      const version = secret.versions.find((candidate) => candidate.id === versionId);
      if (!version || (typeof stage === 'string' && !version.stages.includes(stage))) {
        throw new SecretsManagerError(
          'ResourceNotFoundException',
          `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
        );
      }
      return version;
    }
    const label = typeof stage === 'string' && stage !== '' ? stage : CURRENT;
    const version = secret.versions.find((candidate) => candidate.stages.includes(label));
    if (!version) {
      throw new SecretsManagerError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for staging label: ${label}`,
      );
    }
    return version;
  }

  remove(secret: StoredSecret): void {
    this.secrets.delete(secret.name);
  }
}
