import { eventBusNameOf } from '../../template/physical-ids.ts';
import type { LocalStack } from '../../template/stack.ts';
import type { ServiceDefinition } from '../registry.ts';
import { awsJsonHandler } from '../shared/aws-json.ts';
import { type LocalService, listenService } from '../shared/local-service.ts';
import { requestVerifier } from '../shared/request-auth.ts';
import { EventBridgeError, eventBridgeOperations } from './operations.ts';
import { createEventRouter, type EventEnvelope, type RoutedEvent } from './router.ts';
import { type EventBus, type EventRule, eventModelOf } from './rules.ts';
import { createScheduleRunner } from './schedule-runner.ts';
import { type Schedule, schedulesOf } from './schedules.ts';

export interface EventBridgeService extends LocalService {
  buses: EventBus[];
  rules: EventRule[];
  /** The last events put, newest first, with the rules and targets they matched. */
  recentEvents(): RoutedEvent[];
  /** Reads the buses and rules of a reloaded template; says so when they changed. */
  reload(stack: LocalStack): string | undefined;
}

/** What a reload compares: the rules as they route. */
const rulesKey = (rules: EventRule[], buses: EventBus[], schedules: Schedule[]): string =>
  JSON.stringify([
    buses.map((bus) => bus.name),
    rules.map(({ source: _, ...rule }) => rule),
    schedules.map((schedule) => [
      schedule.source,
      schedule.expression,
      schedule.timeZone,
      schedule.enabled,
      schedule.rule,
    ]),
  ]);

declare module '../registry.ts' {
  interface LocalServices {
    eventbridge: EventBridgeService;
  }
}

/**
 * EventBridge with the template's buses and rules (AWS::Events::Rule, SAM EventBridgeRule / CloudWatchEvent events):
 * PutEvents matches each event against the enabled rules of its bus and hands it, transformed as each target asks,
 * to the queue, function or state machine the target names (ServiceContext.deliver). The endpoint speaks AWS JSON 1.1
 * (`X-Amz-Target: AWSEvents.<Operation>`), as the SDK, the CLI and API Gateway's `events` integrations do.
 */
export const eventBridgeService: ServiceDefinition<'eventbridge'> = {
  name: 'eventbridge',
  environmentVariable: 'AWS_ENDPOINT_URL_EVENTBRIDGE',
  arnNames: ['events'],
  endpointPrefix: 'events',
  resourceTypes: ['AWS::Events::Rule', 'AWS::Events::EventBus', 'AWS::Scheduler::Schedule'],
  start: async ({ stack, auth, host, port, log, timeScale, deliver, schedules: mode }) => {
    const model = eventModelOf(stack);
    for (const note of model.notes) log(`[events] ${note}`);
    const router = createEventRouter({ rules: () => model.rules, deliver, log, timeScale });
    const found = schedulesOf(stack, model.rules);
    for (const note of found.notes) log(`[schedules] ${note}`);
    let schedules = found.schedules;
    const runner = createScheduleRunner({
      schedules: () => schedules,
      router,
      region: stack.region,
      accountId: stack.accountId,
      mode,
      log,
    });
    for (const line of runner.lines()) log(line);
    const operations = eventBridgeOperations({
      buses: model.buses,
      rules: model.rules,
      router,
      region: stack.region,
      accountId: stack.accountId,
      log,
    });
    const service = await listenService(
      'eventbridge',
      awsJsonHandler({
        targetPrefix: 'AWSEvents',
        contentType: 'application/x-amz-json-1.1',
        operations,
        errorOf: (error) =>
          error instanceof EventBridgeError ? { status: 400, type: error.type, message: error.message } : undefined,
        internalErrorType: 'InternalException',
        verify: requestVerifier(auth, 'events'),
      }),
      { host, ...(port === undefined ? {} : { port }) },
    );
    return {
      ...service,
      buses: model.buses,
      rules: model.rules,
      recentEvents: () => router.recent(),
      reload: (next) => {
        const fresh = eventModelOf(next);
        const freshSchedules = schedulesOf(next, fresh.rules);
        if (
          rulesKey(fresh.rules, fresh.buses, freshSchedules.schedules) === rulesKey(model.rules, model.buses, schedules)
        ) {
          return undefined;
        }
        // In place: the operations and the router read these arrays.
        model.rules.splice(0, model.rules.length, ...fresh.rules);
        model.buses.splice(0, model.buses.length, ...fresh.buses);
        for (const note of fresh.notes) log(`[events] ${note}`);
        schedules = freshSchedules.schedules;
        for (const note of freshSchedules.notes) log(`[schedules] ${note}`);
        runner.restart();
        for (const line of runner.lines()) log(line);
        return `EventBridge: ${fresh.rules.length} rules on ${fresh.buses.length} buses reloaded`;
      },
      reset: () => {
        router.reset();
        runner.restart();
      },
      // An event another service emits onto a bus (S3's EventBridge notifications), whole, as a bus target gets it.
      deliver: async (targetArn, delivery) => {
        const busName = eventBusNameOf(targetArn);
        if (!model.buses.some((bus) => bus.name === busName)) throw new Error(`event bus ${busName} does not exist`);
        router.route(busName, JSON.parse(delivery.body) as EventEnvelope);
      },
      close: async () => {
        runner.stop();
        router.stop();
        await service.close();
      },
      pages: [
        {
          path: '/_local/events',
          what: 'EventBridge buses, rules and the last events put, with the rules and targets each matched',
          read: () => ({
            buses: model.buses.map((bus) => bus.name),
            rules: model.rules.map((rule) => ({
              name: rule.name,
              bus: rule.busName,
              state: rule.state,
              source: rule.source,
              ...(rule.patternText !== undefined ? { pattern: rule.patternText } : {}),
              ...(rule.scheduleExpression !== undefined ? { schedule: rule.scheduleExpression } : {}),
              targets: rule.targets.map((target) => ({ id: target.id, arn: target.arn })),
            })),
            events: router.recent(),
          }),
        },
        runner.page,
      ],
    };
  },
};

/** The banner's rows for the rules: bus, rule, what it sends to (or why it gets nothing). */
export const eventRuleRows = (service: EventBridgeService): string[][] =>
  service.rules.map((rule) => [
    rule.busName,
    rule.name,
    rule.state === 'DISABLED'
      ? 'DISABLED'
      : rule.pattern
        ? `→ ${rule.targets.map((target) => target.arn.split(/[:/]/).at(-1)).join(', ')}`
        : `schedule ${rule.scheduleExpression ?? '?'} → ${rule.targets.map((target) => target.arn.split(/[:/]/).at(-1)).join(', ')} (see /_local/schedules)`,
  ]);
