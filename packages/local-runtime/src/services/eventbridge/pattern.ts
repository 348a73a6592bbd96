/**
 * EventBridge event patterns (EventBridge user guide, "Amazon EventBridge event patterns" and "Comparison operators
 * for use in event patterns"): a pattern has the event's structure; each leaf is an array of conditions any of which
 * may hold (OR), every field must hold (AND), `$or` holds when one of its patterns does, and an event field holding an
 * array matches when one of its elements does ("Matching on arrays").
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export class InvalidPatternError extends Error {
  override readonly name = 'InvalidPatternError';
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The leaf values of a field: an array's elements (nested arrays flattened), or the value itself. */
const leaves = (value: Json | undefined): Json[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return [value];
  return value.flatMap((element) => leaves(element));
};

/** `*` is any run of characters, `\*` a star and `\\` a backslash ("Wildcard matching"). */
const wildcardRegExp = (pattern: string): RegExp => {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] ?? '';
    if (char === '\\' && i + 1 < pattern.length) {
      i++;
      source += (pattern[i] ?? '').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (char === '*') source += '.*';
    else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
};

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
  if (isObject(operand) && typeof operand['equals-ignore-case'] === 'string') {
    const text = lower(operand['equals-ignore-case']);
    return (value) => typeof value === 'string' && test(lower(value), text);
  }
  throw new InvalidPatternError('prefix/suffix match pattern must be a string or an equals-ignore-case object');
};

const listOf = (operand: Json): Json[] => (Array.isArray(operand) ? operand : [operand]);

/** `anything-but`: a value, a list of values, or a prefix / suffix / equals-ignore-case / wildcard condition. */
const anythingBut = (operand: Json): ((value: Json) => boolean) => {
  if (isObject(operand)) {
    const [operator, inner] = Object.entries(operand)[0] ?? [];
    if (Object.keys(operand).length !== 1 || inner === undefined) {
      throw new InvalidPatternError('anything-but must hold one value, a list or one condition');
    }
    let matches: (value: Json) => boolean;
    if (operator === 'prefix' && typeof inner === 'string') matches = textTest(inner, (v, t) => v.startsWith(t));
    else if (operator === 'suffix' && typeof inner === 'string') matches = textTest(inner, (v, t) => v.endsWith(t));
    else if (operator === 'equals-ignore-case') {
      const texts = listOf(inner).map((text) => lower(String(text)));
      matches = (value) => typeof value === 'string' && texts.includes(lower(value));
    } else if (operator === 'wildcard') {
      const patterns = listOf(inner).map((text) => wildcardRegExp(String(text)));
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

/** One condition of a leaf's list, for one leaf value of the event (`exists` is decided on the field, see below). */
const conditionTest = (condition: Json): ((value: Json) => boolean) => {
  if (!isObject(condition)) {
    if (Array.isArray(condition))
      throw new InvalidPatternError('Match value must be a string, number, boolean or null');
    return (value) => value === condition;
  }
  const entries = Object.entries(condition);
  const [operator, operand] = entries[0] ?? [];
  if (entries.length !== 1 || operand === undefined) {
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
      const pattern = wildcardRegExp(operand);
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

/** A leaf: the field's value (undefined when absent) against its list of conditions. */
const leafMatches = (conditions: Json[], field: Json | undefined): boolean => {
  const values = leaves(field);
  return conditions.some((condition) => {
    if (isObject(condition) && 'exists' in condition) {
      if (typeof condition.exists !== 'boolean')
        throw new InvalidPatternError('exists match pattern must be a boolean');
      // Exists matching holds on leaves only ("Exists matching"): a field holding an object does not exist for it.
      const present = values.length > 0 && !values.every(isObject);
      return condition.exists === present;
    }
    const test = conditionTest(condition);
    return values.some((value) => !isObject(value) && test(value));
  });
};

/** An event's own field only: `constructor` or `__proto__` in a pattern name no inherited value. */
const fieldOf = (holder: JsonObject, key: string): Json | undefined =>
  Object.hasOwn(holder, key) ? holder[key] : undefined;

const objectMatches = (pattern: JsonObject, value: Json | undefined): boolean =>
  Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or') {
      if (!Array.isArray(rule) || rule.length < 2 || !rule.every(isObject)) {
        throw new InvalidPatternError('$or must hold an array of at least two patterns');
      }
      return rule.some((branch) => objectMatches(branch as JsonObject, value));
    }
    // A field of an object inside an array matches when it matches in one of the array's objects.
    const holders = Array.isArray(value) ? leaves(value).filter(isObject) : isObject(value) ? [value] : [];
    if (Array.isArray(rule)) {
      if (holders.length === 0) return leafMatches(rule, undefined);
      return holders.some((holder) => leafMatches(rule, fieldOf(holder, key)));
    }
    if (isObject(rule)) {
      if (holders.length === 0) return objectMatches(rule, undefined);
      return holders.some((holder) => objectMatches(rule, fieldOf(holder, key)));
    }
    throw new InvalidPatternError(`Match value of ${key} must be an array or an object`);
  });

/** Whether an event (the whole envelope, `detail` parsed) matches a pattern; throws InvalidPatternError for a bad one. */
export const matchesPattern = (pattern: Json, event: Json): boolean => {
  if (!isObject(pattern)) throw new InvalidPatternError('Event pattern must be a JSON object');
  return tooDeep(() => objectMatches(pattern, event));
};

/** A pattern or event nested beyond the stack's depth is refused as a bad pattern, not a failure of the service. */
const tooDeep = <T>(run: () => T): T => {
  try {
    return run();
  } catch (error) {
    if (error instanceof RangeError) throw new InvalidPatternError('Event pattern or event is nested too deeply');
    throw error;
  }
};

/**
 * Parses a pattern (JSON text or already an object) and checks every condition of it once, so a bad pattern is named
 * when the rule is read, not when an event first reaches it.
 */
export const parsePattern = (source: unknown): JsonObject => {
  let pattern: unknown = source;
  if (typeof source === 'string') {
    try {
      pattern = JSON.parse(source);
    } catch {
      throw new InvalidPatternError('Filter is not valid JSON');
    }
  }
  if (!isObject(pattern) || Object.keys(pattern).length === 0) {
    throw new InvalidPatternError('Event pattern must be a non-empty JSON object');
  }
  const check = (node: JsonObject) => {
    for (const [key, rule] of Object.entries(node)) {
      if (key === '$or') {
        if (!Array.isArray(rule) || rule.length < 2 || !rule.every(isObject)) {
          throw new InvalidPatternError('$or must hold an array of at least two patterns');
        }
        for (const branch of rule) check(branch as JsonObject);
      } else if (Array.isArray(rule)) {
        if (rule.length === 0) throw new InvalidPatternError(`Empty arrays are not allowed (${key})`);
        for (const condition of rule) {
          if (isObject(condition) && 'exists' in condition) leafMatches([condition], undefined);
          else conditionTest(condition);
        }
      } else if (isObject(rule)) check(rule);
      else throw new InvalidPatternError(`Match value of ${key} must be an array or an object`);
    }
  };
  tooDeep(() => check(pattern as JsonObject));
  return pattern;
};
