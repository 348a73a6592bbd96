import { isObject } from '../template/load.ts';
import type { LocalStack, StackResource } from '../template/stack.ts';

/**
 * The resources of these types that a reloaded template added, removed or changed (their Properties as written, or
 * their Condition), as `Jobs (AWS::SQS::Queue) added`, in template order. A local service that reads its resources
 * once, at start, runs them as they were until a restart; the reload says so rather than leaving a function to find
 * a queue missing or a workflow's old definition.
 */
export const resourceChanges = (
  previous: LocalStack,
  next: LocalStack,
  types: readonly string[],
  /** Properties the service applies on a reload of its own: a change to them alone is no change here. */
  reloaded: readonly string[] = [],
): string[] => {
  if (types.length === 0) return [];
  const before = new Map(previous.ofType(...types).map((resource) => [resource.logicalId, resource]));
  const after = next.ofType(...types);
  const label = (resource: StackResource, change: string) => `${resource.logicalId} (${resource.type}) ${change}`;
  const written = (resource: StackResource) => {
    const properties = isObject(resource.raw.Properties) ? { ...resource.raw.Properties } : null;
    for (const name of reloaded) if (properties) delete properties[name];
    return JSON.stringify(properties);
  };
  const changes = after.flatMap((resource) => {
    const was = before.get(resource.logicalId);
    if (!was || was.type !== resource.type) return [label(resource, 'added')];
    return written(was) === written(resource) ? [] : [label(resource, 'changed')];
  });
  const kept = new Set(after.map((resource) => resource.logicalId));
  for (const resource of before.values()) if (!kept.has(resource.logicalId)) changes.push(label(resource, 'removed'));
  return changes;
};

/** The reload's line for the resources a service runs as at start. */
export const notAppliedLine = (service: string, changes: string[]): string =>
  `${service}: ${changes.join(', ')}: not applied, the service runs its resources as at start (restart to apply)`;
