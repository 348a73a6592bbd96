import { resolve as resolvePath } from 'node:path';
import { createResolver, IntrinsicError, type PseudoParameters, type Resolver } from './intrinsics.ts';
import { isObject, loadTemplate, type TemplateObject, type TemplateValue } from './load.ts';
import { defaultSamconfigFile, parseParameterOverrides, readSamConfig, resolveParameters } from './parameters.ts';
import { type PhysicalResource, physicalResource, stableId } from './physical-ids.ts';
import { implicitResources } from './sam-implicit.ts';

/**
 * The template as one deployed stack would be: parameter values from a samconfig.toml environment and
 * `--parameter-overrides`, physical ids for every resource, and every intrinsic resolved on demand. The REST
 * gateway, the function runtime and the services all read their configuration from here and nowhere else.
 */
export interface StackOptions {
  templatePath: string;
  /** samconfig.toml environment, `dev` by default. */
  configEnv?: string;
  /** `Key=Value Key2=Value2`, applied over the environment's `parameter_overrides`. */
  parameterOverrides?: string;
  samconfigPath?: string;
  /** The samconfig.toml table the values come from (`deploy` by default; `local_start_api` for start-api). */
  samconfigCommand?: string;
  /** The stack's region, over samconfig.toml's (`--region`). */
  region?: string;
  /** Account id the local stack pretends to live in. */
  accountId?: string;
  /** Values of other stacks' exports for `Fn::ImportValue` (`Name=Value`); a missing one gets a stand-in. */
  importValues?: Record<string, string>;
}

export interface StackResource {
  logicalId: string;
  type: string;
  /** False when the resource's Condition is false: it does not exist in this stack. */
  enabled: boolean;
  raw: TemplateObject;
}

export class StackError extends Error {
  override readonly name = 'StackError';
}

export class LocalStack {
  readonly templatePath: string;
  readonly template: TemplateObject;
  /** The samconfig.toml environment the parameters came from (none without a samconfig.toml). */
  readonly configEnv: string | undefined;
  /** Its table the parameter values were read from (`deploy`, `local_start_api`...). */
  readonly samconfigCommand: string;
  readonly parameters: Record<string, string | string[]>;
  readonly pseudo: PseudoParameters;
  readonly resources: Map<string, StackResource>;
  private readonly resolver: Resolver;
  private readonly physical = new Map<string, PhysicalResource>();
  private readonly resolved = new Map<string, TemplateObject>();
  private readonly resolving = new Set<string>();
  private readonly refOverrides = new Map<string, Partial<PhysicalResource>>();
  /** The parameters `--parameter-overrides` set (over the samconfig environment and the defaults). */
  readonly overriddenParameters: string[];
  /** `Fn::ImportValue` names with no value given (`--import-values`): they resolved to `local-import-<name>`. */
  readonly missingImports = new Set<string>();

  constructor(options: StackOptions) {
    this.templatePath = resolvePath(options.templatePath);
    this.template = loadTemplate(this.templatePath);
    const samconfig = readSamConfig(
      options.samconfigPath ?? defaultSamconfigFile(this.templatePath),
      options.configEnv,
      options.samconfigCommand,
    );
    this.configEnv = samconfig.env;
    this.samconfigCommand = options.samconfigCommand ?? 'deploy';
    const overrides = parseParameterOverrides(options.parameterOverrides ?? '');
    this.overriddenParameters = Object.keys(overrides);
    const values = { ...samconfig.parameterOverrides, ...overrides };
    this.parameters = resolveParameters(this.template, values);
    const region = options.region ?? samconfig.region ?? process.env.AWS_REGION ?? 'us-east-1';
    const stackName = samconfig.stackName ?? 'local-stack';
    const accountId = options.accountId ?? '123456789012';
    this.pseudo = {
      region,
      accountId,
      partition: 'aws',
      stackName,
      stackId: `arn:aws:cloudformation:${region}:${accountId}:stack/${stackName}/${stableId(stackName, 8)}-local`,
      urlSuffix: 'amazonaws.com',
    };
    const declared = isObject(this.template.Resources) ? this.template.Resources : {};
    const raw = { ...declared, ...implicitResources(declared) };
    this.resolver = createResolver(
      { ...this.template, Resources: raw },
      {
        parameters: this.parameters,
        pseudo: this.pseudo,
        ref: (logicalId) => this.ref(logicalId),
        getAtt: (logicalId, attribute) => this.getAtt(logicalId, attribute),
        importValue: (name) => {
          const given = options.importValues?.[name];
          if (given !== undefined) return given;
          this.missingImports.add(name);
          return `local-import-${name}`;
        },
      },
    );
    this.resources = new Map(
      Object.entries(raw).map(([logicalId, resource]) => {
        const value = isObject(resource) ? resource : {};
        return [
          logicalId,
          { logicalId, type: String(value.Type ?? ''), enabled: this.resolver.resourceEnabled(logicalId), raw: value },
        ];
      }),
    );
  }

  get region(): string {
    return this.pseudo.region;
  }

  get accountId(): string {
    return this.pseudo.accountId;
  }

  /** Enabled resources of these types, in template order. */
  ofType(...types: string[]): StackResource[] {
    return [...this.resources.values()].filter((resource) => resource.enabled && types.includes(resource.type));
  }

  resolve(value: TemplateValue): TemplateValue {
    return this.resolver.resolve(value);
  }

  condition(name: string): boolean {
    return this.resolver.condition(name);
  }

  /** A resource's Properties with every intrinsic resolved (memoised; a cycle is a template error). */
  properties(logicalId: string): TemplateObject {
    const cached = this.resolved.get(logicalId);
    if (cached) return cached;
    const resource = this.resources.get(logicalId);
    if (!resource) throw new StackError(`Unknown resource ${logicalId}`);
    if (this.resolving.has(logicalId)) {
      throw new StackError(`Circular dependency between resources: ${[...this.resolving, logicalId].join(' -> ')}`);
    }
    this.resolving.add(logicalId);
    try {
      const value = this.resolver.resolve(isObject(resource.raw.Properties) ? resource.raw.Properties : {});
      const properties = isObject(value) ? value : {};
      this.resolved.set(logicalId, properties);
      return properties;
    } catch (error) {
      if (error instanceof IntrinsicError) throw new StackError(`${logicalId}: ${error.message}`);
      throw error;
    } finally {
      this.resolving.delete(logicalId);
    }
  }

  /** Replaces what Ref / GetAtt give for a resource (a queue URL once the local SQS endpoint has a port). */
  override(logicalId: string, physical: Partial<PhysicalResource>): void {
    this.refOverrides.set(logicalId, physical);
    this.physical.delete(logicalId);
    this.resolved.clear();
  }

  physicalOf(logicalId: string): PhysicalResource {
    let physical = this.physical.get(logicalId);
    if (!physical) {
      const resource = this.resources.get(logicalId);
      if (!resource) throw new StackError(`Unknown resource ${logicalId}`);
      const base = physicalResource(logicalId, resource.type, () => this.properties(logicalId), this.pseudo);
      const override = this.refOverrides.get(logicalId);
      physical = {
        ref: override?.ref ?? base.ref,
        attributes: { ...base.attributes, ...override?.attributes },
      };
      this.physical.set(logicalId, physical);
    }
    return physical;
  }

  ref(logicalId: string): string {
    // SAM's `!Ref MyApi.Stage` is the name of the stage SAM creates for the API.
    const [resourceId, member] = logicalId.split('.');
    if (member === 'Stage' && resourceId && this.resources.get(resourceId)?.type === 'AWS::Serverless::Api') {
      return String(this.properties(resourceId).StageName ?? 'Prod');
    }
    return this.physicalOf(logicalId).ref;
  }

  getAtt(logicalId: string, attribute: string): string {
    const value = this.physicalOf(logicalId).attributes[attribute];
    if (value === undefined)
      throw new IntrinsicError(`Fn::GetAtt ${logicalId}.${attribute}: attribute not known locally`);
    return value;
  }
}
