import { readFileSync } from 'node:fs';

/**
 * `--env-vars FILE`, as SAM CLI reads it (samcli/commands/local/cli_common/invoke_context.py `_get_env_vars_value`,
 * samcli/commands/local/lib/local_lambda.py `_make_env_vars`): JSON `{"Parameters": {...}, "<function>": {...}}`,
 * or, when the file is not JSON, a `.env` file whose variables apply to every function (as `Parameters`).
 */
export type EnvVarsOverrides = Record<string, Record<string, unknown>>;

export class EnvVarsError extends Error {
  override readonly name = 'EnvVarsError';
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const DOUBLE_QUOTE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/** `KEY=value` lines (`export` allowed, `#` comments, single- and double-quoted values, which may span lines). */
export const parseDotenv = (text: string): Record<string, string> => {
  const out: Record<string, string> = {};
  const entry =
    /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*("(?:[^"\\]|\\[\s\S])*"|'[^']*'|[^\n]*)[^\n]*$/gm;
  for (const match of text.matchAll(entry)) {
    const [, key, raw = ''] = match;
    if (key === undefined) continue;
    if (raw.startsWith('"')) {
      out[key] = raw.slice(1, -1).replace(/\\([\s\S])/g, (all, char: string) => DOUBLE_QUOTE_ESCAPES[char] ?? all);
    } else if (raw.startsWith("'")) {
      out[key] = raw.slice(1, -1);
    } else {
      out[key] = raw.replace(/[ \t]+#.*$/, '').trim();
    }
  }
  return out;
};

/** Reads and checks the file; a value that is not an object of variables is refused, as SAM CLI refuses it. */
export const readEnvVarsFile = (file: string): EnvVarsOverrides => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new EnvVarsError(`--env-vars ${file}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  if (!text.trimStart().startsWith('{')) {
    const variables = parseDotenv(text);
    if (Object.keys(variables).length === 0) {
      throw new EnvVarsError(`--env-vars ${file}: neither JSON nor a .env file of KEY=value lines`);
    }
    return { Parameters: variables };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new EnvVarsError(`--env-vars ${file}: not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(parsed)) throw new EnvVarsError(`--env-vars ${file}: not a JSON object`);
  for (const [key, value] of Object.entries(parsed)) {
    if (!isPlainObject(value)) {
      throw new EnvVarsError(
        `--env-vars ${file}: "${key}" must be an object of variables ({"${key}": {"NAME": "value"}}), got ${JSON.stringify(value)}`,
      );
    }
  }
  return parsed as EnvVarsOverrides;
};

/** Lambda takes strings only; SAM CLI writes booleans as `true`/`false` and objects, lists and null as "". */
const stringify = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
};

export interface FunctionIds {
  logicalId: string;
  /** The physical function name (`FunctionName`, or the generated one). */
  name: string;
}

const ownTable = (overrides: EnvVarsOverrides, fn: FunctionIds): Record<string, unknown> | undefined =>
  overrides[fn.logicalId] ?? overrides[fn.name];

/**
 * The values the file gives a function: `Parameters` for every function, its own table (by logical id, else
 * function name) over them; only variables the function declares in `Environment.Variables` are set (the SAM CLI
 * rule: there is nothing to override otherwise).
 */
export const envVarsFor = (
  overrides: EnvVarsOverrides | undefined,
  fn: FunctionIds,
  declared: readonly string[],
): Record<string, string> => {
  if (!overrides) return {};
  const merged = { ...overrides.Parameters, ...ownTable(overrides, fn) };
  return Object.fromEntries(declared.filter((name) => name in merged).map((name) => [name, stringify(merged[name])]));
};

/**
 * What the file asks for that SAM CLI would silently not do, one line each: a table naming no function, variables
 * no function (or not this function) declares.
 */
export const envVarsNotes = (
  overrides: EnvVarsOverrides | undefined,
  functions: (FunctionIds & { declared: readonly string[] })[],
): string[] => {
  if (!overrides) return [];
  const notes: string[] = [];
  const rule = 'SAM CLI sets only variables a function declares in Environment.Variables';
  for (const key of Object.keys(overrides)) {
    if (key === 'Parameters') continue;
    const fn = functions.find((candidate) => candidate.logicalId === key || candidate.name === key);
    if (!fn) {
      notes.push(`"${key}" is not a function of the template: its variables are not set`);
      continue;
    }
    const missing = Object.keys(overrides[key] ?? {}).filter((name) => !fn.declared.includes(name));
    if (missing.length > 0) notes.push(`${fn.logicalId}: ${missing.join(', ')} not set (${rule})`);
  }
  const unused = Object.keys(overrides.Parameters ?? {}).filter(
    (name) => !functions.some((fn) => fn.declared.includes(name)),
  );
  if (unused.length > 0) notes.push(`Parameters: ${unused.join(', ')} not set in any function (${rule})`);
  return notes;
};
