import { describe, expect, it } from '@jest/globals';
import { InvalidPatternError, parsePattern } from '../../src/services/eventbridge/pattern.ts';
import { checkFilter, type JsonObject, matchesFilter } from '../../src/services/shared/content-filter.ts';
import { messagePasses, parseFilterPolicy } from '../../src/services/sns/filter-policy.ts';

/**
 * The one content filter both services use, on the rows where the two former matchers disagreed: each row names the
 * AWS guide section its expectation is taken from.
 */
const onBody = (policy: JsonObject, body: unknown) =>
  messagePasses(parseFilterPolicy(policy), 'MessageBody', { body: JSON.stringify(body), attributes: {} });

const onAttributes = (policy: JsonObject, values: Record<string, [string, string]>) =>
  messagePasses(parseFilterPolicy(policy), 'MessageAttributes', {
    body: 'text',
    attributes: Object.fromEntries(
      Object.entries(values).map(([name, [DataType, StringValue]]) => [name, { DataType, StringValue }]),
    ),
  });

describe('SNS filter policies on the shared content filter', () => {
  it('decides exists on leaf nodes only (SNS guide, "Key matching": "exists works only on leaf nodes")', () => {
    expect(onBody({ store: [{ exists: true }] }, { store: 'fans' })).toBe(true);
    // The former SNS matcher took any key as present; an object is an intermediate node, so it does not exist here.
    expect(onBody({ store: [{ exists: true }] }, { store: { name: 'fans' } })).toBe(false);
    expect(onBody({ store: [{ exists: false }] }, { store: { name: 'fans' } })).toBe(true);
  });

  it('matches anything-but on a String.Array when one element is not listed (SNS guide, "String value matching": "Anything-but matching")', () => {
    const policy = { customer_interests: [{ 'anything-but': ['rugby', 'tennis'] }] };
    expect(onAttributes(policy, { customer_interests: ['String.Array', '["rugby", "baseball"]'] })).toBe(true);
    expect(onAttributes(policy, { customer_interests: ['String.Array', '["rugby", "tennis"]'] })).toBe(false);
  });

  it('compares numbers by value (SNS guide, "Numeric value matching": "Exact matching")', () => {
    const policy = { price_usd: [{ numeric: ['=', 301.5] }] };
    expect(onAttributes(policy, { price_usd: ['Number', '3.015e2'] })).toBe(true);
    expect(onBody(policy, { price_usd: 3.015e2 })).toBe(true);
  });

  it('takes the anything-but and prefix forms both guides document (EventBridge "Anything-but matching", "Prefix matching while ignoring case")', () => {
    expect(onBody({ state: [{ 'anything-but': { 'equals-ignore-case': 'DONE' } }] }, { state: 'done' })).toBe(false);
    expect(onBody({ state: [{ 'anything-but': { suffix: '-tmp' } }] }, { state: 'x-tmp' })).toBe(false);
    expect(onBody({ state: [{ prefix: { 'equals-ignore-case': 'PAI' } }] }, { state: 'paid' })).toBe(true);
  });

  it('matches a field inside an array of objects in the body (EventBridge guide, "Matching on arrays")', () => {
    const policy = { order: { state: ['paid'] } };
    expect(onBody(policy, { order: [{ state: 'new' }, { state: 'paid' }] })).toBe(true);
    expect(onBody(policy, { order: [{ state: 'new' }] })).toBe(false);
  });

  it.each([
    ['a numeric operator SNS does not know', { price: [{ numeric: ['!=', 1] }] }],
    ['a numeric list without its last bound', { price: [{ numeric: ['>', 1, '<'] }] }],
    ['an unknown operator', { store: [{ contains: 'corp' }] }],
    ['wildcard, which only EventBridge documents ("Wildcard matching")', { file: [{ wildcard: '*.png' }] }],
    ['wildcard inside anything-but', { file: [{ 'anything-but': { wildcard: '*.png' } }] }],
    ['a value that is not a list', { store: 'example_corp' }],
    ['an empty list', { store: [] }],
    ['$or with one branch (SNS guide, "AND/OR logic": at least 2 objects)', { $or: [{ store: ['a'] }] }],
  ] as [string, JsonObject][])('refuses %s when the policy is set, as InvalidParameter does', (_what, policy) => {
    expect(() => parseFilterPolicy(policy)).toThrow(InvalidPatternError);
    expect(() => parseFilterPolicy(JSON.stringify(policy))).toThrow(InvalidPatternError);
  });
});

describe('the dialects', () => {
  it('gives EventBridge wildcard and refuses in SNS what only EventBridge documents', () => {
    const pattern = { file: [{ wildcard: '*.png' }] };
    expect(matchesFilter(parsePattern(pattern), { file: 'a.png' })).toBe(true);
    expect(() => checkFilter(pattern, new Set(['prefix']))).toThrow('Unrecognized match type wildcard');
  });
});
