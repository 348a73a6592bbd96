import { randomUUID } from 'node:crypto';
import type { ServicePage } from '../registry.ts';
import type { EventEnvelope, EventRouter } from './router.ts';
import { nextFireTime } from './schedule-expression.ts';
import type { Schedule } from './schedules.ts';

/** Time and timers, injectable so a test can move the clock instead of waiting. */
export interface Clock {
  now(): number;
  setTimer(run: () => void, ms: number): unknown;
  clearTimer(timer: unknown): void;
}

/** The process clock; its timers never keep the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (run, ms) => setTimeout(run, ms).unref(),
  clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

// setTimeout's longest wait (about 24.8 days): a later time is waited for in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ScheduleRunner {
  /** `GET /_local/schedules` and `POST /_local/schedules/<name>`. */
  page: ServicePage;
  /** One line per schedule for the start-up log: how it fires, and when next. */
  lines(): string[];
  /** The schedules changed (a reload): the timers start again from now. */
  restart(): void;
  stop(): void;
}

const eventTime = (time: Date): string => time.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * Fires the template's schedules: on request always, and on their clock with `--schedules run`. A schedule's period is
 * what the template says: `--time-scale` does not shorten it (a rate(1 hour) stays an hour).
 */
export const createScheduleRunner = (options: {
  schedules: () => Schedule[];
  router: EventRouter;
  region: string;
  accountId: string;
  mode: 'off' | 'run';
  log: (line: string) => void;
  clock?: Clock;
}): ScheduleRunner => {
  const clock = options.clock ?? systemClock;
  const timers = new Map<string, unknown>();
  const lastFired = new Map<string, string>();
  // A rate counts its periods from when the rule was made: locally, from the (re)start of the timers.
  let started = new Date(clock.now());

  const nextRun = (schedule: Schedule): Date | undefined => {
    if (!schedule.parsed || !schedule.enabled) return undefined;
    const now = new Date(clock.now());
    const from = schedule.startDate && schedule.startDate > now ? schedule.startDate : now;
    const next = nextFireTime(schedule.parsed, from, {
      start: started,
      ...(schedule.timeZone ? { timeZone: schedule.timeZone } : {}),
    });
    return next && (!schedule.endDate || next <= schedule.endDate) ? next : undefined;
  };

  /** Delivers one firing: the Scheduled Event envelope (or the targets' Input) to the schedule's targets. */
  const fire = (schedule: Schedule, time: Date, why: string): EventEnvelope => {
    // EventBridge user guide, "Creating a rule that runs on a schedule": the event a scheduled rule sends.
    const event: EventEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: options.accountId,
      time: eventTime(time),
      region: options.region,
      resources: [schedule.rule.arn],
      detail: {},
    };
    lastFired.set(schedule.source, event.time);
    options.log(`[schedules] ${schedule.name} fired (${why})`);
    options.router.fire(schedule.rule, event, schedule.kind === 'rule');
    return event;
  };

  const arm = (schedule: Schedule) => {
    const next = nextRun(schedule);
    if (!next) return;
    const wait = Math.max(0, Math.min(next.getTime() - clock.now(), MAX_TIMER_MS));
    timers.set(
      schedule.source,
      clock.setTimer(() => {
        try {
          if (clock.now() >= next.getTime()) fire(schedule, next, schedule.expression);
        } catch (error) {
          options.log(`[schedules] ${schedule.name}: not fired: ${(error as Error).message}`);
        }
        arm(schedule);
      }, wait),
    );
  };

  const stop = () => {
    for (const timer of timers.values()) clock.clearTimer(timer);
    timers.clear();
  };
  const start = () => {
    started = new Date(clock.now());
    if (options.mode === 'run') for (const schedule of options.schedules()) arm(schedule);
  };
  start();

  const targetsOf = (schedule: Schedule) =>
    schedule.rule.targets.map((target) => target.arn.split(/[:/]/).at(-1)).join(', ');

  const find = (name: string) =>
    options.schedules().find((schedule) => schedule.name === name || schedule.source === name);

  return {
    page: {
      path: '/_local/schedules',
      what: 'the schedules (rules with a ScheduleExpression, Scheduler schedules), their targets and next run; POST /_local/schedules/NAME fires one now',
      read: () => ({
        running: options.mode === 'run',
        schedules: options.schedules().map((schedule) => {
          const next = options.mode === 'run' ? nextRun(schedule) : undefined;
          return {
            name: schedule.name,
            source: schedule.source,
            kind: schedule.kind === 'rule' ? 'EventBridge rule' : 'EventBridge Scheduler',
            expression: schedule.expression,
            ...(schedule.timeZone ? { timeZone: schedule.timeZone } : {}),
            state: schedule.enabled ? 'ENABLED' : 'DISABLED',
            targets: schedule.rule.targets.map((target) => ({
              id: target.id,
              arn: target.arn,
              ...(target.input !== undefined ? { input: target.input } : {}),
              ...(target.inputPath !== undefined ? { inputPath: target.inputPath } : {}),
              ...(target.inputTransformer ? { inputTransformer: target.inputTransformer } : {}),
            })),
            nextRun: next ? next.toISOString() : null,
            ...(lastFired.has(schedule.source) ? { lastFired: lastFired.get(schedule.source) } : {}),
          };
        }),
      }),
      post: (name) => {
        const schedule = find(name);
        if (!schedule) {
          return {
            status: 404,
            body: {
              message: `No schedule named ${JSON.stringify(name)}`,
              schedules: options.schedules().map((known) => known.name),
            },
          };
        }
        // AWS never fires a disabled schedule: neither does a request (enable it in the template to fire it).
        if (!schedule.enabled) {
          return {
            status: 409,
            body: {
              message: `Schedule ${schedule.name} is DISABLED: AWS never fires it, so neither does this; enable it in the template to fire it`,
            },
          };
        }
        const event = fire(schedule, new Date(clock.now()), 'on request');
        // Delivered in the background, as EventBridge delivers: the targets' outcome is logged (and on /_local/events).
        return {
          status: 202,
          body: {
            fired: schedule.name,
            ...(schedule.kind === 'rule' ? { event } : {}),
            targets: schedule.rule.targets.map((target) => target.arn),
          },
        };
      },
    },
    lines: () =>
      options.schedules().map((schedule) => {
        const what = `[schedules] ${schedule.name} ${schedule.expression}${schedule.timeZone ? ` (${schedule.timeZone})` : ''} → ${targetsOf(schedule)}`;
        if (!schedule.enabled) return `${what}: DISABLED, not fired`;
        const next = options.mode === 'run' ? nextRun(schedule) : undefined;
        if (next) return `${what}: next at ${next.toISOString()} (or now: POST /_local/schedules/${schedule.name})`;
        if (options.mode === 'run')
          return `${what}: no time ahead; fire it with POST /_local/schedules/${schedule.name}`;
        return `${what}: fire it with POST /_local/schedules/${schedule.name}, or run it on its clock with --schedules run`;
      }),
    restart: () => {
      stop();
      start();
    },
    stop,
  };
};
