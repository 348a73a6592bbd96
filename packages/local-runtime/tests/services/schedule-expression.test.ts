import { describe, expect, it } from '@jest/globals';
import {
  nextFireTime,
  parseScheduleExpression,
  ScheduleExpressionError,
} from '../../src/services/eventbridge/schedule-expression.ts';

const next = (text: string, after: string, timeZone?: string, start = after) =>
  nextFireTime(parseScheduleExpression(text), new Date(after), {
    start: new Date(start),
    ...(timeZone ? { timeZone } : {}),
  })?.toISOString();

describe('schedule expressions', () => {
  it('rate: 1 takes the singular unit, other values the plural; counts periods from the start', () => {
    expect(next('rate(1 minute)', '2026-01-01T00:00:30Z', undefined, '2026-01-01T00:00:00Z')).toBe(
      '2026-01-01T00:01:00.000Z',
    );
    expect(next('rate(5 minutes)', '2026-01-01T00:07:00Z', undefined, '2026-01-01T00:00:00Z')).toBe(
      '2026-01-01T00:10:00.000Z',
    );
    expect(next('rate(2 hours)', '2026-01-01T00:00:00Z')).toBe('2026-01-01T02:00:00.000Z');
    expect(next('rate(1 day)', '2026-01-01T00:00:00Z')).toBe('2026-01-02T00:00:00.000Z');
    for (const bad of ['rate(1 minutes)', 'rate(5 minute)', 'rate(0 minutes)', 'rate(1 second)', 'rate(minutes)']) {
      expect(() => parseScheduleExpression(bad)).toThrow(ScheduleExpressionError);
    }
  });

  it('cron: six fields, one day field "?", names, ranges, steps and lists', () => {
    expect(next('cron(0 12 * * ? *)', '2026-03-10T12:00:00Z')).toBe('2026-03-11T12:00:00.000Z');
    expect(next('cron(0/15 * * * ? *)', '2026-03-10T12:07:00Z')).toBe('2026-03-10T12:15:00.000Z');
    // Monday to Friday at 18:00 (day-of-week 1 is Sunday): from Friday evening to Monday.
    expect(next('cron(0 18 ? * MON-FRI *)', '2026-03-13T18:30:00Z')).toBe('2026-03-16T18:00:00.000Z');
    expect(next('cron(0 8 ? * 2,4 *)', '2026-03-10T09:00:00Z')).toBe('2026-03-11T08:00:00.000Z');
    expect(next('cron(0 0 1 JAN,JUL ? 2027)', '2026-03-10T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
    for (const bad of ['cron(0 12 * * *)', 'cron(0 12 * * * *)', 'cron(0 12 ? * ? *)', 'cron(60 12 * * ? *)']) {
      expect(() => parseScheduleExpression(bad)).toThrow(ScheduleExpressionError);
    }
    expect(next('cron(0 0 30 FEB ? *)', '2026-03-10T00:00:00Z')).toBeUndefined();
  });

  it('cron: L, W and # across month ends', () => {
    // Last day of February (not a leap year), then of March.
    expect(next('cron(0 0 L * ? *)', '2026-02-10T00:00:00Z')).toBe('2026-02-28T00:00:00.000Z');
    expect(next('cron(0 0 L * ? *)', '2026-02-28T00:00:00Z')).toBe('2026-03-31T00:00:00.000Z');
    expect(next('cron(0 0 L * ? *)', '2028-02-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    // Nearest weekday to the 1st of August 2026 (a Saturday) is Monday the 3rd; to the 15th (a Saturday) Friday the 14th.
    expect(next('cron(0 0 1W * ? *)', '2026-07-15T00:00:00Z')).toBe('2026-08-03T00:00:00.000Z');
    expect(next('cron(0 0 15W * ? *)', '2026-08-04T00:00:00Z')).toBe('2026-08-14T00:00:00.000Z');
    // The last weekday of May 2026 (the 31st is a Sunday) is Friday the 29th.
    expect(next('cron(0 0 LW * ? *)', '2026-05-01T00:00:00Z')).toBe('2026-05-29T00:00:00.000Z');
    // The third Friday of the month; the last Friday.
    expect(next('cron(0 10 ? * 6#3 *)', '2026-03-01T00:00:00Z')).toBe('2026-03-20T10:00:00.000Z');
    expect(next('cron(0 10 ? * 6L *)', '2026-03-01T00:00:00Z')).toBe('2026-03-27T10:00:00.000Z');
    expect(next('cron(0 10 ? * FRI#5 *)', '2026-03-01T00:00:00Z')).toBe('2026-05-29T10:00:00.000Z');
  });

  it('cron and at: read in the schedule time zone, across a clock change', () => {
    // 09:00 in New York: 14:00 UTC in winter, 13:00 UTC after the clocks go forward (8 March 2026).
    expect(next('cron(0 9 * * ? *)', '2026-03-06T15:00:00Z', 'America/New_York')).toBe('2026-03-07T14:00:00.000Z');
    expect(next('cron(0 9 * * ? *)', '2026-03-08T00:00:00Z', 'America/New_York')).toBe('2026-03-08T13:00:00.000Z');
    expect(next('at(2026-12-24T18:00:00)', '2026-12-01T00:00:00Z', 'Europe/Paris')).toBe('2026-12-24T17:00:00.000Z');
    expect(next('at(2026-12-24T18:00:00)', '2026-12-01T00:00:00Z')).toBe('2026-12-24T18:00:00.000Z');
    expect(next('at(2025-12-24T18:00:00)', '2026-12-01T00:00:00Z')).toBeUndefined();
    expect(() => parseScheduleExpression('at(2026-12-24 18:00)')).toThrow(ScheduleExpressionError);
  });
});
