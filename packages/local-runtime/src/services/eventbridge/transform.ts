import type { Json } from './pattern.ts';

/** What a target gets instead of the whole event (AWS::Events::Rule Target: Input, InputPath, InputTransformer). */
export interface TargetInput {
  input?: string;
  inputPath?: string;
  inputTransformer?: { inputPathsMap: Record<string, string>; inputTemplate: string };
}

/** The rule an event is delivered for, for the transformer's reserved variables. */
export interface RuleIdentity {
  name: string;
  arn: string;
}

/**
 * A JSON path of the forms EventBridge takes in InputPath and InputPathsMap (user guide, "Amazon EventBridge input
 * transformation": dot notation, array indices, wildcards): `$`, `$.detail.user.id`, `$.resources[0]`,
 * `$.detail.items[*].name` (a wildcard gives the list of what each element holds). Undefined when the event has
 * nothing there.
 */
export const readPath = (root: Json, path: string): Json | undefined => {
  if (!path.startsWith('$')) return undefined;
  const steps: string[] = [];
  const rest = path.slice(1);
  const step = /\.([^.[\]]+)|\[(\d+|\*)\]/y;
  while (step.lastIndex < rest.length) {
    const match = step.exec(rest);
    if (!match) return undefined;
    steps.push(match[1] ?? match[2] ?? '');
  }
  const walk = (value: Json | undefined, at: number): Json | undefined => {
    const name = steps[at];
    if (name === undefined || value === undefined) return value;
    if (name === '*') {
      const items = Array.isArray(value) ? value : value && typeof value === 'object' ? Object.values(value) : [];
      return items.map((item) => walk(item, at + 1)).filter((item): item is Json => item !== undefined);
    }
    if (Array.isArray(value)) return /^\d+$/.test(name) ? walk(value[Number(name)], at + 1) : undefined;
    if (value && typeof value === 'object' && Object.hasOwn(value, name)) return walk(value[name], at + 1);
    return undefined;
  };
  return walk(root, 0);
};

/**
 * Fills an InputTemplate's `<name>` placeholders (EventBridge user guide, "Amazon EventBridge input transformation"):
 * inside a JSON string the value goes in as text (escaped for the string), outside one as JSON (a string quoted).
 * Names with no value become empty text inside a string and `null` outside. `aws.events.*` are the reserved variables.
 */
const fillTemplate = (template: string, values: Record<string, Json | undefined>): string => {
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i] ?? '';
    if (char === '\\' && inString) {
      out += char + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (char === '"') inString = !inString;
    if (char === '<') {
      const end = template.indexOf('>', i);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (/^[A-Za-z0-9_.-]+$/.test(name) && Object.hasOwn(values, name)) {
        const value = values[name];
        if (inString) {
          const text =
            value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
          out += JSON.stringify(text).slice(1, -1);
        } else out += value === undefined ? 'null' : JSON.stringify(value);
        i = end;
        continue;
      }
    }
    out += char;
  }
  return out;
};

const withoutDetail = (event: Json): Json => {
  if (!event || typeof event !== 'object' || Array.isArray(event)) return event;
  const { detail: _, ...rest } = event;
  return rest;
};

/** The text the target receives for one event. */
export const targetBody = (event: Json, target: TargetInput, rule: RuleIdentity): string => {
  if (target.input !== undefined) return target.input;
  if (target.inputPath !== undefined) return JSON.stringify(readPath(event, target.inputPath) ?? null);
  if (target.inputTransformer) {
    const { inputPathsMap, inputTemplate } = target.inputTransformer;
    const values: Record<string, Json | undefined> = {
      'aws.events.rule-arn': rule.arn,
      'aws.events.rule-name': rule.name,
      'aws.events.event.ingestion-time': new Date().toISOString(),
      // "Predefined variables": the event without its detail, and the whole event.
      'aws.events.event': withoutDetail(event),
      'aws.events.event.json': event,
    };
    for (const [name, path] of Object.entries(inputPathsMap)) values[name] = readPath(event, path);
    return fillTemplate(inputTemplate, values);
  }
  return JSON.stringify(event);
};
