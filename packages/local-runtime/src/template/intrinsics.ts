import { INTRINSICS, isObject, type TemplateObject, type TemplateValue } from './load.ts';

/**
 * CloudFormation's intrinsic functions and conditions, evaluated the way the service does for one stack
 * (CloudFormation user guide, "Intrinsic function reference"). Resource refs are resolved lazily through
 * callbacks, so a resource no route uses never needs a physical id.
 */
export class IntrinsicError extends Error {
  override readonly name = 'IntrinsicError';
}

export interface PseudoParameters {
  region: string;
  accountId: string;
  partition: string;
  stackName: string;
  stackId: string;
  urlSuffix: string;
}

export interface ResolverOptions {
  parameters: Record<string, string | string[]>;
  pseudo: PseudoParameters;
  /** Physical id of a resource (or `Api.Stage` for SAM's stage ref). */
  ref: (logicalId: string) => string;
  getAtt: (logicalId: string, attribute: string) => string | string[];
  /** The value of another stack's export (`Fn::ImportValue`); without it the intrinsic is refused. */
  importValue?: (name: string) => string;
  /** Logical ids that exist without being in `Resources` (those the SAM transform generates). */
  generated?: (logicalId: string) => boolean;
  /** SAM's referable properties (`MyApi.Stage`): in `Fn::Sub`, `${MyApi.Stage}` is SAM's Ref to one, not a GetAtt. */
  referable?: (name: string) => boolean;
}

export interface Resolver {
  resolve(value: TemplateValue): TemplateValue;
  condition(name: string): boolean;
  resourceEnabled(logicalId: string): boolean;
}

/** Marks a value removed by `Ref: AWS::NoValue`; dropped from its object or list. */
const NO_VALUE: unique symbol = Symbol('AWS::NoValue');
type Resolved = TemplateValue | typeof NO_VALUE;

const FUNCTIONS = new Set<string>(INTRINSICS);
const UNSUPPORTED = new Set(['Fn::Cidr', 'Fn::Transform']);

const asText = (fn: string, value: Resolved): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new IntrinsicError(
    `${fn}: expected a string, got ${JSON.stringify(value === NO_VALUE ? 'AWS::NoValue' : value)}`,
  );
};

const asList = (fn: string, value: Resolved): TemplateValue[] => {
  if (Array.isArray(value)) return value;
  throw new IntrinsicError(
    `${fn}: expected a list, got ${JSON.stringify(value === NO_VALUE ? 'AWS::NoValue' : value)}`,
  );
};

export const createResolver = (template: TemplateObject, options: ResolverOptions): Resolver => {
  const resources = isObject(template.Resources) ? template.Resources : {};
  const conditions = isObject(template.Conditions) ? template.Conditions : {};
  const mappings = isObject(template.Mappings) ? template.Mappings : {};
  const { pseudo } = options;
  const pseudoValues: Record<string, string | string[]> = {
    'AWS::Region': pseudo.region,
    'AWS::AccountId': pseudo.accountId,
    'AWS::Partition': pseudo.partition,
    'AWS::StackName': pseudo.stackName,
    'AWS::StackId': pseudo.stackId,
    'AWS::URLSuffix': pseudo.urlSuffix,
    'AWS::NotificationARNs': [],
  };
  const conditionCache = new Map<string, boolean>();
  const evaluating = new Set<string>();

  const ref = (name: string): Resolved => {
    if (name === 'AWS::NoValue') return NO_VALUE;
    const pseudoValue = pseudoValues[name];
    if (pseudoValue !== undefined) return pseudoValue;
    const parameter = options.parameters[name];
    if (parameter !== undefined) return parameter;
    if (isObject(template.Parameters) && name in template.Parameters) {
      throw new IntrinsicError(`Parameter '${name}' has no value (no Default in the template, none given)`);
    }
    const [resourceId] = name.split('.');
    if (
      name in resources ||
      (resourceId && resourceId in resources && name.includes('.')) ||
      options.generated?.(name)
    ) {
      return options.ref(name);
    }
    throw new IntrinsicError(`Ref to unknown logical id "${name}"`);
  };

  const getAtt = (resourceId: string, attribute: string): string | string[] => {
    if (!(resourceId in resources) && !options.generated?.(resourceId))
      throw new IntrinsicError(`Fn::GetAtt of unknown resource "${resourceId}"`);
    return options.getAtt(resourceId, attribute);
  };

  const sub = (raw: TemplateValue): string => {
    const [text, variables] = Array.isArray(raw) ? raw : [raw, {}];
    if (typeof text !== 'string') throw new IntrinsicError('Fn::Sub: the first argument must be a string');
    const resolvedVariables = isObject(variables) ? variables : {};
    return text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
      // `${!Literal}` writes `${Literal}` (CloudFormation user guide, "Fn::Sub").
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      const trimmed = name.trim();
      if (trimmed in resolvedVariables)
        return asText('Fn::Sub', resolveValue(resolvedVariables[trimmed] as TemplateValue));
      const dot = trimmed.indexOf('.');
      if (
        dot > 0 &&
        !(trimmed in options.parameters) &&
        !trimmed.startsWith('AWS::') &&
        !options.referable?.(trimmed)
      ) {
        return asText('Fn::Sub', getAtt(trimmed.slice(0, dot), trimmed.slice(dot + 1)));
      }
      const value = ref(trimmed);
      if (Array.isArray(value)) return value.join(',');
      return value === NO_VALUE ? whole : asText('Fn::Sub', value);
    });
  };

  const findInMap = (args: TemplateValue[]): Resolved => {
    const [mapName, topKey, secondKey, defaults] = args.map((arg, i) =>
      i < 3 ? asText('Fn::FindInMap', resolveValue(arg)) : arg,
    );
    const map = mappings[mapName as string];
    const top = isObject(map) ? map[topKey as string] : undefined;
    const value = isObject(top) ? top[secondKey as string] : undefined;
    if (value !== undefined) return value;
    if (isObject(defaults as TemplateValue) && 'DefaultValue' in (defaults as TemplateObject)) {
      return resolveValue((defaults as TemplateObject).DefaultValue as TemplateValue);
    }
    throw new IntrinsicError(`Fn::FindInMap: ${mapName} has no ${topKey}.${secondKey}`);
  };

  const bool = (fn: string, value: Resolved): boolean => {
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new IntrinsicError(`${fn}: expected a condition, got ${JSON.stringify(value)}`);
  };

  const call = (fn: string, arg: TemplateValue): Resolved => {
    if (UNSUPPORTED.has(fn)) throw new IntrinsicError(`${fn} is not supported by the local runtime`);
    switch (fn) {
      case 'Fn::ImportValue': {
        if (!options.importValue) throw new IntrinsicError('Fn::ImportValue is not supported by the local runtime');
        return options.importValue(asText('Fn::ImportValue', resolveValue(arg)));
      }
      case 'Ref':
        return ref(asText('Ref', arg));
      case 'Condition':
        return condition(asText('Condition', arg));
      case 'Fn::Sub':
        return sub(arg);
      case 'Fn::GetAtt': {
        const [resourceId, attribute] =
          typeof arg === 'string' ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)] : asList(fn, arg);
        return getAtt(
          asText(fn, resolveValue(resourceId as TemplateValue)),
          asText(fn, resolveValue(attribute as TemplateValue)),
        );
      }
      case 'Fn::Join': {
        const [separator, items] = asList(fn, arg);
        return asList(fn, resolveValue(items as TemplateValue))
          .map((item) => asText(fn, item))
          .join(asText(fn, separator as TemplateValue));
      }
      case 'Fn::Select': {
        const [index, items] = asList(fn, arg);
        const list = asList(fn, resolveValue(items as TemplateValue));
        const at = Number(resolveValue(index as TemplateValue));
        if (!Number.isInteger(at) || at < 0 || at >= list.length)
          throw new IntrinsicError(`Fn::Select: index ${at} out of range`);
        return list[at] as TemplateValue;
      }
      case 'Fn::Split': {
        const [separator, text] = asList(fn, arg);
        return asText(fn, resolveValue(text as TemplateValue)).split(asText(fn, separator as TemplateValue));
      }
      case 'Fn::FindInMap':
        return findInMap(asList(fn, arg));
      case 'Fn::If': {
        const [name, whenTrue, whenFalse] = asList(fn, arg);
        return resolveValue((condition(asText(fn, name as TemplateValue)) ? whenTrue : whenFalse) as TemplateValue);
      }
      case 'Fn::Equals': {
        const [a, b] = asList(fn, arg).map((item) => resolveValue(item));
        return JSON.stringify(a) === JSON.stringify(b) || (a !== NO_VALUE && b !== NO_VALUE && String(a) === String(b));
      }
      case 'Fn::And':
        return asList(fn, arg).every((item) => bool(fn, resolveValue(item)));
      case 'Fn::Or':
        return asList(fn, arg).some((item) => bool(fn, resolveValue(item)));
      case 'Fn::Not':
        return !bool(fn, resolveValue(asList(fn, arg)[0] as TemplateValue));
      case 'Fn::Base64':
        return Buffer.from(asText(fn, resolveValue(arg))).toString('base64');
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((zone) => `${pseudo.region}${zone}`);
      case 'Fn::ToJsonString':
        return JSON.stringify(resolveValue(arg));
      case 'Fn::Length':
        return asList(fn, resolveValue(arg)).length;
      default:
        throw new IntrinsicError(`${fn} is not supported by the local runtime`);
    }
  };

  const resolveValue = (value: TemplateValue): Resolved => {
    if (Array.isArray(value)) {
      return value.map((item) => resolveValue(item)).filter((item): item is TemplateValue => item !== NO_VALUE);
    }
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && FUNCTIONS.has(keys[0] as string)) {
      const fn = keys[0] as string;
      return call(fn, value[fn] as TemplateValue);
    }
    const out: TemplateObject = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = resolveValue(item);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  };

  const condition = (name: string): boolean => {
    const cached = conditionCache.get(name);
    if (cached !== undefined) return cached;
    if (!(name in conditions)) throw new IntrinsicError(`Condition "${name}" is not declared`);
    if (evaluating.has(name)) throw new IntrinsicError(`Condition "${name}" depends on itself`);
    evaluating.add(name);
    try {
      const value = bool(`Condition ${name}`, resolveValue(conditions[name] as TemplateValue));
      conditionCache.set(name, value);
      return value;
    } finally {
      evaluating.delete(name);
    }
  };

  return {
    resolve: (value) => {
      const resolved = resolveValue(value);
      return resolved === NO_VALUE ? null : resolved;
    },
    condition,
    resourceEnabled: (logicalId) => {
      const resource = resources[logicalId];
      const name = isObject(resource) ? resource.Condition : undefined;
      return typeof name === 'string' ? condition(name) : true;
    },
  };
};
