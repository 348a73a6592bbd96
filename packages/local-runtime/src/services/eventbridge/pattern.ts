/**
 * EventBridge event patterns (EventBridge user guide, "Amazon EventBridge event patterns" and "Comparison operators
 * for use in event patterns"): the shared content filter over the whole event envelope (`detail` parsed), with every
 * operator EventBridge documents, `wildcard` and `cidr` included.
 */
import {
  checkFilter,
  type FilterDialect,
  InvalidPatternError,
  isJsonObject,
  type Json,
  type JsonObject,
  matchesFilter,
} from '../shared/content-filter.ts';

export { InvalidPatternError, type Json };

const EVENTBRIDGE_OPERATORS: FilterDialect = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'cidr',
  'exists',
]);

/** Whether an event (the whole envelope, `detail` parsed) matches a pattern; throws InvalidPatternError for a bad one. */
export const matchesPattern = (pattern: Json, event: Json): boolean => {
  if (!isJsonObject(pattern)) throw new InvalidPatternError('Event pattern must be a JSON object');
  return matchesFilter(pattern, event);
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
  if (!isJsonObject(pattern) || Object.keys(pattern).length === 0) {
    throw new InvalidPatternError('Event pattern must be a non-empty JSON object');
  }
  checkFilter(pattern, EVENTBRIDGE_OPERATORS);
  return pattern;
};
