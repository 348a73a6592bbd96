import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { isObject, type TemplateObject } from './load.ts';

/**
 * Parameter values the way `sam deploy --config-env <env>` gets them: the environment's `parameter_overrides`
 * from samconfig.toml, then `--parameter-overrides`, then each parameter's Default, checked against the
 * template's constraints as CloudFormation checks them before it creates anything.
 */
export class ParameterError extends Error {
  override readonly name = 'ParameterError';
}

export interface SamConfigEnvironment {
  /** The samconfig.toml environment read, if any: none without a samconfig.toml, or one without `default`. */
  env?: string;
  region?: string;
  stackName?: string;
  parameterOverrides: Record<string, string>;
}

type Table = Record<string, unknown>;
const isTable = (value: unknown): value is Table =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const section = (config: Table, env: string, command: string): Table => {
  const envTable = config[env];
  const commandTable = isTable(envTable) ? envTable[command] : undefined;
  const parameters = isTable(commandTable) ? commandTable.parameters : undefined;
  return isTable(parameters) ? parameters : {};
};

/** `K=V K2="v w"` (SAM CLI's form) and `ParameterKey=K,ParameterValue=V` (the AWS CLI's). */
export const parseParameterOverrides = (text: string): Record<string, string> => {
  const out: Record<string, string> = {};
  const tokens = text.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [];
  for (const token of tokens) {
    const unquote = (value: string) => value.replace(/^(["'])(.*)\1$/s, '$2');
    const awsForm = /^ParameterKey=([^,]+),ParameterValue=(.*)$/s.exec(token);
    if (awsForm?.[1] !== undefined) {
      out[awsForm[1]] = unquote(awsForm[2] ?? '');
      continue;
    }
    const eq = token.indexOf('=');
    if (eq <= 0) throw new ParameterError(`parameter override "${token}" is not Key=Value`);
    out[token.slice(0, eq)] = unquote(token.slice(eq + 1));
  }
  return out;
};

/** SAM CLI's own default: `default` when asked for nothing; an environment asked for by name must exist. */
export const readSamConfig = (file: string, requested?: string): SamConfigEnvironment => {
  if (!existsSync(file)) {
    if (requested !== undefined && requested !== 'default') {
      throw new ParameterError(`--config-env ${requested}: there is no ${file}`);
    }
    return { parameterOverrides: {} };
  }
  let config: Table;
  try {
    config = parse(readFileSync(file, 'utf8')) as Table;
  } catch (error) {
    throw new ParameterError(`${file}: ${(error as Error).message}`);
  }
  const env = requested ?? 'default';
  if (requested === undefined && !isTable(config[env])) return { parameterOverrides: {} };
  if (!isTable(config[env])) {
    const envs = Object.keys(config).filter((key) => isTable(config[key]));
    throw new ParameterError(`${file} has no environment "${env}" (it has: ${envs.join(', ')})`);
  }
  const global = section(config, env, 'global');
  const deploy = section(config, env, 'deploy');
  const raw = deploy.parameter_overrides ?? global.parameter_overrides;
  const text = Array.isArray(raw) ? raw.map(String).join(' ') : typeof raw === 'string' ? raw : '';
  return {
    env,
    region: typeof (deploy.region ?? global.region) === 'string' ? String(deploy.region ?? global.region) : undefined,
    stackName:
      typeof (deploy.stack_name ?? global.stack_name) === 'string'
        ? String(deploy.stack_name ?? global.stack_name)
        : undefined,
    parameterOverrides: parseParameterOverrides(text),
  };
};

const check = (name: string, declaration: TemplateObject, value: string): void => {
  const fail = (rule: string): never => {
    const described = typeof declaration.ConstraintDescription === 'string' ? declaration.ConstraintDescription : rule;
    throw new ParameterError(`Parameter '${name}' failed to satisfy constraint: ${described} (value "${value}")`);
  };
  const type = String(declaration.Type ?? 'String');
  const isList = type.startsWith('List<') || type === 'CommaDelimitedList';
  if (type === 'Number' && (value.trim() === '' || Number.isNaN(Number(value)))) fail('must be a number');
  const allowed = Array.isArray(declaration.AllowedValues) ? declaration.AllowedValues.map(String) : undefined;
  for (const item of isList ? value.split(',') : [value]) {
    if (allowed && !allowed.includes(item)) fail(`must be one of ${allowed.join(', ')}`);
    if (
      typeof declaration.AllowedPattern === 'string' &&
      !new RegExp(`^(?:${declaration.AllowedPattern})$`).test(item)
    ) {
      fail(`must match pattern ${declaration.AllowedPattern}`);
    }
  }
  if (declaration.MinLength !== undefined && value.length < Number(declaration.MinLength))
    fail(`must be at least ${declaration.MinLength} characters`);
  if (declaration.MaxLength !== undefined && value.length > Number(declaration.MaxLength))
    fail(`must be at most ${declaration.MaxLength} characters`);
  if (declaration.MinValue !== undefined && Number(value) < Number(declaration.MinValue))
    fail(`must be at least ${declaration.MinValue}`);
  if (declaration.MaxValue !== undefined && Number(value) > Number(declaration.MaxValue))
    fail(`must be at most ${declaration.MaxValue}`);
};

export const resolveParameters = (
  template: TemplateObject,
  values: Record<string, string>,
): Record<string, string | string[]> => {
  const declared = isObject(template.Parameters) ? template.Parameters : {};
  for (const name of Object.keys(values)) {
    if (!(name in declared)) {
      throw new ParameterError(
        `Parameter '${name}' is not declared in the template (it has: ${Object.keys(declared).join(', ')})`,
      );
    }
  }
  const out: Record<string, string | string[]> = {};
  for (const [name, raw] of Object.entries(declared)) {
    const declaration = isObject(raw) ? raw : {};
    const value = values[name] ?? (declaration.Default === undefined ? undefined : String(declaration.Default));
    if (value === undefined)
      throw new ParameterError(`Parameter '${name}' must have a value (no Default in the template)`);
    check(name, declaration, value);
    const type = String(declaration.Type ?? 'String');
    out[name] =
      type.startsWith('List<') || type === 'CommaDelimitedList' ? (value === '' ? [] : value.split(',')) : value;
  }
  return out;
};
