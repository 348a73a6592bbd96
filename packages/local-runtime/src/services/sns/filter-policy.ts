/**
 * SNS subscription filter policies (SNS developer guide, "Amazon SNS message filtering"): the shared content filter
 * (src/services/shared/content-filter.ts) over what SNS filters, by the subscription's FilterPolicyScope: the message
 * attributes as typed values, or the JSON body. SNS takes the operators its guide documents; `wildcard` is
 * EventBridge's alone and refused here.
 */
import {
  checkFilter,
  type FilterDialect,
  isJsonObject,
  type Json,
  type JsonObject,
  matchesFilter,
} from '../shared/content-filter.ts';

/** A policy is JSON (parsed from text or read from the template); typed loosely for its callers. */
export type FilterPolicy = Record<string, unknown>;
export type FilterScope = 'MessageAttributes' | 'MessageBody';

const SNS_OPERATORS: FilterDialect = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'anything-but',
  'numeric',
  'cidr',
  'exists',
]);

/** A message attribute as filtering sees it: String as text, Number as a number, String.Array as its list. */
const attributeValue = (attribute: { DataType: string; StringValue?: string }): Json | undefined => {
  const text = attribute.StringValue;
  if (text === undefined) return undefined;
  if (attribute.DataType.startsWith('Number')) return Number(text);
  if (attribute.DataType === 'String.Array') {
    try {
      const list: unknown = JSON.parse(text);
      return Array.isArray(list) ? (list as Json[]) : undefined;
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
  const filter = policy as JsonObject;
  if (scope === 'MessageBody') {
    let body: unknown;
    try {
      body = JSON.parse(message.body);
    } catch {
      return false;
    }
    return isJsonObject(body) && matchesFilter(filter, body);
  }
  const subject: JsonObject = {};
  for (const [name, attribute] of Object.entries(message.attributes)) {
    const value = attributeValue(attribute);
    if (value !== undefined) Object.defineProperty(subject, name, { value, enumerable: true });
  }
  return matchesFilter(filter, subject);
};

/**
 * A policy from the template or a SetSubscriptionAttributes call: a JSON object (as text or already parsed) whose
 * every condition SNS knows, so a bad policy is refused (InvalidParameter) when it is set, not at the first Publish.
 */
export const parseFilterPolicy = (raw: unknown): FilterPolicy | undefined => {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
  if (!isJsonObject(parsed)) throw new Error('FilterPolicy must be a JSON object');
  checkFilter(parsed, SNS_OPERATORS);
  return parsed;
};
