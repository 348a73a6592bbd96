import { isObject, type TemplateObject, type TemplateValue } from '../../template/load.ts';
import type { LocalStack } from '../../template/stack.ts';
import type { EventRule } from './rules.ts';
import { isTimeZone, parseScheduleExpression, type ScheduleExpression } from './schedule-expression.ts';

/**
 * A schedule of the template: an EventBridge rule with a ScheduleExpression (AWS::Events::Rule, a SAM `Schedule`
 * event), or an EventBridge Scheduler schedule (AWS::Scheduler::Schedule, a SAM `ScheduleV2` event).
 */
export interface Schedule {
  name: string;
  /** `MyRule`, or `MyFunction.Events.Nightly` for a SAM event. */
  source: string;
  kind: 'rule' | 'scheduler';
  expression: string;
  /** Undefined when the expression cannot be read (named at start-up; the schedule fires only on request). */
  parsed?: ScheduleExpression;
  timeZone?: string;
  enabled: boolean;
  /** Scheduler's StartDate / EndDate: no firing outside them. */
  startDate?: Date;
  endDate?: Date;
  /**
   * What delivers it: the rule itself, or for Scheduler a rule-shaped stand-in whose one target carries the
   * schedule's Input (EventBridge Scheduler sends the Input as given, not an event envelope).
   */
  rule: EventRule;
}

const text = (value: TemplateValue | undefined): string | undefined =>
  typeof value === 'string' ? value : value === undefined || value === null ? undefined : JSON.stringify(value);

const dateOf = (value: TemplateValue | undefined): Date | undefined => {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
};

const parsedOf = (source: string, expression: string, notes: string[]): ScheduleExpression | undefined => {
  try {
    return parseScheduleExpression(expression);
  } catch (error) {
    notes.push(`${source}: ${(error as Error).message}: it fires only on request (POST /_local/schedules/<name>)`);
    return undefined;
  }
};

/** The schedule of a rule with a ScheduleExpression. */
const ruleSchedule = (rule: EventRule, notes: string[]): Schedule | undefined => {
  const expression = rule.scheduleExpression;
  if (expression === undefined) return undefined;
  const parsed = parsedOf(rule.source, expression, notes);
  if (parsed?.kind === 'at') {
    notes.push(`${rule.source}: at(...) is for EventBridge Scheduler, not rules: it fires only on request`);
  }
  return {
    name: rule.name,
    source: rule.source,
    kind: 'rule',
    expression,
    ...(parsed && parsed.kind !== 'at' ? { parsed } : {}),
    enabled: rule.state !== 'DISABLED',
    rule,
  };
};

/** One Scheduler schedule, from its properties (AWS::Scheduler::Schedule's, or a SAM ScheduleV2 event's). */
const schedulerSchedule = (
  stack: LocalStack,
  found: { source: string; name: string; properties: TemplateObject; target: TemplateObject },
  notes: string[],
): Schedule => {
  const { source, name, properties, target } = found;
  const expression = String(properties.ScheduleExpression ?? '');
  const parsed = parsedOf(source, expression, notes);
  const zone = text(properties.ScheduleExpressionTimezone);
  let timeZone: string | undefined;
  if (zone !== undefined && !isTimeZone(zone)) {
    notes.push(`${source}: ScheduleExpressionTimezone ${zone} is not a time zone this Node.js knows: UTC is used`);
  } else timeZone = zone;
  for (const property of ['RetryPolicy', 'DeadLetterConfig']) {
    if (target[property] !== undefined) {
      notes.push(`${source}: ${property} is not applied: locally a delivery is tried three times, then logged`);
    }
  }
  const window = isObject(properties.FlexibleTimeWindow) ? properties.FlexibleTimeWindow : {};
  if (window.Mode === 'FLEXIBLE') {
    notes.push(`${source}: FlexibleTimeWindow FLEXIBLE: locally it fires at the scheduled time itself`);
  }
  const group = text(properties.GroupName) ?? 'default';
  const input = text(target.Input);
  const startDate = dateOf(properties.StartDate);
  const endDate = dateOf(properties.EndDate);
  const targetArn = String(target.Arn ?? '');
  return {
    name,
    source,
    kind: 'scheduler',
    expression,
    ...(parsed ? { parsed } : {}),
    ...(timeZone ? { timeZone } : {}),
    enabled: String(properties.State ?? 'ENABLED') !== 'DISABLED',
    ...(startDate ? { startDate } : {}),
    ...(endDate ? { endDate } : {}),
    rule: {
      source,
      logicalId: source,
      name,
      arn: `arn:aws:scheduler:${stack.region}:${stack.accountId}:schedule/${group}/${name}`,
      busName: 'default',
      ...(parsed ? { scheduleExpression: expression } : {}),
      state: String(properties.State ?? 'ENABLED'),
      // Scheduler API reference, Target.Input: "If you do not specify anything for this field, EventBridge Scheduler
      // delivers a default notification to the target", whose shape it does not give: locally `{}`.
      targets: [{ id: 'Target', arn: targetArn, input: input ?? '{}', described: { Arn: targetArn } }],
    },
  };
};

const SAM_OWNERS: Record<string, (stack: LocalStack, logicalId: string) => string> = {
  'AWS::Serverless::Function': (stack, id) => stack.getAtt(id, 'Arn'),
  'AWS::Serverless::StateMachine': (stack, id) => stack.ref(id),
};

/** The template's schedules: its rules with a ScheduleExpression, its Scheduler schedules and SAM ScheduleV2 events. */
export const schedulesOf = (stack: LocalStack, rules: EventRule[]): { schedules: Schedule[]; notes: string[] } => {
  const notes: string[] = [];
  const schedules = rules.flatMap((rule) => ruleSchedule(rule, notes) ?? []);
  for (const resource of stack.ofType('AWS::Scheduler::Schedule')) {
    const properties = stack.properties(resource.logicalId);
    schedules.push(
      schedulerSchedule(
        stack,
        {
          source: resource.logicalId,
          name: text(properties.Name) ?? stack.ref(resource.logicalId),
          properties,
          target: isObject(properties.Target) ? properties.Target : {},
        },
        notes,
      ),
    );
  }
  for (const owner of stack.ofType(...Object.keys(SAM_OWNERS))) {
    const arnOf = SAM_OWNERS[owner.type];
    const events = stack.properties(owner.logicalId).Events;
    if (!arnOf) continue;
    for (const [event, value] of Object.entries(isObject(events) ? events : {})) {
      if (!isObject(value) || value.Type !== 'ScheduleV2') continue;
      const properties = isObject(value.Properties) ? value.Properties : {};
      const target: TemplateObject = { Arn: arnOf(stack, owner.logicalId) };
      for (const property of ['Input', 'RetryPolicy', 'DeadLetterConfig']) {
        const given = properties[property];
        if (given !== undefined) target[property] = given;
      }
      schedules.push(
        schedulerSchedule(
          stack,
          {
            source: `${owner.logicalId}.Events.${event}`,
            // SAM names the schedule after its logical id, `<Owner><Event>`, unless given a Name.
            name: text(properties.Name) ?? `${owner.logicalId}${event}`,
            properties,
            target,
          },
          notes,
        ),
      );
    }
  }
  return { schedules, notes };
};
