import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../../src/testing/eventually.ts';
import { call } from '../../src/testing/harness.ts';
import type { RunningRuntime } from '../../src/testing/index.ts';
import { fixtureRuntime } from '../fixture-runtime.ts';
import { rawRequest } from '../raw-http.ts';

/** The events TickFunction printed, in order. */
const received = (runtime: RunningRuntime): Record<string, unknown>[] =>
  [...runtime.output().matchAll(/RECEIVED (\{.*\})/g)].map((match) => JSON.parse(match[1] ?? '{}'));

const fire = (runtime: RunningRuntime, name: string) =>
  call(`${runtime.info.restUrl}/_local/schedules/${name}`, { method: 'POST' });

interface Listed {
  name: string;
  source: string;
  expression: string;
  state: string;
  timeZone?: string;
  nextRun: string | null;
  targets: { arn: string; input?: string }[];
}

const listed = async (runtime: RunningRuntime): Promise<{ running: boolean; schedules: Listed[] }> =>
  JSON.parse((await call(`${runtime.info.restUrl}/_local/schedules`)).text);

/**
 * Schedules, black-box: tests/fixtures/schedules/template.yaml's rules and Scheduler schedules, fired by
 * `POST /_local/schedules/<name>` and listed by `GET /_local/schedules`.
 */
describe('schedules on request (--schedules off, the default)', () => {
  const runtime = fixtureRuntime('schedules');
  let sqs: SQSClient;
  let queueUrl: string;

  beforeAll(async () => {
    sqs = new SQSClient(runtime.clientConfig('sqs'));
    queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'ticks' }))).QueueUrl ?? '';
  });
  afterAll(() => sqs?.destroy());

  const nextMessage = async (): Promise<string | undefined> => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 5 }),
    );
    return Messages[0]?.Body;
  };

  it('names each schedule at start-up with how to fire it, and not as "not run"', () => {
    const output = runtime.output();
    expect(output).toMatch(
      /\[schedules\] nightly-report cron\(0 3 \* \* \? \*\) → \S*TickFunction\S*: fire it with POST \/_local\/schedules\/nightly-report, or run it on its clock with --schedules run/,
    );
    expect(output).toMatch(/\[schedules\] new-year at\(2099-01-01T00:00:00\) \(America\/New_York\) → ticks: fire it/);
    expect(output).toMatch(/\[schedules\] \S*TickFunctionPaused\S* rate\(1 hour\) → \S+: DISABLED, not fired/);
    expect(output).toMatch(/TickFunction\.Events\.Hourly: RetryPolicy is not applied/);
    expect(output).toMatch(
      /\[schedules\] MisspeltRule: rate\(1 minutes\): 1 takes "minute": it fires only on request \(POST \/_local\/schedules\/<name>\)/,
    );
    expect(output).not.toMatch(/\((Schedule|ScheduleV2)\): not run/);
    expect(output).not.toMatch(/is not run on a timer/);
    expect(output).not.toMatch(/NewYearSchedule \(AWS::Scheduler::Schedule\): resource type not supported/);
    // A schedule group only groups schedules: nothing to run, named as having no local effect.
    expect(output).toMatch(/No local effect .*AWS::Scheduler::ScheduleGroup/);
    expect(output).not.toMatch(/Celebrations \(AWS::Scheduler::ScheduleGroup\): resource type not supported/);
  });

  it('lists the schedules with their expressions, targets and state, and no next run while off', async () => {
    const { running, schedules } = await listed(runtime);
    expect(running).toBe(false);
    const byName = Object.fromEntries(schedules.map((schedule) => [schedule.name, schedule]));
    expect(byName['nightly-report']).toMatchObject({
      source: 'TickFunction.Events.Nightly',
      expression: 'cron(0 3 * * ? *)',
      state: 'ENABLED',
      nextRun: null,
      targets: [{ arn: expect.stringMatching(/:function:\S*TickFunction/) }],
    });
    expect(schedules.find((schedule) => schedule.source === 'TickFunction.Events.Paused')?.state).toBe('DISABLED');
    expect(byName.TickFunctionHourly).toMatchObject({
      timeZone: 'Europe/Paris',
      targets: [{ input: '{"from":"scheduler"}' }],
    });
  });

  it('fires a SAM Schedule event: the function gets the Scheduled Event envelope of its rule', async () => {
    const answer = await fire(runtime, 'nightly-report');
    expect(answer.status).toBe(202);
    await runtime.waitForOutput(/RECEIVED \{"version"/, 10_000);
    const event = received(runtime).find((candidate) => candidate['detail-type'] === 'Scheduled Event');
    expect(event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: runtime.info.credentials.accountId,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: runtime.info.region,
      resources: [`arn:aws:events:${runtime.info.region}:${runtime.info.credentials.accountId}:rule/nightly-report`],
      detail: {},
    });
    expect(JSON.parse(answer.text).event).toEqual(event);
    const recent = JSON.parse((await call(`${runtime.info.restUrl}/_local/events`)).text) as {
      events: { id: string; detailType: string; matched: { rule: string }[] }[];
    };
    expect(recent.events.find((listed) => listed.id === event?.id)).toMatchObject({
      detailType: 'Scheduled Event',
      matched: [{ rule: 'nightly-report' }],
    });
  });

  it('fires a Schedule event with Input, by its source name: the function gets the Input', async () => {
    expect((await fire(runtime, 'TickFunction.Events.Cleanup')).status).toBe(202);
    await runtime.waitForOutput(/RECEIVED \{"job":"cleanup"\}/, 10_000);
  });

  it('fires a ScheduleV2: the function gets its Input as given, no envelope', async () => {
    expect((await fire(runtime, 'TickFunctionHourly')).status).toBe(202);
    await runtime.waitForOutput(/RECEIVED \{"from":"scheduler"\}/, 10_000);
  });

  it("fires a state machine's Schedule event: an execution starts with its Input", async () => {
    expect((await fire(runtime, 'TickMachine.Events.Weekly')).status).toBe(202);
    const started = await eventually(async () => {
      const executions = JSON.parse((await call(`${runtime.info.restUrl}/_local/executions`)).text) as {
        input: string;
        stateMachineArn: string;
      }[];
      return executions.some(
        (execution) => execution.input === '{"weekly":true}' && execution.stateMachineArn.includes('TickMachine'),
      );
    }, 10_000);
    expect(started).toBe(true);
  });

  it("fires an AWS::Events::Rule's schedule through its target's InputTransformer, to a queue", async () => {
    expect((await fire(runtime, 'ReportRule')).status).toBe(202);
    const body = JSON.parse((await nextMessage()) ?? '{}');
    expect(body).toEqual({ kind: 'Scheduled Event', rule: expect.stringMatching(/^arn:aws:events:\S+:rule\//) });
  });

  it('fires an AWS::Scheduler::Schedule: the queue gets its Input text', async () => {
    expect((await fire(runtime, 'new-year')).status).toBe(202);
    expect(await nextMessage()).toBe('happy new year');
  });

  it('answers a disabled schedule 409 and fires nothing; an unknown name 404 with the known ones', async () => {
    const before = received(runtime).length;
    const disabled = await fire(runtime, 'TickFunction.Events.Paused');
    expect(disabled.status).toBe(409);
    expect(JSON.parse(disabled.text).message).toMatch(/DISABLED/);
    const unknown = await fire(runtime, 'no-such-schedule');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toMatchObject({
      message: 'No schedule named "no-such-schedule"',
      schedules: expect.arrayContaining(['nightly-report', 'new-year']),
    });
    expect(received(runtime).length).toBe(before);
  });

  it('keeps the Host check of the /_local pages', async () => {
    const before = received(runtime).length;
    const answer = await rawRequest(runtime.info.restUrl, [
      'POST /_local/schedules/nightly-report HTTP/1.1',
      'Host: evil.example.com',
      'Content-Length: 0',
      'Connection: close',
    ]);
    expect(answer.status).toBe(403);
    expect(received(runtime).length).toBe(before);
  });
});

describe('schedules on their clock (--schedules run)', () => {
  const runtime = fixtureRuntime('schedules', ['--schedules', 'run']);

  it('names each enabled schedule with its next time, and lists it so', async () => {
    expect(runtime.output()).toMatch(
      /\[schedules\] nightly-report cron\(0 3 \* \* \? \*\) → \S+: next at \d{4}-\d\d-\d\dT03:00:00\.000Z/,
    );
    expect(runtime.output()).toMatch(
      /\[schedules\] \S*TickFunctionPaused\S* rate\(1 hour\) → \S+: DISABLED, not fired/,
    );
    const { running, schedules } = await listed(runtime);
    expect(running).toBe(true);
    const byName = Object.fromEntries(schedules.map((schedule) => [schedule.name, schedule]));
    expect(byName['nightly-report']?.nextRun).toMatch(/T03:00:00\.000Z$/);
    // 00:00 in New York on 1 January 2099 is 05:00 UTC.
    expect(byName['new-year']?.nextRun).toBe('2099-01-01T05:00:00.000Z');
    expect(schedules.find((schedule) => schedule.source === 'TickFunction.Events.Paused')?.nextRun).toBeNull();
    // Whole hours of Paris are whole hours of UTC.
    expect(byName.TickFunctionHourly?.nextRun).toMatch(/:00:00\.000Z$/);
  });
});
