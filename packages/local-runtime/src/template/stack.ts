import { resolve as resolvePath } from 'node:path';
import { type DynamicReferenceResolver, replaceDynamicReferences } from './dynamic-references.ts';
import { createResolver, IntrinsicError, type PseudoParameters, type Resolver } from './intrinsics.ts';
import { isObject, loadTemplate, type TemplateObject, type TemplateValue } from './load.ts';
import { inlineNestedStacks } from './nested-stacks.ts';
import { defaultSamconfigFile, parseParameterOverrides, readSamConfig, resolveParameters } from './parameters.ts';
import {
  functionUrlPhysical,
  lazyProperties,
  type PhysicalResource,
  physicalResource,
  stableId,
} from './physical-ids.ts';
import { findGenerated, type GeneratedIds, type GeneratedResource, generatedIds } from './sam-generated.ts';
import { implicitResources } from './sam-implicit.ts';
import { expandWebSocketApis, SamWebSocketApiError } from './sam-websocket-api.ts';
import { templateProblems } from './template-problems.ts';

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
  /**
   * Refuse the template as CloudFormation would for any problem template-problems.ts finds (and a parameter with no
   * value); by default such a problem is named in `templateProblems` and only stops start-up where it is served.
   */
  strict?: boolean;
}

export interface StackResource {
  logicalId: string;
  type: string;
  /** False when the resource's Condition is false: it does not exist in this stack. */
  enabled: boolean;
  raw: TemplateObject;
}

/**
 * Properties the local runtime never reads, by resource type: custom domains, tags, descriptions, access logs and
 * execution roles. One that cannot be resolved does not stop the stack (see LocalStack.resolveServed).
 */
const API_UNREAD = ['Domain', 'Description', 'Tags', 'AccessLogSetting', 'AccessLogSettings', 'PropagateTags'];
const UNREAD_PROPERTIES: Record<string, string[]> = {
  'AWS::Serverless::Api': API_UNREAD,
  'AWS::Serverless::HttpApi': API_UNREAD,
  'AWS::Serverless::WebSocketApi': API_UNREAD,
  'AWS::Serverless::Function': ['Role', 'Description', 'Tags', 'PropagateTags', 'PermissionsBoundary'],
  'AWS::Lambda::Function': ['Role', 'Description', 'Tags'],
};

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
  private readonly dynamicReferences = new Map<string, DynamicReferenceResolver>();
  /** The parameters `--parameter-overrides` set (over the samconfig environment and the defaults). */
  readonly overriddenParameters: string[];
  /** `Fn::ImportValue` names with no value given (`--import-values`): they resolved to `local-import-<name>`. */
  readonly missingImports = new Set<string>();
  /**
   * `Fn::GetAtt`s of attributes the local stack does not know (a custom resource's, a service it does not run):
   * each resolved to `local-<LogicalId>-<Attribute>` instead of refusing the template, and named at start-up.
   */
  readonly standIns = new Set<string>();
  /**
   * What CloudFormation would refuse the template for, in parts the local stack may never read (see
   * template-problems.ts): named at start-up; `strict` refuses them.
   */
  readonly templateProblems: string[];
  private readonly strict: boolean;
  /** Each nested stack: served from which local template, or not run and why (see nested-stacks.ts). */
  readonly nestedStacks: string[];
  private readonly generated: GeneratedIds;
  /** SAM's referable properties of the resources expanded here (`MyWebSocketApi.Stage`) → generated logical id. */
  private readonly samReferable: Map<string, string>;
  /** What the runtime does not run of the SAM resources it expands (sam-websocket-api.ts), for start-up. */
  readonly samNotes: string[];

  constructor(options: StackOptions) {
    this.templatePath = resolvePath(options.templatePath);
    const nested = inlineNestedStacks(loadTemplate(this.templatePath), this.templatePath);
    this.template = nested.template;
    this.nestedStacks = nested.notes;
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
    this.strict = options.strict ?? false;
    const missing: string[] = [];
    this.parameters = resolveParameters(this.template, values, missing);
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
    const globals = isObject(this.template.Globals) ? this.template.Globals : {};
    let webSocketApis: ReturnType<typeof expandWebSocketApis>;
    try {
      webSocketApis = expandWebSocketApis({ ...declared, ...implicitResources(declared) }, globals);
    } catch (error) {
      if (error instanceof SamWebSocketApiError) {
        throw new StackError(`AWS::Serverless::WebSocketApi ${error.message} (the SAM transform refuses it)`);
      }
      throw error;
    }
    const raw = webSocketApis.resources;
    this.samReferable = webSocketApis.referable;
    this.samNotes = webSocketApis.notes;
    const parameters = this.parameters;
    this.generated = generatedIds(raw, globals, (name) => {
      const value = parameters[name];
      return typeof value === 'string' ? value : undefined;
    });
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
        generated: (logicalId) => findGenerated(this.generated, logicalId) !== undefined,
        referable: (name) => this.isReferable(name),
      },
    );
    this.templateProblems = [
      ...missing.map((name) => `Parameter ${name} has no value (no Default, none given)`),
      ...templateProblems(this.template, (logicalId) => findGenerated(this.generated, logicalId) !== undefined, raw),
    ];
    if (options.strict && this.templateProblems.length > 0) {
      throw new StackError(
        `CloudFormation would refuse this template (--strict):\n${this.templateProblems.map((line) => `  - ${line}`).join('\n')}`,
      );
    }
    this.resources = new Map(
      Object.entries(raw).map(([logicalId, resource]) => {
        const value = isObject(resource) ? resource : {};
        return [logicalId, { logicalId, type: String(value.Type ?? ''), enabled: this.enabled(logicalId), raw: value }];
      }),
    );
  }

  /**
   * Whether a resource exists; one whose Condition cannot be evaluated (not declared) is left out, as a resource
   * nothing served can use: the problem is in templateProblems already.
   */
  private enabled(logicalId: string): boolean {
    try {
      return this.resolver.resourceEnabled(logicalId);
    } catch (error) {
      if (error instanceof IntrinsicError && !this.strict) {
        const line = `${logicalId}: ${error.message}: the resource is left out`;
        if (!this.templateProblems.some((problem) => problem.startsWith(`${logicalId}: Condition`))) {
          this.templateProblems.push(line);
        }
        return false;
      }
      if (error instanceof IntrinsicError) throw new StackError(`${logicalId}: ${error.message}`);
      throw error;
    }
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
    return replaceDynamicReferences(this.resolver.resolve(value), this.dynamicReferences);
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
      const raw = isObject(resource.raw.Properties) ? resource.raw.Properties : {};
      const properties = this.strict ? this.resolveAll(raw) : this.resolveServed(logicalId, resource.type, raw);
      this.resolved.set(logicalId, properties);
      return properties;
    } catch (error) {
      if (error instanceof IntrinsicError) throw new StackError(`${logicalId}: ${error.message}`);
      throw error;
    } finally {
      this.resolving.delete(logicalId);
    }
  }

  /**
   * SAM's `Globals.<section>` (Function, Api, HttpApi...) resolved as the properties of `type` are: what the runtime
   * never reads may be left out (see resolveServed).
   */
  globals(section: string, type: string): TemplateObject {
    const globals = isObject(this.template.Globals) ? this.template.Globals[section] : undefined;
    if (!isObject(globals)) return {};
    try {
      return this.strict ? this.resolveAll(globals) : this.resolveServed(`Globals.${section}`, type, globals);
    } catch (error) {
      if (error instanceof IntrinsicError) throw new StackError(`Globals.${section}: ${error.message}`);
      throw error;
    }
  }

  /**
   * The properties a physical id is named from (FunctionName, QueueName, StageName...), each resolved only when read:
   * a function's name must not need the rest of it (a DeploymentPreference hook that refers back to its version).
   */
  private namingProperties(logicalId: string): TemplateObject {
    const cached = this.resolved.get(logicalId);
    if (cached) return cached;
    const raw = this.resources.get(logicalId)?.raw.Properties;
    const read = (key: string, value: TemplateValue): TemplateValue | undefined => {
      try {
        const resolved = this.resolve({ [key]: value });
        return isObject(resolved) ? resolved[key] : undefined;
      } catch (error) {
        if (error instanceof IntrinsicError) throw new StackError(`${logicalId}.${key}: ${error.message}`);
        throw error;
      }
    };
    const circular = (chain: string[]) =>
      new StackError(`Circular dependency between resources: ${chain.join(' -> ')}`);
    return lazyProperties(logicalId, raw, read, this.resolving, circular);
  }

  private resolveAll(raw: TemplateObject): TemplateObject {
    const value = this.resolve(raw);
    return isObject(value) ? value : {};
  }

  /**
   * Resolves the properties, but one the runtime never reads (UNREAD_PROPERTIES) that cannot be resolved — a
   * parameter with no value, an unknown resource — is left out and named in templateProblems, as CloudFormation's
   * refusal of a part the local stack does not serve is (`--strict` refuses it).
   */
  private resolveServed(logicalId: string, type: string, raw: TemplateObject): TemplateObject {
    const unread = UNREAD_PROPERTIES[type];
    // Properties written as one intrinsic (`Properties: !If [...]`) are resolved whole.
    if (!unread || Object.keys(raw).some((key) => key === 'Ref' || key.startsWith('Fn::'))) return this.resolveAll(raw);
    const properties: TemplateObject = {};
    for (const [key, value] of Object.entries(raw)) {
      try {
        const resolved = this.resolve({ [key]: value });
        if (isObject(resolved) && key in resolved) properties[key] = resolved[key] as TemplateValue;
      } catch (error) {
        if (!(error instanceof IntrinsicError) || !unread.includes(key)) throw error;
        const line = `${logicalId}.${key}: ${error.message}: not read locally, so left out`;
        // Resolved again after an override(): named once.
        if (!this.templateProblems.includes(line)) this.templateProblems.push(line);
      }
    }
    return properties;
  }

  /** Replaces what Ref / GetAtt give for a resource (a queue URL once the local SQS endpoint has a port). */
  override(logicalId: string, physical: Partial<PhysicalResource>): void {
    this.refOverrides.set(logicalId, physical);
    this.physical.delete(logicalId);
    this.resolved.clear();
  }

  /**
   * What the running services told `previous` (the stack this one replaces after a template change): the local
   * endpoints' Ref and GetAtt values of the resources both stacks have, and the dynamic-reference resolvers. The
   * services started once, with the first stack; a reloaded stack read from the file knows none of it.
   */
  carryOver(previous: LocalStack): void {
    for (const [logicalId, physical] of previous.refOverrides) {
      if (this.resources.has(logicalId)) this.refOverrides.set(logicalId, physical);
    }
    for (const [service, resolve] of previous.dynamicReferences) this.dynamicReferences.set(service, resolve);
    this.physical.clear();
    this.resolved.clear();
  }

  /**
   * Resolves the template's `{{resolve:<service>:...}}` dynamic references to a service from now on (a service that
   * holds what they name, once it has started): values resolved before are resolved again.
   */
  addDynamicReferences(service: string, resolve: DynamicReferenceResolver): void {
    this.dynamicReferences.set(service, resolve);
    this.resolved.clear();
  }

  physicalOf(logicalId: string): PhysicalResource {
    let physical = this.physical.get(logicalId);
    if (!physical) {
      const resource = this.resources.get(logicalId);
      const generated = resource ? undefined : findGenerated(this.generated, logicalId);
      if (generated) return this.generatedPhysical(logicalId, generated);
      if (!resource) throw new StackError(`Unknown resource ${logicalId}`);
      const base = physicalResource(logicalId, resource.type, () => this.namingProperties(logicalId), this.pseudo);
      const override = this.refOverrides.get(logicalId);
      physical = {
        ref: override?.ref ?? base.ref,
        attributes: { ...base.attributes, ...override?.attributes },
      };
      this.physical.set(logicalId, physical);
    }
    return physical;
  }

  /** What a resource SAM generates gives `Ref` / `Fn::GetAtt`: shaped from the SAM resource that makes it. */
  private generatedPhysical(logicalId: string, generated: GeneratedResource): PhysicalResource {
    const { owner, type } = generated;
    let physical: PhysicalResource;
    switch (type) {
      case 'AWS::ApiGateway::Stage':
      case 'AWS::ApiGatewayV2::Stage': {
        const name =
          generated.name ??
          this.properties(owner).StageName ??
          (type === 'AWS::ApiGateway::Stage' ? 'Prod' : '$default');
        physical = { ref: String(name), attributes: {} };
        break;
      }
      case 'AWS::Lambda::Alias': {
        const arn = `${this.getAtt(owner, 'Arn')}:${generated.name}`;
        physical = { ref: arn, attributes: { AliasArn: arn } };
        break;
      }
      case 'AWS::Lambda::Version': {
        const functionArn = this.getAtt(owner, 'Arn');
        physical = { ref: `${functionArn}:1`, attributes: { FunctionArn: functionArn, Version: '1' } };
        break;
      }
      case 'AWS::Lambda::Url': {
        physical = functionUrlPhysical(`${this.pseudo.stackName}/${logicalId}`, this.region, this.getAtt(owner, 'Arn'));
        break;
      }
      case 'AWS::Events::Rule': {
        // A function's EventBridgeRule / CloudWatchEvent event: its RuleName and EventBusName name the rule (a
        // Schedule event: its Name). Only those are resolved, so a function that reads its own rule's name is no cycle.
        const raw = this.resources.get(owner)?.raw.Properties;
        const events = isObject(raw) ? raw.Events : undefined;
        const event = isObject(events) ? events[logicalId.slice(owner.length)] : undefined;
        const properties = isObject(event) && isObject(event.Properties) ? event.Properties : {};
        const named = {
          Name: this.resolve(
            (isObject(event) && event.Type === 'Schedule' ? properties.Name : properties.RuleName) ?? null,
          ),
          EventBusName: this.resolve(properties.EventBusName ?? null),
        };
        physical = physicalResource(logicalId, type, () => named, this.pseudo);
        break;
      }
      default:
        physical = physicalResource(logicalId, type, () => ({}), this.pseudo);
    }
    this.physical.set(logicalId, physical);
    return physical;
  }

  /** SAM's referable property `<Api>.Stage` (of an AWS::Serverless::Api, or a WebSocket API expanded here). */
  private isReferable(name: string): boolean {
    const [resourceId, member] = name.split('.');
    return (
      this.samReferable.has(name) ||
      (member === 'Stage' &&
        resourceId !== undefined &&
        this.resources.get(resourceId)?.type === 'AWS::Serverless::Api')
    );
  }

  ref(logicalId: string): string {
    // SAM's `!Ref MyApi.Stage` is the name of the stage SAM creates for the API.
    const referable = this.samReferable.get(logicalId);
    if (referable) return this.ref(referable);
    const [resourceId, member] = logicalId.split('.');
    if (member === 'Stage' && resourceId && this.resources.get(resourceId)?.type === 'AWS::Serverless::Api') {
      return String(this.properties(resourceId).StageName ?? 'Prod');
    }
    // `!Ref MyFunction.Version` / `.Alias`: the version and alias SAM publishes for AutoPublishAlias (SAM developer
    // guide, "Referencing AWS CloudFormation resources generated by AWS SAM"), version 1 locally.
    if (
      (member === 'Version' || member === 'Alias') &&
      resourceId &&
      this.resources.get(resourceId)?.type === 'AWS::Serverless::Function'
    ) {
      // Only AutoPublishAlias is resolved: the rest of the function may refer back here (a DeploymentPreference hook).
      const raw = this.resources.get(resourceId)?.raw.Properties;
      const own = isObject(raw) ? raw.AutoPublishAlias : undefined;
      const alias =
        own === undefined ? this.globals('Function', 'AWS::Serverless::Function').AutoPublishAlias : this.resolve(own);
      if (typeof alias === 'string') return `${this.getAtt(resourceId, 'Arn')}:${member === 'Version' ? '1' : alias}`;
    }
    return this.physicalOf(logicalId).ref;
  }

  getAtt(logicalId: string, attribute: string): string {
    const value = this.physicalOf(logicalId).attributes[attribute];
    if (value !== undefined) return value;
    this.standIns.add(`${logicalId}.${attribute}`);
    return `local-${logicalId}-${attribute}`;
  }
}
