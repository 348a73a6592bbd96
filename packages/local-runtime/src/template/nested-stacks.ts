import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isObject, loadTemplate, type TemplateObject, type TemplateValue } from './load.ts';
import { IMPLICIT_HTTP_API, IMPLICIT_REST_API, implicitResources } from './sam-implicit.ts';

/**
 * Nested stacks (`AWS::Serverless::Application` with a `Location`, `AWS::CloudFormation::Stack` with a
 * `TemplateURL`) whose template is a local file, as `sam local` runs them: the child's resources are served with the
 * parent's. The child is spliced into the parent's template with every logical id (resources, conditions, mappings,
 * parameters) prefixed with the nested stack's own (`Child` + `HelloFunction` = `ChildHelloFunction`), so every
 * intrinsic keeps meaning what it meant in the child; the parameters the parent passes become the parent's
 * expressions, the others keep the child's declaration (its Default; `--parameter-overrides ChildName=...`); the
 * child's Globals are merged into its own resources; `Fn::GetAtt Child.Outputs.X` in the parent becomes the child
 * output's value. A location that is not a local file (S3, the Serverless Application Repository) is left as it is
 * and named at start-up.
 */
export interface NestedStacks {
  template: TemplateObject;
  /** One line per nested stack: served from which file, or not run and why. */
  notes: string[];
}

/** Metadata key marking a nested stack whose resources are served in the parent (its value: the template file). */
export const NESTED_TEMPLATE = 'LocalNestedTemplate';

const NESTED_TYPES = new Set(['AWS::Serverless::Application', 'AWS::CloudFormation::Stack']);

/** SAM's Globals section each resource type takes (SAM developer guide, "Globals section of the AWS SAM template"). */
const GLOBALS_OF: Record<string, string> = {
  'AWS::Serverless::Function': 'Function',
  'AWS::Serverless::Api': 'Api',
  'AWS::Serverless::HttpApi': 'HttpApi',
  'AWS::Serverless::WebSocketApi': 'WebSocketApi',
  'AWS::Serverless::SimpleTable': 'SimpleTable',
  'AWS::Serverless::StateMachine': 'StateMachine',
  'AWS::Serverless::LayerVersion': 'LayerVersion',
};

/** Properties that are paths relative to the template that declares them. */
const LOCAL_PATH_PROPERTIES = ['CodeUri', 'Code', 'DefinitionUri', 'ContentUri', 'Location', 'TemplateURL'];

export const isIntrinsic = (value: TemplateValue | undefined): boolean =>
  isObject(value) && Object.keys(value).length === 1 && /^(Ref|Condition|Fn::)/.test(Object.keys(value)[0] ?? '');

/** SAM's Globals merge: maps merged key by key, lists appended to the global one, anything else the resource's. */
export const mergeGlobals = (global: TemplateValue, own: TemplateValue | undefined): TemplateValue => {
  if (own === undefined) return global;
  if (Array.isArray(global) && Array.isArray(own)) return [...global, ...own];
  if (isObject(global) && isObject(own) && !isIntrinsic(global) && !isIntrinsic(own)) {
    const merged: TemplateObject = { ...global };
    for (const [key, value] of Object.entries(own)) {
      const fromGlobals = global[key];
      merged[key] = fromGlobals === undefined ? value : mergeGlobals(fromGlobals, value);
    }
    return merged;
  }
  return own;
};

const isLocalPath = (value: string): boolean => !/^[a-z][a-z0-9+.-]*:\/\//i.test(value);

const absolutePath = (baseDir: string, value: TemplateValue): TemplateValue =>
  typeof value === 'string' && isLocalPath(value) && !isAbsolute(value) ? resolve(baseDir, value) : value;

/** A nested stack's template location: a local file (resolved), or undefined with what it is instead. */
const childLocation = (
  type: string,
  properties: TemplateObject,
  baseDir: string,
): { file: string } | { problem: string } => {
  const location = type === 'AWS::CloudFormation::Stack' ? properties.TemplateURL : properties.Location;
  if (isObject(location) && location.ApplicationId !== undefined) {
    return { problem: `a Serverless Application Repository application (${JSON.stringify(location.ApplicationId)})` };
  }
  if (typeof location !== 'string')
    return { problem: `its location is not a plain string (${JSON.stringify(location)})` };
  if (!isLocalPath(location)) return { problem: `its template is at ${location}, not a local file` };
  const file = resolve(baseDir, location);
  return existsSync(file) ? { file } : { problem: `its template ${location} does not exist` };
};

interface Scope {
  prefix: string;
  resources: Set<string>;
  conditions: Set<string>;
  mappings: Set<string>;
  /** Parameters the parent passes: their values, as expressions of the parent's. */
  passed: Record<string, TemplateValue>;
  /** The child's parameters the parent does not pass: kept as the parent's parameters `<prefix><name>`. */
  kept: Set<string>;
}

const PLACEHOLDER = /\$\{(?!!)([^}]+)\}/g;

/** A `Fn::Sub` string in the child's names; parameters passed as expressions become variables of the list form. */
const rewriteSub = (text: string, locals: Set<string>, scope: Scope, variables: TemplateObject): string =>
  text.replace(PLACEHOLDER, (whole, inner: string) => {
    const name = inner.trim();
    if (locals.has(name)) return whole;
    const [head = '', attribute] = name.split(/\.(.*)/s);
    if (scope.resources.has(head)) return `\${${scope.prefix}${head}${attribute === undefined ? '' : `.${attribute}`}}`;
    if (attribute === undefined && name in scope.passed) {
      variables[name] = scope.passed[name] ?? '';
      return whole;
    }
    if (attribute === undefined && scope.kept.has(name)) return `\${${scope.prefix}${name}}`;
    return whole;
  });

/** A value of the child's, rewritten to mean the same in the parent's template. */
const rewrite = (value: TemplateValue, scope: Scope): TemplateValue => {
  if (Array.isArray(value)) return value.map((item) => rewrite(item, scope));
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  const only = keys.length === 1 ? keys[0] : undefined;
  const argument = only === undefined ? undefined : value[only];
  if (only === 'Ref' && typeof argument === 'string') {
    if (scope.resources.has(argument) || scope.kept.has(argument)) return { Ref: `${scope.prefix}${argument}` };
    if (argument in scope.passed) return scope.passed[argument] ?? '';
    return value;
  }
  if (only === 'Fn::GetAtt' && Array.isArray(argument) && typeof argument[0] === 'string') {
    const [target, ...rest] = argument;
    const renamed = scope.resources.has(target) ? `${scope.prefix}${target}` : target;
    return { 'Fn::GetAtt': [renamed, ...rest.map((item) => rewrite(item, scope))] };
  }
  if (only === 'Fn::GetAtt' && typeof argument === 'string') {
    const [target = '', attribute = ''] = argument.split(/\.(.*)/s);
    return { 'Fn::GetAtt': [scope.resources.has(target) ? `${scope.prefix}${target}` : target, attribute] };
  }
  if (only === 'Condition' && typeof argument === 'string' && scope.conditions.has(argument)) {
    return { Condition: `${scope.prefix}${argument}` };
  }
  if (only === 'Fn::If' && Array.isArray(argument) && typeof argument[0] === 'string') {
    const [condition, ...rest] = argument;
    const renamed = scope.conditions.has(condition) ? `${scope.prefix}${condition}` : condition;
    return { 'Fn::If': [renamed, ...rest.map((item) => rewrite(item, scope))] };
  }
  if (only === 'Fn::FindInMap' && Array.isArray(argument) && typeof argument[0] === 'string') {
    const [map, ...rest] = argument;
    const renamed = scope.mappings.has(map) ? `${scope.prefix}${map}` : map;
    return { 'Fn::FindInMap': [renamed, ...rest.map((item) => rewrite(item, scope))] };
  }
  if (only === 'Fn::Sub') {
    const [text, given] = Array.isArray(argument) ? argument : [argument, {}];
    if (typeof text === 'string') {
      const locals = isObject(given) ? given : {};
      const variables: TemplateObject = Object.fromEntries(
        Object.entries(locals).map(([name, item]) => [name, rewrite(item, scope)]),
      );
      const rewritten = rewriteSub(text, new Set(Object.keys(locals)), scope, variables);
      return { 'Fn::Sub': Object.keys(variables).length > 0 ? [rewritten, variables] : rewritten };
    }
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rewrite(item, scope)]));
};

/** `Fn::GetAtt Child.Outputs.X` (and `${Child.Outputs.X}` in a Fn::Sub) in the parent → the output's value. */
const replaceOutputs = (
  value: TemplateValue,
  outputs: Record<string, Record<string, TemplateValue>>,
): TemplateValue => {
  if (Array.isArray(value)) return value.map((item) => replaceOutputs(item, outputs));
  if (!isObject(value)) return value;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && typeof getAtt[1] === 'string') {
    const child = outputs[getAtt[0]];
    const name = /^Outputs\.(.+)$/.exec(getAtt[1])?.[1];
    if (child && name !== undefined && child[name] !== undefined) return child[name] ?? '';
  }
  const sub = value['Fn::Sub'];
  if (sub !== undefined && Object.keys(value).length === 1) {
    const [text, given] = Array.isArray(sub) ? sub : [sub, {}];
    if (typeof text === 'string') {
      const variables: TemplateObject = isObject(given) ? { ...given } : {};
      const replaced = text.replace(PLACEHOLDER, (whole, inner: string) => {
        const match = /^([^.]+)\.Outputs\.(.+)$/.exec(inner.trim());
        const output = match ? outputs[match[1] ?? '']?.[match[2] ?? ''] : undefined;
        if (!match || output === undefined) return whole;
        const variable = `${match[1]}Outputs${match[2]}`.replace(/[^A-Za-z0-9]/g, '');
        variables[variable] = output;
        return `\${${variable}}`;
      });
      const rest = Object.fromEntries(
        Object.entries(variables).map(([key, item]) => [key, replaceOutputs(item, outputs)]),
      );
      return { 'Fn::Sub': Object.keys(rest).length > 0 ? [replaced, rest] : replaced };
    }
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceOutputs(item, outputs)]));
};

const asObject = (value: TemplateValue | undefined): TemplateObject => (isObject(value) ? value : {});

/**
 * The child's implicit APIs made explicit: in the parent they would otherwise merge with the parent's own implicit
 * API, where SAM gives the nested stack an API of its own.
 */
const withOwnImplicitApis = (resources: TemplateObject): TemplateObject => {
  const implicit = Object.fromEntries(
    Object.entries(implicitResources(resources)).map(([id, resource]) => {
      const { Metadata: _implicit, ...rest } = asObject(resource);
      return [id, rest];
    }),
  );
  const explicit = Object.fromEntries(
    Object.entries(resources).map(([id, resource]) => {
      const value = asObject(resource);
      const properties = asObject(value.Properties);
      if (value.Type !== 'AWS::Serverless::Function' || !isObject(properties.Events)) return [id, resource];
      const events = Object.fromEntries(
        Object.entries(properties.Events).map(([name, event]) => {
          const eventValue = asObject(event);
          const eventProperties = asObject(eventValue.Properties);
          if (eventValue.Type === 'Api' && eventProperties.RestApiId === undefined) {
            return [name, { ...eventValue, Properties: { ...eventProperties, RestApiId: { Ref: IMPLICIT_REST_API } } }];
          }
          if (eventValue.Type === 'HttpApi' && eventProperties.ApiId === undefined) {
            return [name, { ...eventValue, Properties: { ...eventProperties, ApiId: { Ref: IMPLICIT_HTTP_API } } }];
          }
          return [name, event];
        }),
      );
      return [id, { ...value, Properties: { ...properties, Events: events } }];
    }),
  );
  return { ...explicit, ...implicit };
};

/** The parent's template with each local nested stack spliced in (recursively: a child's own children first). */
export const inlineNestedStacks = (template: TemplateObject, templatePath: string, depth = 0): NestedStacks => {
  const resources = asObject(template.Resources);
  const nested = Object.entries(resources).filter(
    ([, resource]) => isObject(resource) && NESTED_TYPES.has(String(resource.Type)),
  );
  if (nested.length === 0) return { template, notes: [] };
  const baseDir = dirname(resolve(templatePath));
  const notes: string[] = [];
  const merged: TemplateObject = {
    ...template,
    Resources: { ...resources },
    Parameters: { ...asObject(template.Parameters) },
    Conditions: { ...asObject(template.Conditions) },
    Mappings: { ...asObject(template.Mappings) },
  };
  const outputs: Record<string, Record<string, TemplateValue>> = {};
  for (const [logicalId, resource] of nested) {
    const raw = asObject(resource);
    const type = String(raw.Type);
    const properties = asObject(raw.Properties);
    const where = childLocation(type, properties, baseDir);
    if ('problem' in where) {
      notes.push(`${logicalId} (${type}): nested stack not run: ${where.problem}; its resources are not served`);
      continue;
    }
    if (depth > 10) throw new Error(`${logicalId}: nested stacks more than 10 deep (a stack that nests itself?)`);
    const loaded = inlineNestedStacks(loadTemplate(where.file), where.file, depth + 1);
    const child: TemplateObject = {
      ...loaded.template,
      Resources: withOwnImplicitApis(asObject(loaded.template.Resources)),
    };
    const childDir = dirname(where.file);
    notes.push(
      `${logicalId} (${type}): nested stack served from ${where.file}; its resources are ${logicalId}<LogicalId>`,
      ...loaded.notes.map((note) => `${logicalId}: ${note}`),
    );
    const childParameters = asObject(child.Parameters);
    const given = asObject(properties.Parameters);
    const scope: Scope = {
      prefix: logicalId,
      resources: new Set(Object.keys(asObject(child.Resources))),
      conditions: new Set(Object.keys(asObject(child.Conditions))),
      mappings: new Set(Object.keys(asObject(child.Mappings))),
      passed: Object.fromEntries(
        Object.keys(childParameters).flatMap((name) => (name in given ? [[name, given[name] ?? '']] : [])),
      ),
      kept: new Set(Object.keys(childParameters).filter((name) => !(name in given))),
    };
    for (const name of scope.kept)
      merged.Parameters = { ...asObject(merged.Parameters), [`${logicalId}${name}`]: childParameters[name] ?? {} };
    for (const [name, condition] of Object.entries(asObject(child.Conditions))) {
      (merged.Conditions as TemplateObject)[`${logicalId}${name}`] = rewrite(condition, scope);
    }
    for (const [name, map] of Object.entries(asObject(child.Mappings))) {
      (merged.Mappings as TemplateObject)[`${logicalId}${name}`] = map;
    }
    const globals = asObject(child.Globals);
    const parentCondition = typeof raw.Condition === 'string' ? raw.Condition : undefined;
    for (const [childId, childResource] of Object.entries(asObject(child.Resources))) {
      const value = asObject(childResource);
      const section = GLOBALS_OF[String(value.Type)];
      let own = asObject(value.Properties);
      if (section && isObject(globals[section])) own = asObject(mergeGlobals(globals[section] ?? {}, own));
      for (const key of LOCAL_PATH_PROPERTIES)
        if (key in own) own = { ...own, [key]: absolutePath(childDir, own[key] ?? '') };
      const metadata = asObject(value.Metadata);
      const dependsOn = value.DependsOn;
      const condition = typeof value.Condition === 'string' ? `${logicalId}${value.Condition}` : parentCondition;
      const placed: TemplateObject = {
        ...value,
        Properties: rewrite(own, scope),
        ...(typeof metadata['aws:asset:path'] === 'string'
          ? { Metadata: { ...metadata, 'aws:asset:path': absolutePath(childDir, metadata['aws:asset:path']) } }
          : {}),
        ...(dependsOn === undefined
          ? {}
          : {
              DependsOn: (Array.isArray(dependsOn) ? dependsOn : [dependsOn]).map((id) => `${logicalId}${String(id)}`),
            }),
      };
      if (condition !== undefined) placed.Condition = condition;
      if (typeof value.Condition === 'string' && parentCondition !== undefined) {
        // The child's resource exists when its own condition holds and the nested stack itself exists.
        const both = `${logicalId}${value.Condition}And${parentCondition}`;
        (merged.Conditions as TemplateObject)[both] = {
          'Fn::And': [{ Condition: `${logicalId}${value.Condition}` }, { Condition: parentCondition }],
        };
        placed.Condition = both;
      }
      (merged.Resources as TemplateObject)[`${logicalId}${childId}`] = placed;
    }
    outputs[logicalId] = Object.fromEntries(
      Object.entries(asObject(child.Outputs)).map(([name, output]) => [
        name,
        rewrite(asObject(output).Value ?? '', scope),
      ]),
    );
    // Kept (its Ref is the nested stack's id), marked as served here so it is not reported as unsupported.
    (merged.Resources as TemplateObject)[logicalId] = {
      ...raw,
      Metadata: { ...asObject(raw.Metadata), [NESTED_TEMPLATE]: where.file },
    };
  }
  return {
    template: {
      ...merged,
      Resources: replaceOutputs(asObject(merged.Resources), outputs),
      ...(merged.Outputs === undefined ? {} : { Outputs: replaceOutputs(merged.Outputs, outputs) }),
      Conditions: replaceOutputs(asObject(merged.Conditions), outputs),
    },
    notes,
  };
};
