import { randomUUID } from 'node:crypto';
import { eventBusNameOf } from '../../template/physical-ids.ts';
import type { JsonRequest } from '../shared/aws-json.ts';
import { InvalidPatternError, type Json, matchesPattern, parsePattern } from './pattern.ts';
import type { EventEnvelope, EventRouter } from './router.ts';
import type { EventBus, EventRule } from './rules.ts';

export class EventBridgeError extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

export interface EventBridgeState {
  buses: EventBus[];
  rules: EventRule[];
  router: EventRouter;
  region: string;
  accountId: string;
  /** Says so for an event sent to a bus the template does not have (AWS accepts it and drops it). */
  log: (line: string) => void;
}

// PutEvents takes at most 10 entries of at most 256 KB together (EventBridge API reference, PutEvents; user guide,
// "Calculating Amazon EventBridge PutEvents event entry size").
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

const validation = (message: string) => new EventBridgeError('ValidationException', message);

/** An entry's size as EventBridge counts it: 14 bytes for Time, then the UTF-8 bytes of each text field. */
const entrySize = (entry: Record<string, unknown>): number => {
  const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    resources.reduce((sum: number, resource) => sum + bytes(resource), 0)
  );
};

/** `Time` as the SDK sends it (epoch seconds) or as text; EventBridge's own form has no fractions of a second. */
const eventTime = (value: unknown): string => {
  const date =
    typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : new Date();
  const valid = Number.isNaN(date.getTime()) ? new Date() : date;
  return `${valid.toISOString().slice(0, 19)}Z`;
};

/**
 * One entry's answer (PutEventsResultEntry): EventId, or ErrorCode and ErrorMessage for an entry EventBridge refuses
 * while taking the others (the error codes and messages AWS answers, as recorded by LocalStack's AWS-validated tests).
 */
const putEntry = (state: EventBridgeState, raw: unknown): Record<string, string> => {
  const entry = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  for (const field of ['Source', 'DetailType', 'Detail']) {
    if (typeof entry[field] !== 'string' || entry[field] === '') {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
      };
    }
  }
  // Sources under `aws.` are AWS's own: a caller may not put them (recorded answer, aws-samples/serverless-patterns#3089).
  if (String(entry.Source).startsWith('aws.')) {
    return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(String(entry.Detail));
  } catch {
    detail = undefined;
  }
  if (!detail || typeof detail !== 'object' || Array.isArray(detail)) {
    return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  }
  const busName = eventBusNameOf(entry.EventBusName);
  const event: EventEnvelope = {
    version: '0',
    id: randomUUID(),
    'detail-type': String(entry.DetailType),
    source: String(entry.Source),
    account: state.accountId,
    time: eventTime(entry.Time),
    region: state.region,
    resources: Array.isArray(entry.Resources) ? entry.Resources.map(String) : [],
    detail: detail as Json,
  };
  if (!state.buses.some((bus) => bus.name === busName)) {
    // AWS answers an EventId for a bus that does not exist and drops the event (aws/aws-cli#9186).
    state.log(`[events] event ${event.id} sent to event bus ${busName}, which the template does not have: dropped`);
  } else state.router.route(busName, event);
  return { EventId: event.id };
};

const findBus = (state: EventBridgeState, name: unknown): EventBus => {
  const busName = eventBusNameOf(name);
  const bus = state.buses.find((candidate) => candidate.name === busName);
  if (!bus) throw new EventBridgeError('ResourceNotFoundException', `Event bus ${busName} does not exist.`);
  return bus;
};

const findRule = (state: EventBridgeState, name: unknown, busName: unknown): EventRule => {
  const bus = findBus(state, busName);
  const rule = state.rules.find((candidate) => candidate.name === name && candidate.busName === bus.name);
  if (!rule) {
    throw new EventBridgeError(
      'ResourceNotFoundException',
      `Rule ${String(name)} does not exist on EventBus ${bus.name}.`,
    );
  }
  return rule;
};

const describeRule = (rule: EventRule) => ({
  Name: rule.name,
  Arn: rule.arn,
  EventBusName: rule.busName,
  State: rule.state,
  ...(rule.patternText !== undefined ? { EventPattern: rule.patternText } : {}),
  ...(rule.scheduleExpression !== undefined ? { ScheduleExpression: rule.scheduleExpression } : {}),
  ...(rule.description !== undefined ? { Description: rule.description } : {}),
});

const describeBus = (bus: EventBus) => ({
  Name: bus.name,
  Arn: bus.arn,
  ...(bus.description !== undefined ? { Description: bus.description } : {}),
});

const byPrefix = <T extends { name: string }>(items: T[], prefix: unknown): T[] =>
  typeof prefix === 'string' ? items.filter((item) => item.name.startsWith(prefix)) : items;

/** The operations of the local endpoint: PutEvents, and what a user debugging a rule reads. */
export const eventBridgeOperations = (state: EventBridgeState): Record<string, (input: JsonRequest) => unknown> => ({
  PutEvents: (input) => {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length === 0) {
      throw validation(
        "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
      );
    }
    if (entries.length > MAX_ENTRIES) {
      throw validation(
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ENTRIES}`,
      );
    }
    const size = entries.reduce((sum: number, entry) => sum + entrySize((entry ?? {}) as Record<string, unknown>), 0);
    if (size > MAX_REQUEST_BYTES) throw validation('Total size of the entries in the request is over the limit.');
    const answers = entries.map((entry) => putEntry(state, entry));
    return { FailedEntryCount: answers.filter((answer) => answer.ErrorCode).length, Entries: answers };
  },
  ListEventBuses: (input) => ({ EventBuses: byPrefix(state.buses, input.NamePrefix).map(describeBus) }),
  DescribeEventBus: (input) => describeBus(findBus(state, input.Name)),
  ListRules: (input) => {
    const bus = findBus(state, input.EventBusName);
    return {
      Rules: byPrefix(
        state.rules.filter((rule) => rule.busName === bus.name),
        input.NamePrefix,
      ).map(describeRule),
    };
  },
  DescribeRule: (input) => describeRule(findRule(state, input.Name, input.EventBusName)),
  ListTargetsByRule: (input) => ({
    Targets: findRule(state, input.Rule, input.EventBusName).targets.map((target) => target.described),
  }),
  TestEventPattern: (input) => {
    let event: unknown;
    try {
      event = JSON.parse(String(input.Event));
    } catch {
      throw validation('Parameter Event is not valid.');
    }
    // The event must carry the envelope's fields (API reference, TestEventPattern: Event).
    const missing = ['id', 'account', 'source', 'time', 'region', 'detail-type'].filter(
      (field) => !event || typeof event !== 'object' || !Object.hasOwn(event, field),
    );
    if (missing.length > 0) throw validation(`Parameter Event is not valid. Missing fields: ${missing.join(', ')}`);
    try {
      return { Result: matchesPattern(parsePattern(input.EventPattern), event as Json) };
    } catch (error) {
      if (!(error instanceof InvalidPatternError)) throw error;
      throw new EventBridgeError(
        'InvalidEventPatternException',
        `Event pattern is not valid. Reason: ${error.message}`,
      );
    }
  },
});
