/**
 * Parameter Store's data model (SSM API reference, "Parameter"): names are paths, every write makes a new
 * version, and a missing name is ParameterNotFound.
 */
export type ParameterType = 'String' | 'StringList' | 'SecureString';

export interface StoredParameter {
  Name: string;
  Type: ParameterType;
  Value: string;
  Version: number;
  LastModifiedDate: number;
  ARN: string;
  DataType: 'text';
}

export class SsmError extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

export class ParameterStore {
  private readonly parameters = new Map<string, StoredParameter>();
  private readonly region: string;
  private readonly accountId: string;

  constructor(region: string, accountId: string) {
    this.region = region;
    this.accountId = accountId;
  }

  put(name: string, value: string, type: ParameterType = 'String', overwrite = false): StoredParameter {
    const existing = this.parameters.get(name);
    if (existing && !overwrite) {
      throw new SsmError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    const parameter: StoredParameter = {
      Name: name,
      Type: type,
      Value: value,
      Version: (existing?.Version ?? 0) + 1,
      LastModifiedDate: Date.now() / 1000,
      ARN: `arn:aws:ssm:${this.region}:${this.accountId}:parameter/${name.replace(/^\//, '')}`,
      DataType: 'text',
    };
    this.parameters.set(name, parameter);
    return parameter;
  }

  get(name: string): StoredParameter {
    // `name:version` selects a version; only the latest is kept locally.
    const [bare, version] = name.split(':');
    const parameter = this.parameters.get(bare ?? name);
    if (!parameter || (version !== undefined && Number(version) !== parameter.Version)) {
      throw new SsmError('ParameterNotFound', `Parameter ${name} not found.`);
    }
    return parameter;
  }

  has(name: string): boolean {
    return this.parameters.has(name.split(':')[0] ?? name);
  }

  clear(): void {
    this.parameters.clear();
  }

  delete(name: string): void {
    if (!this.parameters.delete(name)) throw new SsmError('ParameterNotFound', `Parameter ${name} not found.`);
  }

  byPath(path: string, recursive: boolean): StoredParameter[] {
    const prefix = path.endsWith('/') ? path : `${path}/`;
    return [...this.parameters.values()]
      .filter((parameter) => {
        if (!parameter.Name.startsWith(prefix)) return false;
        return recursive || !parameter.Name.slice(prefix.length).includes('/');
      })
      .sort((a, b) => a.Name.localeCompare(b.Name));
  }
}
