import { isObject, type TemplateObject, type TemplateValue } from '../../template/load.ts';
import { eventBusNameOf } from '../../template/physical-ids.ts';
import type { LocalStack } from '../../template/stack.ts';
import { InvalidPatternError, type Json, parsePattern } from './pattern.ts';
import type { TargetInput } from './transform.ts';

export interface EventBus {
  name: string;
  arn: string;
  description?: string;
}

export interface RuleTarget extends TargetInput {
  id: string;
  arn: string;
  /** FIFO queue targets (SqsParameters.MessageGroupId). */
  messageGroupId?: string;
  /** As the template gives it, for ListTargetsByRule. */
  described: Record<string, Json>;
}

export interface EventRule {
  /** `MyRule`, or `MyFunction.Events.OrderPlaced` for a SAM function event. */
  source: string;
  logicalId: string;
  name: string;
  arn: string;
  busName: string;
  pattern?: Record<string, Json>;
  /** The pattern as the template gives it, for DescribeRule. */
  patternText?: string;
  scheduleExpression?: string;
  state: string;
  description?: string;
  targets: RuleTarget[];
}

/** The buses and rules of the template, and what of them the runtime does not run (named at start-up). */
export interface EventModel {
  buses: EventBus[];
  rules: EventRule[];
  notes: string[];
}

const text = (value: TemplateValue | undefined): string | undefined =>
  typeof value === 'string' ? value : value === undefined || value === null ? undefined : JSON.stringify(value);

const targetOf = (raw: TemplateObject, source: string, notes: string[]): RuleTarget => {
  const id = String(raw.Id ?? '');
  const transformer = isObject(raw.InputTransformer) ? raw.InputTransformer : undefined;
  const sqs = isObject(raw.SqsParameters) ? raw.SqsParameters : {};
  if (raw.DeadLetterConfig !== undefined) {
    notes.push(`${source} target ${id}: DeadLetterConfig is not run: an event that cannot be delivered is logged`);
  }
  if (raw.RetryPolicy !== undefined) {
    notes.push(`${source} target ${id}: RetryPolicy is not applied: locally a delivery is tried three times`);
  }
  for (const property of ['HttpParameters', 'KinesisParameters', 'EcsParameters', 'BatchParameters']) {
    if (raw[property] !== undefined) notes.push(`${source} target ${id}: ${property} is not applied locally`);
  }
  const input = text(raw.Input);
  const inputPath = text(raw.InputPath);
  const messageGroupId = text(sqs.MessageGroupId);
  return {
    id,
    arn: String(raw.Arn ?? ''),
    ...(input !== undefined ? { input } : {}),
    ...(inputPath !== undefined ? { inputPath } : {}),
    ...(transformer
      ? {
          inputTransformer: {
            inputPathsMap: Object.fromEntries(
              Object.entries(isObject(transformer.InputPathsMap) ? transformer.InputPathsMap : {}).map(
                ([name, path]) => [name, String(path)],
              ),
            ),
            inputTemplate: String(transformer.InputTemplate ?? ''),
          },
        }
      : {}),
    ...(messageGroupId !== undefined ? { messageGroupId } : {}),
    described: raw as Record<string, Json>,
  };
};

/** One rule, or a note saying why it does not run. */
const ruleOf = (
  stack: LocalStack,
  found: { source: string; logicalId: string; properties: TemplateObject; targets: TemplateObject[] },
  notes: string[],
): EventRule | undefined => {
  const { source, logicalId, properties } = found;
  const rawPattern = properties.EventPattern;
  let pattern: Record<string, Json> | undefined;
  if (rawPattern !== undefined && rawPattern !== null) {
    try {
      pattern = parsePattern(rawPattern);
    } catch (error) {
      if (!(error instanceof InvalidPatternError)) throw error;
      notes.push(`${source}: EventPattern is not valid (${error.message}): the rule is not run`);
      return undefined;
    }
  }
  // Run or fired on request by the schedules (schedules.ts), which name it at start-up.
  const scheduleExpression = text(properties.ScheduleExpression);
  const description = text(properties.Description);
  const patternText = text(rawPattern);
  return {
    source,
    logicalId,
    name: stack.ref(logicalId).split('|').pop() ?? logicalId,
    arn: stack.getAtt(logicalId, 'Arn'),
    busName: eventBusNameOf(properties.EventBusName),
    ...(pattern ? { pattern } : {}),
    ...(patternText !== undefined ? { patternText } : {}),
    ...(scheduleExpression !== undefined ? { scheduleExpression } : {}),
    state: String(properties.State ?? 'ENABLED'),
    ...(description !== undefined ? { description } : {}),
    targets: found.targets.map((target) => targetOf(target, source, notes)),
  };
};

// SAM's default target id: `<LogicalId>LambdaTarget` (a function's event) or `<LogicalId>StepFunctionsTarget` (a state
// machine's), the id cut so the whole is at most 64 characters (samtranslator: eventsources/push.py and
// stepfunctions/events.py, CloudWatchEvent._construct_target; events.py generate_valid_target_id).
const samTargetId = (logicalId: string, suffix: string): string => `${logicalId.slice(0, 64 - suffix.length)}${suffix}`;

const SAM_OWNERS: Record<string, { suffix: string; arn: (stack: LocalStack, logicalId: string) => string }> = {
  'AWS::Serverless::Function': { suffix: 'LambdaTarget', arn: (stack, id) => stack.getAtt(id, 'Arn') },
  'AWS::Serverless::StateMachine': { suffix: 'StepFunctionsTarget', arn: (stack, id) => stack.ref(id) },
};

/** The events of a function or state machine SAM makes a rule of. */
const SAM_RULE_EVENTS = new Set(['EventBridgeRule', 'CloudWatchEvent', 'Schedule']);

/**
 * The rule SAM makes of an EventBridgeRule / CloudWatchEvent event of a function or state machine: `<Owner><Event>`,
 * its one target the owner (samtranslator: eventsources/push.py, stepfunctions/events.py CloudWatchEvent).
 */
const samRules = (stack: LocalStack, notes: string[]): EventRule[] => {
  const rules: EventRule[] = [];
  for (const owner of stack.ofType(...Object.keys(SAM_OWNERS))) {
    const kind = SAM_OWNERS[owner.type];
    const events = stack.properties(owner.logicalId).Events;
    if (!kind) continue;
    for (const [name, event] of Object.entries(isObject(events) ? events : {})) {
      if (!isObject(event) || !SAM_RULE_EVENTS.has(String(event.Type))) continue;
      const properties = isObject(event.Properties) ? event.Properties : {};
      const logicalId = `${owner.logicalId}${name}`;
      const target: TemplateObject = {
        Arn: kind.arn(stack, owner.logicalId),
        Id:
          isObject(properties.Target) && properties.Target.Id !== undefined
            ? properties.Target.Id
            : samTargetId(logicalId, kind.suffix),
      };
      for (const property of ['Input', 'InputPath', 'InputTransformer', 'DeadLetterConfig', 'RetryPolicy']) {
        const value = properties[property];
        if (value !== undefined) target[property] = value;
      }
      // A function's event may say `Enabled` instead of `State`; a state machine's only `State`.
      const enabled = properties.Enabled;
      const state =
        properties.State ??
        (enabled === undefined ? undefined : enabled === false || enabled === 'false' ? 'DISABLED' : 'ENABLED');
      const rule = ruleOf(
        stack,
        {
          source: `${owner.logicalId}.Events.${name}`,
          logicalId,
          properties: {
            ...(properties.Pattern !== undefined ? { EventPattern: properties.Pattern } : {}),
            // A Schedule event (samtranslator eventsources/push.py Schedule): a rule with its ScheduleExpression.
            ...(event.Type === 'Schedule' && properties.Schedule !== undefined
              ? { ScheduleExpression: properties.Schedule }
              : {}),
            ...(event.Type === 'Schedule' && properties.Description !== undefined
              ? { Description: properties.Description }
              : {}),
            ...(properties.EventBusName !== undefined ? { EventBusName: properties.EventBusName } : {}),
            ...(state !== undefined ? { State: state } : {}),
          },
          targets: [target],
        },
        notes,
      );
      if (rule) rules.push(rule);
    }
  }
  return rules;
};

/**
 * The template's buses (`default` always, AWS::Events::EventBus) and rules: AWS::Events::Rule resources and the
 * EventBridgeRule / CloudWatchEvent events of SAM functions and state machines.
 */
export const eventModelOf = (stack: LocalStack): EventModel => {
  const notes: string[] = [];
  const buses: EventBus[] = [
    { name: 'default', arn: `arn:aws:events:${stack.region}:${stack.accountId}:event-bus/default` },
  ];
  for (const bus of stack.ofType('AWS::Events::EventBus')) {
    const properties = stack.properties(bus.logicalId);
    const description = text(properties.Description);
    buses.push({
      name: stack.ref(bus.logicalId),
      arn: stack.getAtt(bus.logicalId, 'Arn'),
      ...(description !== undefined ? { description } : {}),
    });
    if (properties.EventSourceName !== undefined) {
      notes.push(`${bus.logicalId}: a partner event source bus gets only the events sent to it locally`);
    }
  }
  const rules: EventRule[] = [];
  for (const resource of stack.ofType('AWS::Events::Rule')) {
    const properties = stack.properties(resource.logicalId);
    const targets = Array.isArray(properties.Targets) ? properties.Targets.filter(isObject) : [];
    const rule = ruleOf(
      stack,
      { source: resource.logicalId, logicalId: resource.logicalId, properties, targets },
      notes,
    );
    if (rule) rules.push(rule);
  }
  rules.push(...samRules(stack, notes));
  const known = new Set(buses.map((bus) => bus.name));
  for (const rule of rules) {
    if (!known.has(rule.busName)) {
      notes.push(`${rule.source}: event bus ${rule.busName} is not a bus of this template: the rule gets no events`);
    }
    if (!rule.pattern && !rule.scheduleExpression)
      notes.push(`${rule.source}: no EventPattern: the rule gets no events`);
  }
  return { buses, rules, notes };
};
