/**
 * SNS subscription filter policies (SNS developer guide, "Amazon SNS message filtering"): every key of the policy must
 * match (AND), one of a key's conditions suffices (OR), `$or` takes a list of policies one of which must match. A
 * condition is an exact string or number, `null` (body only), or an operator: `prefix`, `suffix`,
 * `equals-ignore-case`, `anything-but` (a value, a list, or `{prefix}`/`{suffix}`), `numeric` (operator and value
 * pairs), `exists`. A String.Array attribute (or a list in the body) matches when one of its elements does.
 */
export type FilterPolicy = Record<string, unknown>;
export type FilterScope = 'MessageAttributes' | 'MessageBody';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const NUMERIC_OPERATORS: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

const numericMatches = (conditions: unknown, value: unknown): boolean => {
  if (typeof value !== 'number' || !Array.isArray(conditions)) return false;
  for (let index = 0; index + 1 < conditions.length; index += 2) {
    const compare = NUMERIC_OPERATORS[String(conditions[index])];
    const bound = Number(conditions[index + 1]);
    if (!compare?.(value, bound)) return false;
  }
  return conditions.length >= 2;
};

const anythingBut = (rule: unknown, value: unknown): boolean => {
  if (isObject(rule)) {
    if (typeof rule.prefix === 'string') return typeof value === 'string' && !value.startsWith(rule.prefix);
    if (typeof rule.suffix === 'string') return typeof value === 'string' && !value.endsWith(rule.suffix);
    return false;
  }
  const excluded = Array.isArray(rule) ? rule : [rule];
  return !excluded.some((item) => item === value);
};

const operatorMatches = (condition: Record<string, unknown>, value: unknown): boolean => {
  if ('prefix' in condition) return typeof value === 'string' && value.startsWith(String(condition.prefix));
  if ('suffix' in condition) return typeof value === 'string' && value.endsWith(String(condition.suffix));
  if ('equals-ignore-case' in condition) {
    return typeof value === 'string' && value.toLowerCase() === String(condition['equals-ignore-case']).toLowerCase();
  }
  if ('anything-but' in condition) return anythingBut(condition['anything-but'], value);
  if ('numeric' in condition) return numericMatches(condition.numeric, value);
  return false;
};

const conditionMatches = (condition: unknown, present: boolean, value: unknown): boolean => {
  if (isObject(condition) && 'exists' in condition) return condition.exists === true ? present : !present;
  if (!present) return false;
  const values = Array.isArray(value) ? value : [value];
  if (isObject(condition)) return values.some((item) => operatorMatches(condition, item));
  return values.some((item) => item === condition);
};

/** Whether `subject` (the message's attributes as values, or its parsed body) passes `policy`. */
export const matchesPolicy = (policy: FilterPolicy, subject: Record<string, unknown>): boolean =>
  Object.entries(policy).every(([key, rule]) => {
    if (key === '$or') {
      return Array.isArray(rule) && rule.some((branch) => isObject(branch) && matchesPolicy(branch, subject));
    }
    const present = Object.hasOwn(subject, key);
    const value = present ? subject[key] : undefined;
    if (isObject(rule)) return isObject(value) && matchesPolicy(rule, value);
    return Array.isArray(rule) && rule.some((condition) => conditionMatches(condition, present, value));
  });

/** A message attribute as filtering sees it: String as text, Number as a number, String.Array as its list. */
const attributeValue = (attribute: { DataType: string; StringValue?: string }): unknown => {
  const text = attribute.StringValue;
  if (text === undefined) return undefined;
  if (attribute.DataType.startsWith('Number')) return Number(text);
  if (attribute.DataType === 'String.Array') {
    try {
      const list: unknown = JSON.parse(text);
      return Array.isArray(list) ? list : undefined;
    } catch {
      return undefined;
    }
  }
  return text;
};

/** Whether a message passes a subscription's policy, on its attributes or its body (a body not JSON never does). */
export const messagePasses = (
  policy: FilterPolicy | undefined,
  scope: FilterScope,
  message: { body: string; attributes: Record<string, { DataType: string; StringValue?: string }> },
): boolean => {
  if (!policy) return true;
  if (scope === 'MessageBody') {
    let body: unknown;
    try {
      body = JSON.parse(message.body);
    } catch {
      return false;
    }
    return isObject(body) && matchesPolicy(policy, body);
  }
  const subject: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(message.attributes)) {
    const value = attributeValue(attribute);
    if (value !== undefined) Object.defineProperty(subject, name, { value, enumerable: true });
  }
  return matchesPolicy(policy, subject);
};

/** A policy from the template or a SetSubscriptionAttributes call: a JSON object (as text or already parsed). */
export const parseFilterPolicy = (raw: unknown): FilterPolicy | undefined => {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
  if (!isObject(parsed)) throw new Error('FilterPolicy must be a JSON object');
  return parsed;
};
