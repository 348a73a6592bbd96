import { existsSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { type EnvVarsOverrides, readEnvVarsFile } from '../runtime/env-vars.ts';
import {
  defaultSamconfigFile,
  type ParameterError,
  parseParameterOverrides,
  samConfigParameters,
} from '../template/parameters.ts';
import { findTemplate } from '../template/template-file.ts';
import { configKeysOf, type Flag } from './flags.ts';

/**
 * The command line of the local commands, read as SAM CLI reads it: the flags of flags.ts (`--name value`,
 * `--name=value`, `-p 3000`, `-p3000`), each value from the command line, else its environment variable, else
 * samconfig's `[<env>.<command>.parameters]`, else `[<env>.global.parameters]`, else its default (click's order,
 * samcli/cli/cli_config_file.py); the template found as SAM CLI finds it; `--env-vars` read. Shared by start-api,
 * invoke and start-lambda.
 */

/** A command line the command cannot take: one line, the usage, exit 2 (click's UsageError). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Input the command cannot run with (a template or samconfig that cannot be read): exit 1. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

export type FlagValue = string | boolean | string[];

export interface ParsedCommandLine {
  /** Flags given on the command line, by name. */
  given: Map<string, FlagValue>;
  positionals: string[];
}

const spellings = (flag: Flag): string[] => [
  `--${flag.name}`,
  ...(flag.short ? [`-${flag.short}`] : []),
  ...(flag.aliases ?? []),
];

/** Splits argv into flags and positionals; an unknown flag, or one without its value, is a UsageError. */
export const parseCommandLine = (argv: readonly string[], flags: readonly Flag[]): ParsedCommandLine => {
  const bySpelling = new Map<string, { flag: Flag; negative: boolean }>();
  for (const flag of flags) {
    for (const spelling of spellings(flag)) bySpelling.set(spelling, { flag, negative: false });
    if (flag.negatable) bySpelling.set(`--${flag.negative ?? `no-${flag.name}`}`, { flag, negative: true });
  }
  const given = new Map<string, FlagValue>();
  const positionals: string[] = [];
  const add = (flag: Flag, value: string) => {
    const previous = given.get(flag.name);
    if (flag.kind === 'list' || flag.kind === 'nargs') {
      given.set(flag.name, [...(Array.isArray(previous) ? previous : []), value]);
    } else given.set(flag.name, value);
  };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!token.startsWith('-') || token === '-') {
      positionals.push(token);
      continue;
    }
    const eq = token.startsWith('--') ? token.indexOf('=') : -1;
    let spelling = eq > 0 ? token.slice(0, eq) : token;
    let inline = eq > 0 ? token.slice(eq + 1) : undefined;
    // `-p3000`: a short flag with its value attached.
    if (!bySpelling.has(spelling) && !token.startsWith('--') && token.length > 2) {
      spelling = token.slice(0, 2);
      inline = token.slice(2);
    }
    const known = bySpelling.get(spelling);
    if (!known) throw new UsageError(`no such option: ${spelling}`);
    const { flag, negative } = known;
    if (flag.kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`${spelling} takes no value`);
      given.set(flag.name, !negative);
      continue;
    }
    const value = inline ?? argv[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith('-') && value !== '-')) {
      throw new UsageError(`${spelling} requires a value`);
    }
    if (inline === undefined) i++;
    add(flag, value);
    if (flag.kind === 'nargs' && inline === undefined) {
      while (i + 1 < argv.length && !(argv[i + 1] as string).startsWith('-')) add(flag, argv[++i] as string);
    }
  }
  return { given, positionals };
};

/** Where a value came from, for the lines that name it. */
export type ValueSource = 'command line' | `$${string}` | `${string}.parameters]`;

export interface ResolvedFlag {
  value: FlagValue;
  source: ValueSource;
}

const fromConfig = (flag: Flag, raw: unknown): FlagValue | undefined => {
  if (raw === undefined || raw === null) return undefined;
  if (flag.kind === 'boolean') return raw === true || raw === 'true';
  if (flag.kind === 'list' || flag.kind === 'nargs') return (Array.isArray(raw) ? raw : [raw]).map(String);
  return String(raw);
};

const fromEnv = (flag: Flag, raw: string | undefined): FlagValue | undefined => {
  if (raw === undefined || raw === '') return undefined;
  if (flag.kind === 'boolean') return ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase());
  if (flag.kind === 'list') return raw.split(/\s+/).filter(Boolean);
  if (flag.kind === 'nargs') return [raw];
  return raw;
};

/** Each flag's value by click's precedence: command line, environment variable, samconfig table, none. */
export const resolveFlags = (
  flags: readonly Flag[],
  given: ReadonlyMap<string, FlagValue>,
  config: { values: Record<string, unknown>; table: string },
  env: NodeJS.ProcessEnv = process.env,
): Map<string, ResolvedFlag> => {
  const out = new Map<string, ResolvedFlag>();
  for (const flag of flags) {
    const onLine = given.get(flag.name);
    if (onLine !== undefined) {
      out.set(flag.name, { value: onLine, source: 'command line' });
      continue;
    }
    const fromVariable = flag.env ? fromEnv(flag, env[flag.env]) : undefined;
    if (fromVariable !== undefined) {
      out.set(flag.name, { value: fromVariable, source: `$${flag.env}` });
      continue;
    }
    const source = `${config.table}.parameters]` as const;
    const key = configKeysOf(flag).find((candidate) => config.values[candidate] !== undefined);
    const configured = key === undefined ? undefined : fromConfig(flag, config.values[key]);
    if (configured !== undefined) {
      out.set(flag.name, { value: configured, source });
      continue;
    }
    // SAM CLI's `--no-watch` is a flag of its own: `no_watch = true` in samconfig.
    const negativeKey = flag.negatable ? `${flag.negative ?? `no-${flag.name}`}`.replaceAll('-', '_') : undefined;
    const negated = negativeKey === undefined ? undefined : config.values[negativeKey];
    if (negated !== undefined) out.set(flag.name, { value: !(negated === true || negated === 'true'), source });
  }
  return out;
};

/** What the command knows once its command line, environment and samconfig are read. */
export interface LocalCommandOptions {
  /** Every flag that has a value, with where it came from. */
  flags: Map<string, ResolvedFlag>;
  positionals: string[];
  templatePath: string;
  /** One line: which template is read, and why that one. */
  templateNote: string;
  samconfigPath: string;
  configEnv: string | undefined;
  /** SAM CLI's table name of the command (`local_start_api`). */
  samconfigCommand: string;
  /** `--parameter-overrides`, as one `K='V' ...` string (merged over samconfig's by the stack). */
  parameterOverrides: string;
  envVars?: EnvVarsOverrides;
  /** Lines to print before starting: flags accepted and ignored. */
  notes: string[];
  string(name: string): string | undefined;
  boolean(name: string): boolean | undefined;
  list(name: string): string[];
}

export interface LocalCommand {
  /** `start-api` */
  name: string;
  /** SAM CLI's samconfig table: `local_start_api`, `local_invoke`, `local_start_lambda` (`deploy` for `start`). */
  samconfigCommand: string;
  flags: readonly Flag[];
  /** Look for `.aws-sam/build/template.yaml` first, as SAM CLI's local commands do. */
  includeBuildTemplate: boolean;
  /** Read the command's own flags from its samconfig table too (not only parameter values). */
  flagsFromSamconfig: boolean;
}

const quoteValue = (value: string): string => (value.includes("'") ? `"${value}"` : `'${value}'`);

/**
 * `--parameter-overrides A=1 B=2`, `--parameter-overrides 'A=1 B="x y"'` or a samconfig list, as one string the
 * stack parses. A shell-unquoted `Key=two words` is one pair.
 */
export const joinParameterOverrides = (tokens: readonly string[]): string => {
  const pairs: Record<string, string> = {};
  for (const token of tokens) {
    const single = /^([A-Za-z0-9]+)=([^=]*)$/.exec(token);
    if (single?.[1] !== undefined && /\s/.test(single[2] ?? '') && !/["']/.test(single[2] ?? '')) {
      pairs[single[1]] = single[2] ?? '';
      continue;
    }
    try {
      Object.assign(pairs, parseParameterOverrides(token));
    } catch (error) {
      throw new UsageError(`--parameter-overrides: ${(error as ParameterError).message}`);
    }
  }
  return Object.entries(pairs)
    .map(([key, value]) => `${key}=${quoteValue(value)}`)
    .join(' ');
};

const shown = (path: string): string => relative(process.cwd(), path) || path;

/**
 * Reads a local command's command line: help is the caller's (it is answered before anything is read); a refused
 * flag or a bad value is a UsageError, an unreadable samconfig or --env-vars file a CommandError.
 */
export const readLocalCommand = (
  command: LocalCommand,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): LocalCommandOptions => {
  const { given, positionals } = parseCommandLine(argv, command.flags);
  const explicitTemplate = (given.get('template') as string | undefined) ?? (env.SAM_TEMPLATE_FILE || undefined);
  // SAM CLI: samconfig is beside a template given on the command line, else in the current folder.
  const configFolder = explicitTemplate ? dirname(resolve(explicitTemplate)) : process.cwd();
  const configFileFlag = given.get('config-file') as string | undefined;
  const samconfigPath = configFileFlag
    ? isAbsolute(configFileFlag)
      ? configFileFlag
      : resolve(configFolder, configFileFlag)
    : defaultSamconfigFile(resolve(configFolder, 'template.yaml'));
  if (configFileFlag && !existsSync(samconfigPath)) {
    throw new UsageError(`--config-file ${configFileFlag}: ${shown(samconfigPath)} does not exist`);
  }
  const configEnv = given.get('config-env') as string | undefined;
  const table = `[${configEnv ?? 'default'}.${command.samconfigCommand}`;
  let configValues: Record<string, unknown> = {};
  if (command.flagsFromSamconfig) {
    try {
      configValues = samConfigParameters(samconfigPath, configEnv ?? 'default', command.samconfigCommand);
    } catch (error) {
      throw new CommandError((error as Error).message);
    }
  }
  const flags = resolveFlags(command.flags, given, { values: configValues, table }, env);
  const notes: string[] = [];
  for (const flag of command.flags) {
    const resolved = flags.get(flag.name);
    if (!resolved || resolved.value === false) continue;
    const where = resolved.source === 'command line' ? '' : ` (${resolved.source})`;
    if (flag.refused) throw new UsageError(`--${flag.name}${where} is not supported: ${flag.refused}`);
    if (flag.choices) {
      const value = String(resolved.value);
      if (!flag.choices.some((choice) => choice.toLowerCase() === value.toLowerCase())) {
        throw new UsageError(`--${flag.name}${where} must be one of ${flag.choices.join(', ')}, got "${value}"`);
      }
    }
    if (flag.ignored) notes.push(`--${flag.name}${where}: accepted and ignored: ${flag.ignored}`);
  }
  const string = (name: string) => {
    const value = flags.get(name)?.value;
    return typeof value === 'string' ? value : Array.isArray(value) ? value.at(-1) : undefined;
  };
  const boolean = (name: string) => {
    const value = flags.get(name)?.value;
    return typeof value === 'boolean' ? value : undefined;
  };
  const list = (name: string) => {
    const value = flags.get(name)?.value;
    return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  };

  const templateFlag = string('template');
  let templatePath: string;
  let templateNote: string;
  if (templateFlag) {
    templatePath = templateFlag;
    templateNote = `template ${templateFlag}`;
  } else {
    const found = findTemplate(process.cwd(), { includeBuild: command.includeBuildTemplate });
    if (!found) {
      throw new CommandError(
        `no template.yaml, template.yml or template.json in ${process.cwd()}: pass --template FILE`,
      );
    }
    templatePath = found.path;
    templateNote = found.note;
  }
  if (!existsSync(templatePath)) throw new CommandError(`${templatePath}: cannot be read (ENOENT)`);

  const envVarsFile = string('env-vars');
  let envVars: EnvVarsOverrides | undefined;
  if (envVarsFile) {
    if (!existsSync(envVarsFile)) throw new UsageError(`--env-vars ${envVarsFile}: no such file`);
    try {
      envVars = readEnvVarsFile(envVarsFile);
    } catch (error) {
      throw new CommandError((error as Error).message);
    }
  }
  return {
    flags,
    positionals,
    templatePath,
    templateNote,
    samconfigPath,
    configEnv,
    samconfigCommand: command.samconfigCommand,
    parameterOverrides:
      flags.get('parameter-overrides')?.source === 'command line'
        ? joinParameterOverrides(list('parameter-overrides'))
        : '',
    ...(envVars ? { envVars } : {}),
    notes,
    string,
    boolean,
    list,
  };
};

/** `--help` text: the command's flags, the ones it accepts and ignores, the ones it refuses. */
export const usageOf = (synopsis: string, flags: readonly Flag[], footer = ''): string => {
  const label = (flag: Flag) => {
    const long = flag.negatable ? `--${flag.name}, --${flag.negative ?? `no-${flag.name}`}` : `--${flag.name}`;
    const others = spellings(flag).filter((spelling) => spelling !== `--${flag.name}`);
    return [...others, long].join(', ') + (flag.value ? ` ${flag.value}` : '');
  };
  const served = flags.filter((flag) => !flag.ignored && !flag.refused);
  const width = Math.min(34, Math.max(...served.map((flag) => label(flag).length)) + 2);
  const lines = served.map((flag) => {
    const text = label(flag);
    return text.length >= width
      ? `  ${text}\n  ${' '.repeat(width)}${flag.help}`
      : `  ${text.padEnd(width)}${flag.help}`;
  });
  const names = (title: string, list: Flag[]) => {
    const out = [title];
    for (const name of list.map((flag) => `--${flag.name}`)) {
      const last = out.length - 1;
      if (`${out[last]} ${name},`.length > 116) out.push(`  ${name},`);
      else out[last] = `${out[last]} ${name},`;
    }
    out[out.length - 1] = (out.at(-1) as string).replace(/,$/, '');
    return out;
  };
  const ignored = flags.filter((flag) => flag.ignored);
  const refused = flags.filter((flag) => flag.refused);
  return [
    synopsis,
    '',
    ...lines,
    ...(ignored.length > 0
      ? ['', ...names('Accepted and ignored (SAM CLI flags about containers; one line says so):', ignored)]
      : []),
    ...(refused.length > 0 ? ['', ...names('Refused, with the reason (exit 2):', refused)] : []),
    ...(footer ? ['', footer] : []),
  ].join('\n');
};

/** What follows a usage error's line, as click prints it: the synopsis and where the help is. */
export const shortUsage = (program: string): string => `Usage: ${program} [options]\nTry '${program} --help' for help.`;
