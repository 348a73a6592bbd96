import { invalidParameter, markedForDeletion, SecretsManagerError } from './errors.ts';
import { passwordRulesOf, randomPassword } from './password.ts';
import type { SecretStore, SecretVersion, StoredSecret, Tag } from './store.ts';

type Request = Record<string, unknown>;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const requestedValue = (request: Request): { string?: string; binary?: string } | undefined => {
  const string = text(request.SecretString);
  const binary = text(request.SecretBinary);
  if (string !== undefined && binary !== undefined) {
    throw invalidParameter('You must provide either SecretString or SecretBinary, but not both.');
  }
  if (string !== undefined) return { string };
  if (binary !== undefined) return { binary };
  return undefined;
};

export const tagsOf = (value: unknown): Tag[] =>
  Array.isArray(value)
    ? value.map((tag: Record<string, unknown>) => ({ Key: String(tag?.Key ?? ''), Value: String(tag?.Value ?? '') }))
    : [];

const stagesOf = (version: SecretVersion | undefined) => (version ? { VersionStages: version.stages } : {});

/** GetSecretValue's answer (API reference, "GetSecretValue", Response Syntax). */
const secretValue = (secret: StoredSecret, version: SecretVersion) => ({
  ARN: secret.arn,
  Name: secret.name,
  VersionId: version.id,
  ...(version.string !== undefined ? { SecretString: version.string } : {}),
  ...(version.binary !== undefined ? { SecretBinary: version.binary } : {}),
  VersionStages: version.stages,
  CreatedDate: version.created,
});

/** DescribeSecret's answer, and one entry of ListSecrets (API reference, "DescribeSecret", "SecretListEntry"). */
const description = (secret: StoredSecret) => ({
  ARN: secret.arn,
  Name: secret.name,
  ...(secret.description ? { Description: secret.description } : {}),
  ...(secret.kmsKeyId ? { KmsKeyId: secret.kmsKeyId } : {}),
  RotationEnabled: false,
  LastChangedDate: secret.lastChanged,
  ...(secret.lastAccessed ? { LastAccessedDate: secret.lastAccessed } : {}),
  ...(secret.deletionDate !== undefined ? { DeletedDate: secret.deletionDate } : {}),
  Tags: secret.tags,
  VersionIdsToStages: Object.fromEntries(
    secret.versions.filter((version) => version.stages.length > 0).map((version) => [version.id, version.stages]),
  ),
  CreatedDate: secret.created,
});

const read = (store: SecretStore, request: Request) => {
  const secret = store.live(request.SecretId);
  const version = store.version(secret, request.VersionId, request.VersionStage);
  // LastAccessedDate is a date only (API reference, "DescribeSecret": "rounded to the nearest day").
  secret.lastAccessed = Math.floor(Date.now() / 86_400_000) * 86_400;
  return secretValue(secret, version);
};

/**
 * ListSecrets and BatchGetSecretValue filters (API reference, "Filter"): each value a prefix of the key's field,
 * `!` before a value negates it; values of one key are OR-ed, keys AND-ed.
 */
const matches = (secret: StoredSecret, filters: unknown): boolean => {
  if (!Array.isArray(filters)) return true;
  return filters.every((filter: Record<string, unknown>) => {
    const key = String(filter?.Key ?? '');
    const values = Array.isArray(filter?.Values) ? filter.Values.map(String) : [];
    const fields = (): string[] => {
      switch (key) {
        case 'name':
          return [secret.name];
        case 'description':
          return [secret.description ?? ''];
        case 'tag-key':
          return secret.tags.map((tag) => tag.Key);
        case 'tag-value':
          return secret.tags.map((tag) => tag.Value);
        case 'all':
          return [secret.name, secret.description ?? '', ...secret.tags.flatMap((tag) => [tag.Key, tag.Value])];
        default:
          throw invalidParameter(`Invalid filter key: ${key}`);
      }
    };
    const candidates = fields();
    return values.some((value) =>
      value.startsWith('!')
        ? !candidates.some((field) => field.startsWith(value.slice(1)))
        : candidates.some((field) => field.startsWith(value)),
    );
  });
};

const page = <T>(items: T[], request: Request, max = 100) => {
  const asked = Number(request.MaxResults ?? max);
  const size = Number.isInteger(asked) ? Math.min(Math.max(asked, 1), max) : max;
  const start = typeof request.NextToken === 'string' ? Number(Buffer.from(request.NextToken, 'base64').toString()) : 0;
  if (!Number.isInteger(start) || start < 0) {
    throw new SecretsManagerError('InvalidNextTokenException', 'The NextToken value is invalid.');
  }
  const next = start + size < items.length ? Buffer.from(String(start + size)).toString('base64') : undefined;
  return { items: items.slice(start, start + size), ...(next ? { NextToken: next } : {}) };
};

const DAY = 86_400;

export const operations: Record<string, (store: SecretStore, request: Request) => unknown> = {
  GetSecretValue: read,
  BatchGetSecretValue: (store, request) => {
    const ids = Array.isArray(request.SecretIdList) ? request.SecretIdList.map(String) : undefined;
    if (ids && request.Filters) {
      throw invalidParameter('Either SecretIdList or Filters must be provided, but not both.');
    }
    if (!ids) {
      const listed = page(
        store.all().filter((secret) => secret.deletionDate === undefined && matches(secret, request.Filters)),
        request,
        20,
      );
      return {
        SecretValues: listed.items.map((secret) => read(store, { SecretId: secret.arn })),
        Errors: [],
        ...(listed.NextToken ? { NextToken: listed.NextToken } : {}),
      };
    }
    const values: unknown[] = [];
    const errors: unknown[] = [];
    for (const id of ids) {
      try {
        values.push(read(store, { SecretId: id }));
      } catch (error) {
        if (!(error instanceof SecretsManagerError)) throw error;
        errors.push({ SecretId: id, ErrorCode: error.type, Message: error.message });
      }
    }
    return { SecretValues: values, Errors: errors };
  },
  DescribeSecret: (store, request) => description(store.find(request.SecretId)),
  ListSecrets: (store, request) => {
    const all = store
      .all()
      .filter(
        (secret) =>
          (request.IncludePlannedDeletion === true || secret.deletionDate === undefined) &&
          matches(secret, request.Filters),
      );
    if (request.SortOrder === 'desc') all.reverse();
    const listed = page(all, request);
    return { SecretList: listed.items.map(description), ...(listed.NextToken ? { NextToken: listed.NextToken } : {}) };
  },
  CreateSecret: (store, request) => {
    const value = requestedValue(request);
    const secret = store.create(request.Name, {
      ...(text(request.Description) ? { description: String(request.Description) } : {}),
      ...(text(request.KmsKeyId) ? { kmsKeyId: String(request.KmsKeyId) } : {}),
      tags: tagsOf(request.Tags),
    });
    const version = value ? store.putValue(secret, value, text(request.ClientRequestToken)) : undefined;
    return { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.id } : {}) };
  },
  PutSecretValue: (store, request) => {
    const secret = store.live(request.SecretId);
    const value = requestedValue(request);
    if (!value) throw invalidParameter('You must provide either SecretString or SecretBinary.');
    const stages = Array.isArray(request.VersionStages) ? request.VersionStages.map(String) : undefined;
    const version = store.putValue(secret, value, text(request.ClientRequestToken), stages);
    return { ARN: secret.arn, Name: secret.name, VersionId: version.id, ...stagesOf(version) };
  },
  UpdateSecret: (store, request) => {
    const secret = store.live(request.SecretId);
    const value = requestedValue(request);
    if (text(request.Description) !== undefined) secret.description = String(request.Description);
    if (text(request.KmsKeyId) !== undefined) secret.kmsKeyId = String(request.KmsKeyId);
    secret.lastChanged = Date.now() / 1000;
    const version = value ? store.putValue(secret, value, text(request.ClientRequestToken)) : undefined;
    return { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.id } : {}) };
  },
  DeleteSecret: (store, request) => {
    const secret = store.find(request.SecretId);
    const force = request.ForceDeleteWithoutRecovery === true;
    if (force && request.RecoveryWindowInDays !== undefined) {
      throw invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    const days = Number(request.RecoveryWindowInDays ?? 30);
    if (!force && (!Number.isInteger(days) || days < 7 || days > 30)) {
      throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
    const at = Date.now() / 1000;
    if (force) {
      store.remove(secret);
      return { ARN: secret.arn, Name: secret.name, DeletionDate: at };
    }
    if (secret.deletionDate !== undefined) throw markedForDeletion();
    secret.deletionDate = at + days * DAY;
    return { ARN: secret.arn, Name: secret.name, DeletionDate: secret.deletionDate };
  },
  RestoreSecret: (store, request) => {
    const secret = store.find(request.SecretId);
    delete secret.deletionDate;
    return { ARN: secret.arn, Name: secret.name };
  },
  GetRandomPassword: (_store, request) => ({ RandomPassword: randomPassword(passwordRulesOf(request)) }),
  TagResource: (store, request) => {
    const secret = store.live(request.SecretId);
    for (const tag of tagsOf(request.Tags)) {
      secret.tags = [...secret.tags.filter((existing) => existing.Key !== tag.Key), tag];
    }
    return {};
  },
  UntagResource: (store, request) => {
    const secret = store.live(request.SecretId);
    const keys = Array.isArray(request.TagKeys) ? request.TagKeys.map(String) : [];
    secret.tags = secret.tags.filter((tag) => !keys.includes(tag.Key));
    return {};
  },
};
