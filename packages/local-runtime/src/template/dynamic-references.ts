import { isObject, type TemplateValue } from './load.ts';

/**
 * What a service answers for one dynamic reference (`{{resolve:<service>:<rest>}}`, CloudFormation user guide,
 * "Get values stored in other services using dynamic references"), given `<rest>`; undefined leaves it as written.
 */
export type DynamicReferenceResolver = (reference: string) => string | undefined;

// The reference ends at the first `}}`: none of its parts (names, ARNs, JSON keys, stages, ids) may hold one.
const REFERENCE = /\{\{resolve:([a-z-]+):(.*?)\}\}/g;

/**
 * The template value with each dynamic reference a service resolves replaced by its value. CloudFormation resolves
 * them after the intrinsics (a reference is often built with `Fn::Sub` from a secret's Ref), so this runs on
 * resolved values.
 */
export const replaceDynamicReferences = (
  value: TemplateValue,
  resolvers: ReadonlyMap<string, DynamicReferenceResolver>,
): TemplateValue => {
  if (resolvers.size === 0) return value;
  if (typeof value === 'string') {
    return value.includes('{{resolve:')
      ? value.replace(REFERENCE, (whole, service: string, rest: string) => resolvers.get(service)?.(rest) ?? whole)
      : value;
  }
  if (Array.isArray(value)) return value.map((item) => replaceDynamicReferences(item, resolvers));
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, replaceDynamicReferences(item, resolvers)]),
    );
  }
  return value;
};

/** The `<rest>` of every `{{resolve:<service>:<rest>}}` in a (resolved) template value. */
export const dynamicReferencesIn = (value: TemplateValue, service: string): string[] => {
  if (typeof value === 'string') {
    return [...value.matchAll(REFERENCE)].filter((match) => match[1] === service).map((match) => match[2] ?? '');
  }
  if (Array.isArray(value)) return value.flatMap((item) => dynamicReferencesIn(item, service));
  if (isObject(value)) return Object.values(value).flatMap((item) => dynamicReferencesIn(item, service));
  return [];
};
