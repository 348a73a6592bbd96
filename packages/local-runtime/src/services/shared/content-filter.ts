/**
 * Content filtering shared by EventBridge event patterns (EventBridge user guide, "Amazon EventBridge event patterns"
 * and "Comparison operators for use in event patterns") and SNS filter policies (SNS developer guide, "Amazon SNS
 * message filtering"): AWS documents both with the same operators. A filter has the subject's structure; each leaf is
 * an array of conditions any of which may hold (OR), every field must hold (AND), `$or` holds when one of its filters
 * does, and a subject field holding an array matches when one of its elements does. Which operators a service takes
 * is its dialect; what a condition means is decided here, once.
 */
import { type Glob, glob } from '../../shared/glob.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export class InvalidPatternError extends Error {
  override readonly name = 'InvalidPatternError';
}

/** The operators a service accepts in a condition object (and inside `anything-but`). */
export type FilterDialect = ReadonlySet<string>;

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The leaf values of a field: an array's elements (nested arrays flattened), or the value itself. */
const leaves = (value: Json | undefined): Json[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [value];
  return value.flatMap((element) => leaves(element));
};

/** `*` is any run of characters, `\*` a star and `\\` a backslash (EventBridge, "Wildcard matching"). */
const wildcardMatcher = (pattern: string): Glob => glob(pattern, { escapes: true });

const ipv4 = (text: string): number | undefined => {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return undefined;
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
};

const inCidr = (block: string, value: string): boolean => {
  const [base = '', bits = '32'] = block.split('/');
  const network = ipv4(base);
  const address = ipv4(value);
  if (network === undefined || address === undefined) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(network / size) === Math.floor(address / size);
};

const NUMERIC_OPERATORS: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

const lower = (value: string) => value.toLowerCase();

/** A string condition that may be `"text"` or `{"equals-ignore-case": "text"}` (prefix, suffix). */
const textTest = (operand: Json, test: (value: string, text: string) => boolean): ((value: Json) => boolean) => {
  if (typeof operand === 'string') return (value) => typeof value === 'string' && test(value, operand);
  if (isJsonObject(operand) && typeof operand['equals-ignore-case'] === 'string') {
    const text = lower(operand['equals-ignore-case']);
    return (value) => typeof value === 'string' && test(lower(value), text);
  }
  throw new InvalidPatternError('prefix/suffix match pattern must be a string or an equals-ignore-case object');
};

const listOf = (operand: Json): Json[] => (Array.isArray(operand) ? operand : [operand]);

/** The single operator of a condition object, or undefined when it holds none or several. */
const soleOperator = (condition: JsonObject): [string, Json] | undefined => {
  const entries = Object.entries(condition);
  const [entry] = entries;
  return entries.length === 1 && entry !== undefined ? entry : undefined;
};

/** `anything-but`: a value, a list of values, or a prefix / suffix / equals-ignore-case / wildcard condition. */
const anythingBut = (operand: Json): ((value: Json) => boolean) => {
  if (isJsonObject(operand)) {
    const [operator, inner] = soleOperator(operand) ?? [];
    if (operator === undefined || inner === undefined) {
      throw new InvalidPatternError('anything-but must hold one value, a list or one condition');
    }
    let matches: (value: Json) => boolean;
    if (operator === 'prefix' && typeof inner === 'string') matches = textTest(inner, (v, t) => v.startsWith(t));
    else if (operator === 'suffix' && typeof inner === 'string') matches = textTest(inner, (v, t) => v.endsWith(t));
    else if (operator === 'equals-ignore-case') {
      const texts = listOf(inner).map((text) => lower(String(text)));
      matches = (value) => typeof value === 'string' && texts.includes(lower(value));
    } else if (operator === 'wildcard') {
      const patterns = listOf(inner).map((text) => wildcardMatcher(String(text)));
      matches = (value) => typeof value === 'string' && patterns.some((pattern) => pattern.test(value));
    } else throw new InvalidPatternError(`Unsupported anything-but pattern: ${operator}`);
    return (value) => typeof value === 'string' && !matches(value);
  }
  const excluded = listOf(operand);
  return (value) => !excluded.some((item) => item === value);
};

const numeric = (operand: Json): ((value: Json) => boolean) => {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0) {
    throw new InvalidPatternError('Value of numeric must be an array of operator and number pairs.');
  }
  const tests: ((value: number) => boolean)[] = [];
  for (let i = 0; i < operand.length; i += 2) {
    const operator = NUMERIC_OPERATORS[String(operand[i])];
    const bound = operand[i + 1];
    if (!operator || typeof bound !== 'number') {
      throw new InvalidPatternError(`Unrecognized numeric range operator: ${String(operand[i])}`);
    }
    tests.push((value) => operator(value, bound));
  }
  return (value) => typeof value === 'number' && tests.every((test) => test(value));
};

/** One condition of a leaf's list, for one leaf value of the subject (`exists` is decided on the field, see below). */
const conditionTest = (condition: Json): ((value: Json) => boolean) => {
  if (!isJsonObject(condition)) {
    if (Array.isArray(condition))
      throw new InvalidPatternError('Match value must be a string, number, boolean or null');
    return (value) => value === condition;
  }
  const [operator, operand] = soleOperator(condition) ?? [];
  if (operator === undefined || operand === undefined) {
    throw new InvalidPatternError('A condition object must hold exactly one operator');
  }
  switch (operator) {
    case 'prefix':
      return textTest(operand, (value, text) => value.startsWith(text));
    case 'suffix':
      return textTest(operand, (value, text) => value.endsWith(text));
    case 'equals-ignore-case': {
      if (typeof operand !== 'string')
        throw new InvalidPatternError('equals-ignore-case match pattern must be a string');
      const text = lower(operand);
      return (value) => typeof value === 'string' && lower(value) === text;
    }
    case 'wildcard': {
      if (typeof operand !== 'string') throw new InvalidPatternError('wildcard match pattern must be a string');
      const pattern = wildcardMatcher(operand);
      return (value) => typeof value === 'string' && pattern.test(value);
    }
    case 'anything-but':
      return anythingBut(operand);
    case 'numeric':
      return numeric(operand);
    case 'cidr': {
      if (typeof operand !== 'string' || ipv4(operand.split('/')[0] ?? '') === undefined) {
        throw new InvalidPatternError('cidr match pattern must be an IPv4 CIDR block (IPv6 is not checked locally)');
      }
      return (value) => typeof value === 'string' && inCidr(operand, value);
    }
    default:
      throw new InvalidPatternError(`Unrecognized match type ${operator}`);
  }
};

/**
 * A leaf: the field's value (undefined when absent) against its list of conditions. Exists matching holds on leaves
 * only (EventBridge "Exists matching"; SNS "Key matching": "exists works only on leaf nodes"), so a field holding an
 * object does not exist for it.
 */
const leafMatches = (conditions: Json[], field: Json | undefined): boolean => {
  const values = leaves(field);
  return conditions.some((condition) => {
    if (isJsonObject(condition) && 'exists' in condition) {
      if (typeof condition.exists !== 'boolean')
        throw new InvalidPatternError('exists match pattern must be a boolean');
      const present = values.length > 0 && !values.every(isJsonObject);
      return condition.exists === present;
    }
    const test = conditionTest(condition);
    return values.some((value) => !isJsonObject(value) && test(value));
  });
};

/** A subject's own field only: `constructor` or `__proto__` in a filter name no inherited value. */
const fieldOf = (holder: JsonObject, key: string): Json | undefined =>
  Object.hasOwn(holder, key) ? holder[key] : undefined;

const orBranches = (rule: Json): JsonObject[] => {
  if (!Array.isArray(rule) || rule.length < 2 || !rule.every(isJsonObject)) {
    throw new InvalidPatternError('$or must hold an array of at least two patterns');
  }
  return rule;
};

const objectMatches = (filter: JsonObject, value: Json | undefined): boolean =>
  Object.entries(filter).every(([key, rule]) => {
    if (key === '$or') return orBranches(rule).some((branch) => objectMatches(branch, value));
    // A field of an object inside an array matches when it matches in one of the array's objects.
    const holders = Array.isArray(value) ? leaves(value).filter(isJsonObject) : isJsonObject(value) ? [value] : [];
    if (Array.isArray(rule)) {
      if (holders.length === 0) return leafMatches(rule, undefined);
      return holders.some((holder) => leafMatches(rule, fieldOf(holder, key)));
    }
    if (isJsonObject(rule)) {
      if (holders.length === 0) return objectMatches(rule, undefined);
      return holders.some((holder) => objectMatches(rule, fieldOf(holder, key)));
    }
    throw new InvalidPatternError(`Match value of ${key} must be an array or an object`);
  });

/** A filter or subject nested beyond the stack's depth is refused as a bad filter, not a failure of the service. */
const tooDeep = <T>(run: () => T): T => {
  try {
    return run();
  } catch (error) {
    if (error instanceof RangeError) throw new InvalidPatternError('Filter or subject is nested too deeply');
    throw error;
  }
};

/** Whether a subject matches a filter; throws InvalidPatternError for a bad filter (checkFilter refuses it first). */
export const matchesFilter = (filter: JsonObject, subject: Json | undefined): boolean =>
  tooDeep(() => objectMatches(filter, subject));

/** The operators a condition names, `anything-but`'s inner one included, for the dialect to allow. */
const operatorsOf = (condition: JsonObject): string[] => {
  const inner = condition['anything-but'];
  return [...Object.keys(condition), ...(isJsonObject(inner) ? Object.keys(inner) : [])];
};

/**
 * Checks every condition of a filter once against the service's dialect, so a bad filter is named when it is read,
 * not when a subject first reaches it.
 */
export const checkFilter = (filter: JsonObject, dialect: FilterDialect): void => {
  const check = (node: JsonObject) => {
    for (const [key, rule] of Object.entries(node)) {
      if (key === '$or') {
        for (const branch of orBranches(rule)) check(branch);
      } else if (Array.isArray(rule)) {
        if (rule.length === 0) throw new InvalidPatternError(`Empty arrays are not allowed (${key})`);
        for (const condition of rule) {
          if (isJsonObject(condition)) {
            const unknown = operatorsOf(condition).find((operator) => !dialect.has(operator));
            if (unknown !== undefined) throw new InvalidPatternError(`Unrecognized match type ${unknown}`);
          }
          if (isJsonObject(condition) && 'exists' in condition) leafMatches([condition], undefined);
          else conditionTest(condition);
        }
      } else if (isJsonObject(rule)) check(rule);
      else throw new InvalidPatternError(`Match value of ${key} must be an array or an object`);
    }
  };
  tooDeep(() => check(filter));
};
