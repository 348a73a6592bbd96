import { describe, expect, it } from '@jest/globals';
import {
  InvalidPatternError,
  type Json,
  matchesPattern,
  parsePattern,
} from '../../src/services/eventbridge/pattern.ts';
import { readPath, targetBody } from '../../src/services/eventbridge/transform.ts';

/**
 * The matcher against the examples of the EventBridge user guide: "Amazon EventBridge event patterns" (the EC2 state
 * change event below), "Matching on arrays" and "Comparison operators for use in event patterns" (one section per
 * operator, named in each case).
 */
const ec2Event: Json = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'c-count': 5,
    'd-count': 12,
    'x-limit': 301.8,
    'source-ip': '10.0.0.123',
    filename: 'image.png',
    location: 'New York',
    items: [{ name: 'a', price: 3 }, { name: 'b' }],
    tags: ['blue', 'green'],
    empty: '',
    nothing: null,
  },
};

type Case = [section: string, pattern: Json, matches: boolean];

const cases: Case[] = [
  ['Event patterns: exact values', { source: ['aws.ec2'] }, true],
  ['Event patterns: values are case sensitive', { source: ['AWS.EC2'] }, false],
  ['Event patterns: array is OR', { source: ['aws.s3', 'aws.ec2'] }, true],
  ['Event patterns: fields are AND', { source: ['aws.ec2'], 'detail-type': ['nope'] }, false],
  ['Event patterns: nested fields', { detail: { state: ['terminated'] } }, true],
  ['Event patterns: a field the event lacks', { detail: { missing: ['x'] } }, false],
  ['Event patterns: numbers match numbers', { detail: { 'c-count': [5] } }, true],
  ['Event patterns: a string is not a number', { detail: { 'c-count': ['5'] } }, false],
  ['Matching null values and empty strings', { detail: { nothing: [null] } }, true],
  ['Matching null values and empty strings: empty', { detail: { empty: [''] } }, true],
  ['Matching null values: null is not absent', { detail: { missing: [null] } }, false],
  [
    'Matching on arrays: any element',
    { resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'] },
    true,
  ],
  ['Matching on arrays: event array', { detail: { tags: ['green', 'red'] } }, true],
  ['Matching on arrays: no common element', { detail: { tags: ['red'] } }, false],
  ['Matching on arrays: objects in an array', { detail: { items: { name: ['b'] } } }, true],
  ['Prefix matching', { detail: { state: [{ prefix: 'term' }] } }, true],
  ['Prefix matching: no', { detail: { state: [{ prefix: 'run' }] } }, false],
  ['Prefix matching while ignoring case', { source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] }, true],
  ['Suffix matching', { detail: { filename: [{ suffix: '.png' }] } }, true],
  [
    'Suffix matching while ignoring case',
    { detail: { filename: [{ suffix: { 'equals-ignore-case': '.PNG' } }] } },
    true,
  ],
  ['Anything-but matching', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true],
  ['Anything-but matching: the value', { detail: { state: [{ 'anything-but': 'terminated' }] } }, false],
  ['Anything-but matching: a list', { detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } }, false],
  ['Anything-but matching: numbers', { detail: { 'c-count': [{ 'anything-but': [1, 2] }] } }, true],
  ['Anything-but matching: not on an absent field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
  ['Anything-but (begins with)', { region: [{ 'anything-but': { prefix: 'us-' } }] }, false],
  ['Anything-but (begins with): other', { region: [{ 'anything-but': { prefix: 'eu-' } }] }, true],
  ['Anything-but (ends with)', { detail: { filename: [{ 'anything-but': { suffix: '.png' } }] } }, false],
  [
    'Anything-but (ignore case)',
    { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'TERMINATED' } }] } },
    false,
  ],
  ['Anything-but using a wildcard', { detail: { filename: [{ 'anything-but': { wildcard: '*.jpg' } }] } }, true],
  ['Numeric matching', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, true],
  ['Numeric matching: out of range', { detail: { 'd-count': [{ numeric: ['<', 10] }] } }, false],
  ['Numeric matching: equals', { detail: { 'x-limit': [{ numeric: ['=', 301.8] }] } }, true],
  ['Numeric matching: a string is no number', { source: [{ numeric: ['>', 0] }] }, false],
  ['IP address matching', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, true],
  ['IP address matching: outside', { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, false],
  ['Exists matching', { detail: { state: [{ exists: true }] } }, true],
  ['Exists matching: absent', { detail: { missing: [{ exists: false }] } }, true],
  ['Exists matching: present is not absent', { detail: { state: [{ exists: false }] } }, false],
  ['Exists matching: leaf nodes only', { detail: { items: [{ exists: true }] } }, false],
  [
    'Equals-ignore-case matching',
    { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
    true,
  ],
  ['Wildcard matching', { detail: { filename: [{ wildcard: 'im*.p?g' }] } }, false],
  ['Wildcard matching: star', { detail: { filename: [{ wildcard: 'im*.png' }] } }, true],
  ['Wildcard matching: several stars', { resources: [{ wildcard: 'arn:aws:ec2:*:instance/*' }] }, true],
  [
    'Complex example with $or matching',
    { detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { 'd-count': [{ numeric: ['>', 10] }] }] } },
    true,
  ],
  ['$or: no branch', { $or: [{ source: ['aws.s3'] }, { 'detail-type': ['x'] }] }, false],
  ['Inherited names are no fields', { detail: { constructor: [{ exists: true }] } }, false],
  ['$or: top level branch', { $or: [{ source: ['aws.s3'] }, { detail: { location: ['New York'] } }] }, true],
];

describe('EventBridge event patterns (EventBridge user guide examples)', () => {
  it.each(cases)('%s', (_section, pattern, matches) => {
    expect(matchesPattern(parsePattern(pattern), ec2Event)).toBe(matches);
  });

  it.each([
    ['a leaf that is not an array', { source: 'aws.ec2' }],
    ['an unknown operator', { source: [{ 'starts-with': 'aws' }] }],
    ['a bad numeric operator', { detail: { n: [{ numeric: ['!=', 1] }] } }],
    ['an empty array', { source: [] }],
    ['$or with one branch', { $or: [{ source: ['a'] }] }],
    ['not JSON', '{"source": '],
    ['an empty pattern', {}],
  ] as [string, Json][])('refuses %s', (_what, pattern) => {
    expect(() => parsePattern(pattern)).toThrow(InvalidPatternError);
  });
});

describe('target input (EventBridge user guide, "Amazon EventBridge input transformation")', () => {
  const rule = { name: 'my-rule', arn: 'arn:aws:events:us-east-1:123456789012:rule/my-rule' };

  it('sends the whole event by default, Input as it is and InputPath what it selects', () => {
    expect(JSON.parse(targetBody(ec2Event, {}, rule))).toEqual(ec2Event);
    expect(targetBody(ec2Event, { input: '{"fixed":true}' }, rule)).toBe('{"fixed":true}');
    expect(JSON.parse(targetBody(ec2Event, { inputPath: '$.detail.items[0]' }, rule))).toEqual({ name: 'a', price: 3 });
    expect(readPath(ec2Event, '$.detail.missing')).toBeUndefined();
    expect(readPath(ec2Event, '$.detail.items[*].name')).toEqual(['a', 'b']);
    expect(readPath(ec2Event, '$.detail.tags[1]')).toBe('green');
    expect(readPath(ec2Event, '$.detail.constructor')).toBeUndefined();
  });

  it('fills a JSON template: values as JSON outside strings, as text inside them, reserved variables too', () => {
    const body = targetBody(
      ec2Event,
      {
        inputTransformer: {
          inputPathsMap: {
            instance: '$.detail.instance-id',
            count: '$.detail.c-count',
            tags: '$.detail.tags',
            absent: '$.detail.missing',
          },
          inputTemplate:
            '{"id": <instance>, "count": <count>, "tags": <tags>, "text": "<instance> has <count>", "rule": <aws.events.rule-name>, "none": <absent>}',
        },
      },
      rule,
    );
    expect(JSON.parse(body)).toEqual({
      id: 'i-1234567890abcdef0',
      count: 5,
      tags: ['blue', 'green'],
      text: 'i-1234567890abcdef0 has 5',
      rule: 'my-rule',
      none: null,
    });
  });

  it('gives the event without its detail as <aws.events.event>, and whole as <aws.events.event.json>', () => {
    const body = targetBody(
      ec2Event,
      {
        inputTransformer: {
          inputPathsMap: {},
          inputTemplate: '{"bare": <aws.events.event>, "whole": <aws.events.event.json>}',
        },
      },
      rule,
    );
    const { detail, ...bare } = ec2Event as Record<string, Json>;
    expect(detail).toBeDefined();
    expect(JSON.parse(body)).toEqual({ bare, whole: ec2Event });
  });

  it('fills a string template', () => {
    const body = targetBody(
      ec2Event,
      {
        inputTransformer: {
          inputPathsMap: { instance: '$.detail.instance-id', state: '$.detail.state' },
          inputTemplate: '"<instance> is in state <state>"',
        },
      },
      rule,
    );
    expect(JSON.parse(body)).toBe('i-1234567890abcdef0 is in state terminated');
  });
});
