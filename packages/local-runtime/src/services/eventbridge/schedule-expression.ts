/**
 * Schedule expressions as EventBridge rules and EventBridge Scheduler write them (EventBridge user guide, "Schedule
 * expressions for rules"; Scheduler user guide, "Schedule types on EventBridge Scheduler"):
 * `rate(5 minutes)`, `cron(0 12 ? * MON-FRI *)`, and for Scheduler `at(2026-12-24T18:00:00)`.
 *
 * Written here rather than taken from npm: the cron libraries there read five-field Unix cron or Quartz (seconds first,
 * no year); AWS's has six fields with a year, day-of-week 1 = SUN, `?` required in one of the day fields, and `L`, `W`,
 * `#`.
 */

export class ScheduleExpressionError extends Error {
  override readonly name = 'ScheduleExpressionError';
}

interface CronDays {
  /** Day-of-month: listed days, `L` (last, minus an offset), `nW` (nearest weekday), `LW`; undefined when `?`. */
  monthDays?: { days: Set<number>; last: boolean; nearestWeekday?: number; lastWeekday: boolean };
  /** Day-of-week (0 = Sunday): listed days, `nL` (last such day of the month), `n#k` (k-th such day); undefined when `?`. */
  weekDays?: { days: Set<number>; lastOf?: number; nth?: { day: number; k: number } };
}

export type ScheduleExpression =
  | { kind: 'rate'; text: string; periodMs: number }
  | {
      kind: 'cron';
      text: string;
      minutes: Set<number>;
      hours: Set<number>;
      months: Set<number>;
      years: Set<number>;
      days: CronDays;
    }
  | {
      kind: 'at';
      text: string;
      local: { year: number; month: number; day: number; hour: number; minute: number; second: number };
    };

const RATE_UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** `rate(value unit)`: "a value of 1 takes the singular unit (minute), any other the plural (minutes)". */
const parseRate = (text: string, body: string): ScheduleExpression => {
  const match = /^(\d+)\s+(minute|minutes|hour|hours|day|days)$/.exec(body.trim());
  if (!match) throw new ScheduleExpressionError(`${text}: a rate is rate(<number> minute(s)|hour(s)|day(s))`);
  const value = Number(match[1]);
  const unit = match[2] ?? '';
  const singular = unit.replace(/s$/, '');
  if (value <= 0) throw new ScheduleExpressionError(`${text}: the value must be a positive number`);
  if ((value === 1) !== (unit === singular)) {
    throw new ScheduleExpressionError(
      `${text}: ${value === 1 ? `1 takes "${singular}"` : `${value} takes "${singular}s"`}`,
    );
  }
  return { kind: 'rate', text, periodMs: value * (RATE_UNITS[singular] ?? 0) };
};

/** One field's values: `*`, `a`, `a-b`, `a/n`, `a-b/n`, `*\/n`, comma lists; names through `names`. */
const parseField = (
  text: string,
  field: string,
  what: string,
  min: number,
  max: number,
  names: string[] = [],
  nameBase = min,
): Set<number> => {
  const value = (token: string): number => {
    const named = names.indexOf(token.toUpperCase());
    const number = named >= 0 ? named + nameBase : /^\d+$/.test(token) ? Number(token) : Number.NaN;
    if (!(number >= min && number <= max)) {
      throw new ScheduleExpressionError(`${text}: ${what} "${token}" is not between ${min} and ${max}`);
    }
    return number;
  };
  const values = new Set<number>();
  for (const part of field.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0) throw new ScheduleExpressionError(`${text}: ${what} step "${part}"`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [min, max];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      [from, to] = [value(a), value(b)];
    } else {
      from = value(range);
      to = stepText === undefined ? from : max;
    }
    if (from > to) throw new ScheduleExpressionError(`${text}: ${what} range "${range}" runs backwards`);
    for (let n = from; n <= to; n += step) values.add(n);
  }
  return values;
};

const parseMonthDays = (text: string, field: string): CronDays['monthDays'] => {
  if (field === '?') return undefined;
  if (field === 'L') return { days: new Set(), last: true, lastWeekday: false };
  if (field === 'LW') return { days: new Set(), last: false, lastWeekday: true };
  const weekday = /^(\d+)W$/.exec(field);
  if (weekday) {
    const day = Number(weekday[1]);
    if (day < 1 || day > 31) throw new ScheduleExpressionError(`${text}: day-of-month "${field}"`);
    return { days: new Set(), last: false, nearestWeekday: day, lastWeekday: false };
  }
  return { days: parseField(text, field, 'day-of-month', 1, 31), last: false, lastWeekday: false };
};

const parseWeekDays = (text: string, field: string): CronDays['weekDays'] => {
  if (field === '?') return undefined;
  const day = (token: string) => [...parseField(text, token, 'day-of-week', 1, 7, WEEKDAYS)][0] ?? 1;
  // `L` alone is the week's last day, Saturday; `nL` the month's last such day.
  if (field === 'L') return { days: new Set([6]) };
  const last = /^(\w+)L$/.exec(field);
  if (last) return { days: new Set(), lastOf: day(last[1] ?? '') - 1 };
  const nth = /^(\w+)#(\d)$/.exec(field);
  if (nth) {
    const k = Number(nth[2]);
    if (k < 1 || k > 5) throw new ScheduleExpressionError(`${text}: "${field}": the week number is 1 to 5`);
    return { days: new Set(), nth: { day: day(nth[1] ?? '') - 1, k } };
  }
  return { days: new Set([...parseField(text, field, 'day-of-week', 1, 7, WEEKDAYS)].map((n) => n - 1)) };
};

const parseCron = (text: string, body: string): ScheduleExpression => {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new ScheduleExpressionError(
      `${text}: a cron expression has six fields (minutes hours day-of-month month day-of-week year), found ${fields.length}`,
    );
  }
  const [minutes = '', hours = '', monthDay = '', month = '', weekDay = '', year = ''] = fields;
  // "You can't specify the Day-of-month and Day-of-week fields in the same cron expression. If you specify a value or
  // a * in one of the fields, you must use a ? in the other."
  if ((monthDay === '?') === (weekDay === '?')) {
    throw new ScheduleExpressionError(`${text}: one of day-of-month and day-of-week must be "?", not both`);
  }
  return {
    kind: 'cron',
    text,
    minutes: parseField(text, minutes, 'minute', 0, 59),
    hours: parseField(text, hours, 'hour', 0, 23),
    months: parseField(text, month, 'month', 1, 12, MONTHS),
    years: parseField(text, year, 'year', 1970, 2199),
    days: { monthDays: parseMonthDays(text, monthDay), weekDays: parseWeekDays(text, weekDay) },
  };
};

const parseAt = (text: string, body: string): ScheduleExpression => {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body.trim());
  if (!match) throw new ScheduleExpressionError(`${text}: a one-time schedule is at(yyyy-mm-ddThh:mm:ss)`);
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return { kind: 'at', text, local: { year, month, day, hour, minute, second } };
};

export const parseScheduleExpression = (text: string): ScheduleExpression => {
  const match = /^(rate|cron|at)\((.*)\)$/s.exec(text.trim());
  if (!match) throw new ScheduleExpressionError(`${text}: not rate(...), cron(...) or at(...)`);
  const body = match[2] ?? '';
  if (match[1] === 'rate') return parseRate(text, body);
  if (match[1] === 'cron') return parseCron(text, body);
  return parseAt(text, body);
};

const formats = new Map<string, Intl.DateTimeFormat>();

/** The offset of `timeZone` from UTC at `utcMs`, in ms (local = UTC + offset). */
const offsetAt = (utcMs: number, timeZone: string): number => {
  if (timeZone === 'UTC') return 0;
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(new Date(utcMs));
  const part = (type: string) => Number(parts.find((candidate) => candidate.type === type)?.value ?? 0);
  const local = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return local - Math.floor(utcMs / 1000) * 1000;
};

/** The UTC instant of a wall-clock time in `timeZone` (a time skipped by a clock change moves forward with it). */
const zonedToUtc = (localMs: number, timeZone: string): number => {
  const first = localMs - offsetAt(localMs, timeZone);
  return localMs - offsetAt(first, timeZone);
};

/** Whether the time zone name is one Intl knows (the IANA names Scheduler takes). */
export const isTimeZone = (timeZone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
};

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const weekdayOf = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day)).getUTCDay();

/** The weekday nearest `day` within its month (the `W` of day-of-month). */
const nearestWeekday = (year: number, month: number, day: number): number => {
  const last = daysIn(year, month);
  const target = Math.min(day, last);
  const weekday = weekdayOf(year, month, target);
  if (weekday === 6) return target === 1 ? 3 : target - 1;
  if (weekday === 0) return target === last ? target - 2 : target + 1;
  return target;
};

const dayMatches = (days: CronDays, year: number, month: number, day: number): boolean => {
  const { monthDays, weekDays } = days;
  const last = daysIn(year, month);
  if (monthDays) {
    if (monthDays.last) return day === last;
    if (monthDays.lastWeekday) return day === nearestWeekday(year, month, last);
    if (monthDays.nearestWeekday !== undefined) return day === nearestWeekday(year, month, monthDays.nearestWeekday);
    return monthDays.days.has(day);
  }
  if (weekDays) {
    const weekday = weekdayOf(year, month, day);
    if (weekDays.lastOf !== undefined) return weekday === weekDays.lastOf && day + 7 > last;
    if (weekDays.nth) return weekday === weekDays.nth.day && Math.ceil(day / 7) === weekDays.nth.k;
    return weekDays.days.has(weekday);
  }
  return false;
};

// More than any clock going back (an hour almost everywhere, half an hour on Lord Howe Island): a wall-clock time this
// long before `after`'s own cannot be after it.
const CLOCK_CHANGE_MS = 3 * 3_600_000;

// A cron that matches nothing for this long (cron(0 0 30 FEB ? *)) never fires.
const SEARCH_YEARS = 8;

/**
 * The first time after `after` the expression fires. `rate` counts whole periods from `start` (a rule's rate runs from
 * its creation: locally, the runtime's start); `cron` and `at` read wall-clock time in `timeZone` (UTC for rules).
 * Undefined when it never fires again (a past `at`, a cron with no more matching times).
 */
export const nextFireTime = (
  expression: ScheduleExpression,
  after: Date,
  options: { start: Date; timeZone?: string },
): Date | undefined => {
  const timeZone = options.timeZone ?? 'UTC';
  if (expression.kind === 'rate') {
    const elapsed = after.getTime() - options.start.getTime();
    const periods = Math.max(0, Math.floor(elapsed / expression.periodMs)) + 1;
    return new Date(options.start.getTime() + periods * expression.periodMs);
  }
  if (expression.kind === 'at') {
    const { year, month, day, hour, minute, second } = expression.local;
    const at = zonedToUtc(Date.UTC(year, month - 1, day, hour, minute, second), timeZone);
    return at > after.getTime() ? new Date(at) : undefined;
  }
  const localAfter = after.getTime() + offsetAt(after.getTime(), timeZone);
  const local = new Date(localAfter);
  let year = local.getUTCFullYear();
  let month = local.getUTCMonth() + 1;
  let day = local.getUTCDate();
  const end = year + SEARCH_YEARS;
  while (year <= end) {
    if (!expression.years.has(year)) {
      [year, month, day] = [year + 1, 1, 1];
      continue;
    }
    if (!expression.months.has(month)) {
      [month, day] = [month + 1, 1];
      if (month > 12) [year, month] = [year + 1, 1];
      continue;
    }
    if (day <= daysIn(year, month) && dayMatches(expression.days, year, month, day)) {
      for (const hour of [...expression.hours].sort((a, b) => a - b)) {
        if (Date.UTC(year, month - 1, day, hour, 59) < localAfter - CLOCK_CHANGE_MS) continue;
        for (const minute of [...expression.minutes].sort((a, b) => a - b)) {
          const at = zonedToUtc(Date.UTC(year, month - 1, day, hour, minute), timeZone);
          if (at > after.getTime()) return new Date(at);
        }
      }
    }
    day++;
    if (day > daysIn(year, month)) {
      [month, day] = [month + 1, 1];
      if (month > 12) [year, month] = [year + 1, 1];
    }
  }
  return undefined;
};
