import { glob } from '../../src/shared/glob.ts';

describe('glob', () => {
  it('matches `*` as any run of characters, anchored at both ends', () => {
    expect(glob('a*c').test('abbbc')).toBe(true);
    expect(glob('a*c').test('abbbcd')).toBe(false);
    expect(glob('*').test('')).toBe(true);
    expect(glob('ab*ba').test('aba')).toBe(false);
    expect(glob('a**b').test('ab')).toBe(true);
    expect(glob('a*b').test('a\r\nb')).toBe(true);
  });

  it('takes `?` as one character only when asked, and `\\*` as a star only with escapes', () => {
    expect(glob('a?c', { questionMark: true }).test('abc')).toBe(true);
    expect(glob('a?c', { questionMark: true }).test('ac')).toBe(false);
    expect(glob('a?c').test('abc')).toBe(false);
    expect(glob('a?c').test('a?c')).toBe(true);
    expect(glob('a\\*b', { escapes: true }).test('a*b')).toBe(true);
    expect(glob('a\\*b', { escapes: true }).test('axb')).toBe(false);
    expect(glob('a\\\\*', { escapes: true }).test('a\\xyz')).toBe(true);
    expect(glob('a\\*b').test('a\\xb')).toBe(true);
  });

  it('folds case when asked', () => {
    expect(glob('Execute-API:*', { caseInsensitive: true }).test('execute-api:Invoke')).toBe(true);
    expect(glob('Execute-API:*').test('execute-api:Invoke')).toBe(false);
  });

  it('answers patterns of many stars against long values without backtracking (a regular expression took minutes)', () => {
    const value = 'a'.repeat(5000);
    expect(glob(`${'*a'.repeat(12)}b`).test(value)).toBe(false);
    expect(glob(`${'*a'.repeat(12)}b`).test(`${value}b`)).toBe(true);
    expect(glob('arn:*/*/*/*/*/x', { questionMark: true }).test(`arn:${'/'.repeat(5000)}y`)).toBe(false);
  });
});
