import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { parse } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { isObject, type TemplateObject } from './load.ts';
import { isSamBuildOutput } from './template-file.ts';

/**
 * Parameter values the way `sam deploy --config-env <env>` (or `sam local start-api`) gets them: the environment's
 * `parameter_overrides` from samconfig.toml (the command's table, else the `global` one), then
 * `--parameter-overrides`, then each parameter's Default, checked against the template's constraints as
 * CloudFormation checks them before it creates anything.
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

/** SAM CLI's names, in its order of preference (samcli/lib/config/file_manager.py FILE_MANAGER_MAPPER). */
const SAMCONFIG_NAMES = ['samconfig.toml', 'samconfig.yaml', 'samconfig.yml'];

/**
 * The samconfig file SAM CLI reads for a template: beside it (beside the project's, for `sam build`'s output in
 * `.aws-sam/build/`), the first of samconfig.toml, .yaml, .yml that exists (samconfig.toml when none does).
 */
export const defaultSamconfigFile = (templatePath: string): string => {
  const template = resolve(templatePath);
  const folder = isSamBuildOutput(template) ? resolve(dirname(template), '..', '..') : dirname(template);
  const found = SAMCONFIG_NAMES.find((name) => existsSync(join(folder, name)));
  return join(folder, found ?? 'samconfig.toml');
};

const readConfig = (file: string): Table => {
  try {
    const text = readFileSync(file, 'utf8');
    const parsed: unknown = ['.yaml', '.yml'].includes(extname(file)) ? parseYaml(text) : parse(text);
    return isTable(parsed) ? parsed : {};
  } catch (error) {
    throw new ParameterError(`${file}: ${(error as Error).message}`);
  }
};

/**
 * The values samconfig.toml gives one command, keyed as SAM CLI keys them (`parameter_overrides`, `port`,
 * `env_vars`...): `[<env>.<command>.parameters]` over `[<env>.global.parameters]`, key by key, as SAM CLI's
 * SamConfig.get_all merges them. `command` is SAM CLI's table name: `local_start_api`, `local_invoke`,
 * `local_start_lambda`, `deploy`. No file, or no such environment: nothing.
 */
export const samConfigParameters = (file: string, env: string, command: string): Table => {
  if (!existsSync(file)) return {};
  const config = readConfig(file);
  return { ...section(config, env, 'global'), ...section(config, env, command) };
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

/**
 * SAM CLI's own default: `default` when asked for nothing; an environment asked for by name must exist. The values
 * are the `command` table's (`deploy` unless said: the stack as `sam deploy` creates it), else the `global` one's.
 */
export const readSamConfig = (file: string, requested?: string, command = 'deploy'): SamConfigEnvironment => {
  if (!existsSync(file)) {
    if (requested !== undefined && requested !== 'default') {
      throw new ParameterError(`--config-env ${requested}: there is no ${file}`);
    }
    return { parameterOverrides: {} };
  }
  const config = readConfig(file);
  const env = requested ?? 'default';
  if (requested === undefined && !isTable(config[env])) return { parameterOverrides: {} };
  if (!isTable(config[env])) {
    const envs = Object.keys(config).filter((key) => isTable(config[key]));
    throw new ParameterError(`${file} has no environment "${env}" (it has: ${envs.join(', ')})`);
  }
  const values = { ...section(config, env, 'global'), ...section(config, env, command) };
  const raw = values.parameter_overrides;
  const text = Array.isArray(raw) ? raw.map(String).join(' ') : typeof raw === 'string' ? raw : '';
  return {
    env,
    region: typeof values.region === 'string' ? values.region : undefined,
    stackName: typeof values.stack_name === 'string' ? values.stack_name : undefined,
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
  /** When given, a parameter with no value is listed here (and left out) instead of refusing the template. */
  missing?: string[],
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
    if (value === undefined && missing) {
      missing.push(name);
      continue;
    }
    if (value === undefined)
      throw new ParameterError(`Parameter '${name}' must have a value (no Default in the template)`);
    check(name, declaration, value);
    const type = String(declaration.Type ?? 'String');
    out[name] =
      type.startsWith('List<') || type === 'CommaDelimitedList' ? (value === '' ? [] : value.split(',')) : value;
  }
  return out;
};
