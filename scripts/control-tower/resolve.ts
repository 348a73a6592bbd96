import { createResolver, IntrinsicError, type PseudoParameters } from 'sam-local-runtime/template/intrinsics';
import type { TemplateObject, TemplateValue } from 'sam-local-runtime/template/load';
import { lazyProperties, type PhysicalResource, physicalResource } from 'sam-local-runtime/template/physical-ids';

/** The checked stack: an example account, and the region and name a deployment of the starter would have. */
export const STACK: PseudoParameters = {
  accountId: '123456789012',
  region: 'eu-west-1',
  partition: 'aws',
  stackName: 'orders-api',
  stackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/orders-api/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
  urlSuffix: 'amazonaws.com',
};

/** The deploy-time parameter values: each parameter's default, then `overrides`. */
export const parameterValues = (
  template: TemplateObject,
  overrides: Record<string, string>,
): Record<string, string> => {
  const declared = (template.Parameters ?? {}) as Record<string, TemplateObject>;
  const defaults = Object.entries(declared)
    .filter(([, parameter]) => parameter.Default !== undefined)
    .map(([name, parameter]) => [name, String(parameter.Default)]);
  return { ...Object.fromEntries(defaults), ...overrides };
};

/** SAM's referable properties that plain resources may name (`!Ref OrdersApi.Stage`): the API's stage name. */
const SAM_STAGE_OWNERS = ['AWS::Serverless::Api', 'AWS::Serverless::HttpApi', 'AWS::Serverless::WebSocketApi'];

/**
 * The template's resources as a Control Tower hook sees each one, immediately before CloudFormation provisions it
 * (README, "AWS Control Tower controls"): every intrinsic function resolved. Parameters and pseudo parameters take
 * the checked stack's values (STACK); conditions, Fn::If and Fn::FindInMap are evaluated; `Ref` and `Fn::GetAtt` of a
 * resource, directly or in Fn::Sub, take the values CloudFormation would return once the resource exists, shaped as
 * AWS's own (a 10-character API id, ARNs in this account and region, generated names) by the local runtime's
 * physical-ids.ts, the one place that knows them. Resources whose condition is false are left out, as CloudFormation
 * does (a type physical-ids.ts does not list gets its generic `<stack>-<LogicalId>-<suffix>` and ARN). An intrinsic
 * it cannot resolve (an attribute physical-ids.ts does not know, Fn::ImportValue) is an error naming it: no rule may
 * pass or fail on a function object that the hook would have seen as a string.
 * `include` picks the resources returned; all of them can be referred to.
 */
export const resolveForDeployment = (
  template: TemplateObject,
  parameters: Record<string, string>,
  include: (resource: TemplateObject) => boolean = () => true,
): TemplateObject => {
  const resources = (template.Resources ?? {}) as Record<string, TemplateObject>;
  const declared = (template.Parameters ?? {}) as Record<string, TemplateObject>;
  // List parameters resolve to lists (CloudFormation user guide, "Parameters": CommaDelimitedList, List<...>).
  const values = Object.fromEntries(
    Object.entries(parameters).map(([name, value]) => {
      const type = String(declared[name]?.Type ?? 'String');
      return [name, type === 'CommaDelimitedList' || type.startsWith('List<') ? value.split(',') : value];
    }),
  );
  const physical = new Map<string, PhysicalResource>();
  const resolving = new Set<string>();
  /** A resource's properties, each resolved when read: a name must not need the rest (SAM's Api ↔ Function links). */
  const lazyPropertiesOf = (logicalId: string): TemplateObject =>
    lazyProperties(
      logicalId,
      resources[logicalId]?.Properties,
      (_key, value) => resolver.resolve(value),
      resolving,
      (chain) => new IntrinsicError(`circular reference: ${chain.join(' -> ')}`),
    );
  const physicalOf = (logicalId: string): PhysicalResource => {
    const known = physical.get(logicalId);
    if (known) return known;
    const type = String(resources[logicalId]?.Type);
    const made = physicalResource(logicalId, type, () => lazyPropertiesOf(logicalId), STACK);
    physical.set(logicalId, made);
    return made;
  };
  const samStage = (name: string): string | undefined => {
    const [logicalId = '', property] = name.split(/\.(.*)/s);
    if (property !== 'Stage' || !SAM_STAGE_OWNERS.includes(String(resources[logicalId]?.Type))) return undefined;
    const stage = lazyPropertiesOf(logicalId).StageName;
    return typeof stage === 'string' ? stage : undefined;
  };
  const resolver = createResolver(template, {
    parameters: values,
    pseudo: STACK,
    ref: (name) => {
      if (name in resources) return physicalOf(name).ref;
      return samStage(name) ?? raise(`Ref ${name} names no resource of this template`);
    },
    getAtt: (logicalId, attribute) =>
      physicalOf(logicalId).attributes[attribute] ??
      raise(
        `no representative value for Fn::GetAtt ${logicalId}.${attribute} (${String(resources[logicalId]?.Type)}): ` +
          'add it to packages/local-runtime/src/template/physical-ids.ts',
      ),
    referable: (name) => samStage(name) !== undefined,
    importValue: (name) => raise(`Fn::ImportValue ${name}: another stack's export is unknown to this check`),
  });

  const resolved = Object.entries(resources)
    .filter(([logicalId, resource]) => resolver.resourceEnabled(logicalId) && include(resource))
    .map(([logicalId, resource]) => {
      try {
        return [logicalId, resolver.resolve(resource as TemplateValue)] as const;
      } catch (error) {
        if (error instanceof IntrinsicError) throw new Error(`Resources.${logicalId}: ${error.message}`);
        throw error;
      }
    });
  return { ...template, Resources: Object.fromEntries(resolved), Outputs: {} };
};

const raise = (message: string): never => {
  throw new IntrinsicError(message);
};
