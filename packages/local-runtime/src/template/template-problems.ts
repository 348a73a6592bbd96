import { isObject, type TemplateObject, type TemplateValue } from './load.ts';

/**
 * What CloudFormation refuses a template for before creating anything, found without resolving it: a `Ref`,
 * `Fn::GetAtt` or `Fn::Sub` of a logical id the template does not declare, a condition used but not declared, a
 * `DependsOn` on no resource (CloudFormation user guide, "Template anatomy": every one is a validation error). The
 * local stack resolves lazily, so such a problem in a part it does not serve (an output nobody reads, a resource it
 * does not run) costs nothing locally: it is named at start-up, and `--strict` refuses the template as CloudFormation
 * would. A problem in what is served still stops start-up, when that part is resolved.
 */
export interface TemplateNames {
  resources: Set<string>;
  parameters: Set<string>;
  conditions: Set<string>;
  /** Logical ids SAM generates (`MyApiProdStage`...): a `Ref` to one is valid. */
  generated: (name: string) => boolean;
}

const PLACEHOLDER = /\$\{([^}]*)\}/g;

const knownRef = (name: string, names: TemplateNames): boolean =>
  name.startsWith('AWS::') ||
  names.parameters.has(name) ||
  names.resources.has(name) ||
  names.generated(name) ||
  // SAM's `MyApi.Stage`, `MyFunction.Alias`, `MyFunction.Version`.
  (name.includes('.') && names.resources.has(name.split('.')[0] ?? ''));

const walk = (value: TemplateValue, where: string, names: TemplateNames, found: Set<string>): void => {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, where, names, found);
    return;
  }
  if (!isObject(value)) return;
  const keys = Object.keys(value);
  const only = keys.length === 1 ? keys[0] : undefined;
  const argument = only === undefined ? undefined : value[only];
  if (only === 'Ref' && typeof argument === 'string' && !knownRef(argument, names)) {
    found.add(`${where}: Ref to ${argument}, which the template does not declare`);
  }
  if (only === 'Fn::GetAtt') {
    const target = Array.isArray(argument) ? argument[0] : typeof argument === 'string' ? argument.split('.')[0] : '';
    if (typeof target === 'string' && !names.resources.has(target) && !names.generated(target)) {
      found.add(`${where}: Fn::GetAtt of ${target}, which the template does not declare`);
    }
  }
  if (only === 'Fn::Sub') {
    const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
    const locals = isObject(variables) ? variables : {};
    if (typeof text === 'string') {
      for (const [, inner = ''] of text.matchAll(PLACEHOLDER)) {
        const name = inner.trim();
        if (name.startsWith('!') || name in locals) continue;
        const head = name.includes('.') && !names.parameters.has(name) ? (name.split('.')[0] ?? '') : name;
        if (!knownRef(head, names)) found.add(`${where}: Fn::Sub of \${${name}}, which the template does not declare`);
      }
    }
  }
  if ((only === 'Condition' && typeof argument === 'string') || only === 'Fn::If') {
    const name = only === 'Fn::If' ? (Array.isArray(argument) ? argument[0] : undefined) : argument;
    if (typeof name === 'string' && !names.conditions.has(name)) {
      found.add(`${where}: condition ${name} is not declared in Conditions`);
    }
  }
  for (const item of Object.values(value)) walk(item, where, names, found);
};

const asObject = (value: TemplateValue | undefined): TemplateObject => (isObject(value) ? value : {});

export const templateProblems = (
  template: TemplateObject,
  generated: (name: string) => boolean,
  resources: TemplateObject,
): string[] => {
  const names: TemplateNames = {
    resources: new Set(Object.keys(resources)),
    parameters: new Set(Object.keys(asObject(template.Parameters))),
    conditions: new Set(Object.keys(asObject(template.Conditions))),
    generated,
  };
  const found = new Set<string>();
  for (const [name, condition] of Object.entries(asObject(template.Conditions))) {
    walk(condition, `Conditions.${name}`, names, found);
  }
  for (const [logicalId, resource] of Object.entries(resources)) {
    const value = asObject(resource);
    if (typeof value.Condition === 'string' && !names.conditions.has(value.Condition)) {
      found.add(`${logicalId}: Condition ${value.Condition} is not declared in Conditions: the resource is left out`);
    }
    const dependsOn = value.DependsOn === undefined ? [] : [value.DependsOn].flat();
    for (const id of dependsOn) {
      if (typeof id === 'string' && !names.resources.has(id) && !generated(id)) {
        found.add(`${logicalId}: DependsOn ${id}, which the template does not declare`);
      }
    }
    walk(value.Properties ?? null, logicalId, names, found);
  }
  for (const [name, output] of Object.entries(asObject(template.Outputs))) {
    const value = asObject(output);
    if (typeof value.Condition === 'string' && !names.conditions.has(value.Condition)) {
      found.add(`Outputs.${name}: Condition ${value.Condition} is not declared in Conditions`);
    }
    walk(value.Value ?? null, `Outputs.${name}`, names, found);
    walk(value.Export ?? null, `Outputs.${name}.Export`, names, found);
  }
  return [...found];
};
