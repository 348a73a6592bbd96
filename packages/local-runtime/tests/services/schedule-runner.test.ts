import { describe, expect, it } from '@jest/globals';
import type { EventEnvelope, EventRouter } from '../../src/services/eventbridge/router.ts';
import type { EventRule } from '../../src/services/eventbridge/rules.ts';
import { parseScheduleExpression } from '../../src/services/eventbridge/schedule-expression.ts';
import { type Clock, createScheduleRunner } from '../../src/services/eventbridge/schedule-runner.ts';
import type { Schedule } from '../../src/services/eventbridge/schedules.ts';

/** A clock whose time moves only when the test says, running the timers that fall due. */
const fakeClock = (startIso: string) => {
  let now = Date.parse(startIso);
  let timers: { at: number; run: () => void; id: number }[] = [];
  let ids = 0;
  const clock: Clock = {
    now: () => now,
    setTimer: (run, ms) => {
      const id = ++ids;
      timers.push({ at: now + ms, run, id });
      return id;
    },
    clearTimer: (id) => {
      timers = timers.filter((timer) => timer.id !== id);
    },
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = timers.filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((timer) => timer !== due);
      now = due.at;
      due.run();
    }
    now = end;
  };
  return { clock, advance, pending: () => timers.length };
};

const rule = (name: string): EventRule => ({
  source: name,
  logicalId: name,
  name,
  arn: `arn:aws:events:us-east-1:123456789012:rule/${name}`,
  busName: 'default',
  state: 'ENABLED',
  targets: [{ id: 't', arn: 'arn:aws:lambda:us-east-1:123456789012:function:f', described: {} }],
});

const schedule = (name: string, expression: string, enabled = true): Schedule => ({
  name,
  source: name,
  kind: 'rule',
  expression,
  parsed: parseScheduleExpression(expression),
  enabled,
  rule: rule(name),
});

const recordingRouter = () => {
  const fired: { rule: string; event: EventEnvelope }[] = [];
  const router: EventRouter = {
    route: () => {},
    fire: (firing, event) => {
      fired.push({ rule: firing.name, event });
    },
    recent: () => [],
    reset: () => {},
    stop: () => {},
  };
  return { router, fired };
};

/** A runner in us-east-1 of account 123456789012. */
const runner = (
  options: Pick<Parameters<typeof createScheduleRunner>[0], 'schedules' | 'router' | 'mode' | 'log' | 'clock'>,
) => createScheduleRunner({ region: 'us-east-1', accountId: '123456789012', ...options });

describe('schedule runner', () => {
  it('with run, fires a rate(1 minute) schedule each minute with the Scheduled Event of that minute', () => {
    const { clock, advance } = fakeClock('2026-01-01T00:00:00Z');
    const { router, fired } = recordingRouter();
    const lines: string[] = [];
    runner({
      schedules: () => [schedule('every-minute', 'rate(1 minute)'), schedule('off', 'rate(1 minute)', false)],
      router,
      mode: 'run',
      log: (line) => lines.push(line),
      clock,
    });
    advance(59_000);
    expect(fired).toHaveLength(0);
    advance(1_000);
    advance(60_000);
    expect(fired.map((firing) => [firing.rule, firing.event.time])).toEqual([
      ['every-minute', '2026-01-01T00:01:00Z'],
      ['every-minute', '2026-01-01T00:02:00Z'],
    ]);
    expect(fired[0]?.event).toMatchObject({
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/every-minute'],
      detail: {},
    });
  });

  it('with off, sets no timer and fires nothing', () => {
    const { clock, advance, pending } = fakeClock('2026-01-01T00:00:00Z');
    const { router, fired } = recordingRouter();
    runner({
      schedules: () => [schedule('every-minute', 'rate(1 minute)')],
      router,
      mode: 'off',
      log: () => {},
      clock,
    });
    expect(pending()).toBe(0);
    advance(3_600_000);
    expect(fired).toHaveLength(0);
  });

  it('stop clears the timers; restart (a reset or reload) arms them again from now', () => {
    const { clock, advance, pending } = fakeClock('2026-01-01T00:00:00Z');
    const { router, fired } = recordingRouter();
    let schedules = [schedule('a', 'rate(5 minutes)')];
    const running = runner({ schedules: () => schedules, router, mode: 'run', log: () => {}, clock });
    expect(pending()).toBe(1);
    advance(120_000);
    schedules = [schedule('b', 'cron(0/10 * * * ? *)')];
    running.restart();
    expect(pending()).toBe(1);
    advance(600_000);
    expect(fired.map((firing) => [firing.rule, firing.event.time])).toEqual([['b', '2026-01-01T00:10:00Z']]);
    running.stop();
    expect(pending()).toBe(0);
  });

  it('a firing that throws is logged and the schedule keeps running', () => {
    const { clock, advance } = fakeClock('2026-01-01T00:00:00Z');
    const lines: string[] = [];
    let calls = 0;
    const router: EventRouter = {
      ...recordingRouter().router,
      fire: () => {
        calls++;
        throw new Error('target gone');
      },
    };
    runner({
      schedules: () => [schedule('a', 'rate(1 minute)')],
      router,
      mode: 'run',
      log: (line) => lines.push(line),
      clock,
    });
    advance(120_000);
    expect(calls).toBe(2);
    expect(lines.filter((line) => line.includes('not fired: target gone'))).toHaveLength(2);
  });

  it('waits in steps for a time further off than one timer can wait', () => {
    const { clock, advance } = fakeClock('2026-01-01T00:00:00Z');
    const { router, fired } = recordingRouter();
    runner({ schedules: () => [schedule('yearly', 'cron(0 0 1 JAN ? *)')], router, mode: 'run', log: () => {}, clock });
    advance(200 * 86_400_000);
    expect(fired).toHaveLength(0);
    advance(200 * 86_400_000);
    expect(fired.map((firing) => firing.event.time)).toEqual(['2027-01-01T00:00:00Z']);
  });

  it('fires a Scheduler schedule only between its StartDate and EndDate', () => {
    const { clock, advance, pending } = fakeClock('2026-01-01T00:00:00Z');
    const { router, fired } = recordingRouter();
    const windowed: Schedule = {
      ...schedule('windowed', 'cron(0 * * * ? *)'),
      startDate: new Date('2026-01-01T05:30:00Z'),
      endDate: new Date('2026-01-01T07:00:00Z'),
    };
    const over: Schedule = { ...schedule('over', 'rate(1 minute)'), endDate: new Date('2025-12-31T00:00:00Z') };
    runner({ schedules: () => [windowed, over], router, mode: 'run', log: () => {}, clock });
    expect(pending()).toBe(1);
    advance(86_400_000);
    expect(fired.map((firing) => firing.event.time)).toEqual(['2026-01-01T06:00:00Z', '2026-01-01T07:00:00Z']);
  });
});
