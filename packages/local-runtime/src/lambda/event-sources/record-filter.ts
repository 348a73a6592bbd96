import { matchesPattern, parsePattern } from '../../services/eventbridge/pattern.ts';
import { isJsonObject, type Json, type JsonObject } from '../../services/shared/content-filter.ts';

/**
 * An event source mapping's FilterCriteria (Lambda developer guide, "Lambda event filtering"): up to 5 filters (10 with
 * a raised quota), each an EventBridge pattern as JSON text of at most 4,096 characters; a record goes to the function
 * when any filter matches it, and is discarded otherwise (an SQS message is deleted from its queue).
 */
export type RecordFilter = (record: object) => boolean;

/**
 * Where a record keeps its message: SQS `body` (text, maybe JSON), Kinesis `data` (base64 of text, maybe JSON),
 * DynamoDB `dynamodb` (an object). A filter's rules for that key are its data properties.
 */
export interface DataField {
  key: string;
  /** The field as a filter sees it: JSON parsed, else the text; undefined when it is not JSON and must be. */
  read: (value: unknown) => { json: Json } | { text: string } | undefined;
  /**
   * Stream sources take data rules written as JSON only ("Properly filtering Kinesis and DynamoDB messages": a pattern
   * for non-JSON data is refused when the mapping is created); SQS takes plain-string rules for plain-text bodies.
   */
  textRules: boolean;
}

export class FilterCriteriaError extends Error {}

const jsonOf = (text: string): { json: Json } | undefined => {
  try {
    return { json: JSON.parse(text) as Json };
  } catch {
    return undefined;
  }
};

export const SQS_BODY: DataField = {
  key: 'body',
  read: (value) => (typeof value === 'string' ? (jsonOf(value) ?? { text: value }) : undefined),
  textRules: true,
};

export const KINESIS_DATA: DataField = {
  key: 'data',
  read: (value) => (typeof value === 'string' ? jsonOf(Buffer.from(value, 'base64').toString('utf8')) : undefined),
  textRules: false,
};

export const DYNAMODB_RECORD: DataField = {
  key: 'dynamodb',
  read: (value) => (isJsonObject(value) ? { json: value } : undefined),
  textRules: false,
};

const MAX_FILTERS = 10;
const MAX_PATTERN_CHARS = 4096;

/**
 * Whether a record matches one pattern. The format of the data and of the pattern's rules for it must agree
 * ("Properly filtering Amazon SQS messages": a JSON body against plain-string rules, or plain text against JSON rules,
 * is dropped); with no rules for the data, only the other fields are matched.
 */
const matches = (pattern: JsonObject, record: object, field: DataField): boolean => {
  const rules = pattern[field.key];
  if (rules === undefined) return matchesPattern(pattern, record as Json);
  const data = field.read((record as Record<string, unknown>)[field.key]);
  if (data === undefined) return false;
  const jsonRules = isJsonObject(rules);
  if ('json' in data !== jsonRules) return false;
  return matchesPattern(pattern, { ...record, [field.key]: 'json' in data ? data.json : data.text } as Json);
};

/** The filter of a mapping's FilterCriteria, undefined without filters; throws FilterCriteriaError for a bad one. */
export const recordFilterOf = (criteria: unknown, field: DataField): RecordFilter | undefined => {
  if (criteria === undefined || criteria === null) return undefined;
  if (!isJsonObject(criteria)) throw new FilterCriteriaError('FilterCriteria must be an object with Filters');
  const filters = criteria.Filters;
  if (filters === undefined || (Array.isArray(filters) && filters.length === 0)) return undefined;
  if (!Array.isArray(filters)) throw new FilterCriteriaError('FilterCriteria.Filters must be a list');
  if (filters.length > MAX_FILTERS) {
    throw new FilterCriteriaError(`FilterCriteria has ${filters.length} filters; Lambda takes at most ${MAX_FILTERS}`);
  }
  const patterns = filters.map((filter, index) => {
    const source = isJsonObject(filter) ? filter.Pattern : undefined;
    if (typeof source !== 'string')
      throw new FilterCriteriaError(`FilterCriteria.Filters[${index}].Pattern must be a string`);
    if (source.length > MAX_PATTERN_CHARS) {
      throw new FilterCriteriaError(`FilterCriteria.Filters[${index}].Pattern is over ${MAX_PATTERN_CHARS} characters`);
    }
    let pattern: JsonObject;
    try {
      pattern = parsePattern(source);
    } catch (error) {
      throw new FilterCriteriaError(`FilterCriteria.Filters[${index}].Pattern: ${(error as Error).message}`);
    }
    const rules = pattern[field.key];
    if (rules !== undefined && !field.textRules && !isJsonObject(rules)) {
      throw new FilterCriteriaError(
        `FilterCriteria.Filters[${index}].Pattern: the rules for ${field.key} must be a JSON object`,
      );
    }
    return pattern;
  });
  return (record) => patterns.some((pattern) => matches(pattern, record, field));
};

/**
 * The filter of a mapping being read from the template, or the problem that keeps Lambda from creating the mapping
 * (CreateEventSourceMapping refuses such criteria: the mapping does not exist).
 */
export const mappingFilterOf = (
  criteria: unknown,
  field: DataField,
): { filter?: RecordFilter } | { problem: string } => {
  try {
    const filter = recordFilterOf(criteria, field);
    return filter ? { filter } : {};
  } catch (error) {
    if (error instanceof FilterCriteriaError) return { problem: error.message };
    throw error;
  }
};
