import { describe, expect, it } from '@jest/globals';
import { messagePasses } from '../../src/services/sns/filter-policy.ts';

/** SNS filter policies, the operators of the SNS developer guide ("Amazon SNS message filtering"). */
const attributes = (values: Record<string, [string, string]>) =>
  Object.fromEntries(
    Object.entries(values).map(([name, [DataType, StringValue]]) => [name, { DataType, StringValue }]),
  );

const onAttributes = (policy: Record<string, unknown>, values: Record<string, [string, string]>) =>
  messagePasses(policy, 'MessageAttributes', { body: 'text', attributes: attributes(values) });

const onBody = (policy: Record<string, unknown>, body: unknown) =>
  messagePasses(policy, 'MessageBody', {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {},
  });

describe('SNS filter policies', () => {
  it('passes everything without a policy', () => {
    expect(messagePasses(undefined, 'MessageAttributes', { body: 'x', attributes: {} })).toBe(true);
  });

  it('matches exact strings and numbers, ANDs keys and ORs values', () => {
    const policy = { store: ['example_corp', 'other_corp'], price: [100] };
    expect(onAttributes(policy, { store: ['String', 'other_corp'], price: ['Number', '100.0'] })).toBe(true);
    expect(onAttributes(policy, { store: ['String', 'other_corp'], price: ['Number', '101'] })).toBe(false);
    expect(onAttributes(policy, { store: ['String', 'other_corp'] })).toBe(false);
    // A number condition does not match the string "100".
    expect(onAttributes({ price: [100] }, { price: ['String', '100'] })).toBe(false);
  });

  it('matches prefix, suffix, equals-ignore-case and anything-but', () => {
    expect(onAttributes({ customer: [{ prefix: 'bo' }] }, { customer: ['String', 'bob'] })).toBe(true);
    expect(onAttributes({ customer: [{ suffix: 'ob' }] }, { customer: ['String', 'bob'] })).toBe(true);
    expect(onAttributes({ customer: [{ suffix: 'ob' }] }, { customer: ['String', 'bobby'] })).toBe(false);
    expect(onAttributes({ customer: [{ 'equals-ignore-case': 'BOB' }] }, { customer: ['String', 'Bob'] })).toBe(true);
    expect(onAttributes({ store: [{ 'anything-but': ['a', 'b'] }] }, { store: ['String', 'c'] })).toBe(true);
    expect(onAttributes({ store: [{ 'anything-but': 'a' }] }, { store: ['String', 'a'] })).toBe(false);
    expect(onAttributes({ store: [{ 'anything-but': { prefix: 'tmp-' } }] }, { store: ['String', 'tmp-1'] })).toBe(
      false,
    );
    // anything-but needs the attribute to be there.
    expect(onAttributes({ store: [{ 'anything-but': 'a' }] }, {})).toBe(false);
  });

  it('matches numeric ranges and exists', () => {
    const range = { price: [{ numeric: ['>', 0, '<=', 150] }] };
    expect(onAttributes(range, { price: ['Number', '150'] })).toBe(true);
    expect(onAttributes(range, { price: ['Number', '0'] })).toBe(false);
    expect(onAttributes({ price: [{ numeric: ['=', 3.5] }] }, { price: ['Number', '3.5'] })).toBe(true);
    expect(onAttributes({ coupon: [{ exists: true }] }, { coupon: ['String', 'x'] })).toBe(true);
    expect(onAttributes({ coupon: [{ exists: false }] }, { coupon: ['String', 'x'] })).toBe(false);
    expect(onAttributes({ coupon: [{ exists: false }] }, {})).toBe(true);
  });

  it('matches any element of a String.Array attribute', () => {
    expect(onAttributes({ tags: ['red'] }, { tags: ['String.Array', '["blue","red"]'] })).toBe(true);
    expect(onAttributes({ tags: ['green'] }, { tags: ['String.Array', '["blue","red"]'] })).toBe(false);
  });

  it('takes $or branches', () => {
    const policy = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
    };
    expect(onAttributes(policy, { source: ['String', 'aws.cloudwatch'], namespace: ['String', 'AWS/EC2'] })).toBe(true);
    expect(onAttributes(policy, { source: ['String', 'aws.cloudwatch'], namespace: ['String', 'AWS/S3'] })).toBe(false);
  });

  it('filters on the message body with nested keys; a body that is not JSON does not match', () => {
    const policy = { order: { state: ['paid'], total: [{ numeric: ['>=', 10] }] } };
    expect(onBody(policy, { order: { state: 'paid', total: 12 } })).toBe(true);
    expect(onBody(policy, { order: { state: 'paid', total: 2 } })).toBe(false);
    expect(onBody(policy, { order: 'paid' })).toBe(false);
    expect(onBody(policy, 'not json')).toBe(false);
    expect(onBody({ items: ['nail'] }, { items: ['hammer', 'nail'] })).toBe(true);
  });
});
