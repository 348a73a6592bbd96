import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type CollectionTag, parse, type ScalarTag } from 'yaml';

/**
 * The one template loader: reads a CloudFormation/SAM YAML file, turns every short-form intrinsic tag (`!Ref`,
 * `!Sub`, `!GetAtt a.b`, ...) into its long JSON form, and inlines `Fn::Transform: AWS::Include` with the local
 * file it names, the way `sam package` uploads it and CloudFormation splices it in. Everything downstream (template
 * tests, `npm run build`, the local runtime) sees plain JSON-shaped objects.
 */
export type TemplateValue = string | number | boolean | null | TemplateValue[] | { [key: string]: TemplateValue };
export type TemplateObject = { [key: string]: TemplateValue };

/** Every CloudFormation intrinsic function name (the intrinsic resolver evaluates them). */
export const INTRINSICS = [
  'Ref',
  'Condition',
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::FindInMap',
  'Fn::GetAZs',
  'Fn::GetAtt',
  'Fn::ImportValue',
  'Fn::Join',
  'Fn::Select',
  'Fn::Split',
  'Fn::Sub',
  'Fn::Transform',
  'Fn::And',
  'Fn::Equals',
  'Fn::If',
  'Fn::Not',
  'Fn::Or',
  'Fn::ToJsonString',
  'Fn::Length',
] as const;

const tagName = (fn: string): string => `!${fn.replace(/^Fn::/, '')}`;

const cfnTags = (): (ScalarTag | CollectionTag)[] =>
  INTRINSICS.flatMap((fn): (ScalarTag | CollectionTag)[] => {
    const tag = tagName(fn);
    const wrap = (value: unknown) => {
      // `!GetAtt Resource.Attribute` is shorthand for the two-element list form.
      if (fn === 'Fn::GetAtt' && typeof value === 'string') {
        const dot = value.indexOf('.');
        return { [fn]: [value.slice(0, dot), value.slice(dot + 1)] };
      }
      return { [fn]: value };
    };
    return [
      { tag, resolve: (value: string) => wrap(value) } as ScalarTag,
      { tag, collection: 'seq', resolve: (seq) => wrap(seq.toJSON()) } as CollectionTag,
      { tag, collection: 'map', resolve: (map) => wrap(map.toJSON()) } as CollectionTag,
    ];
  });

export class TemplateLoadError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'TemplateLoadError';
  }
}

export const parseYaml = (text: string, file = '<inline>'): TemplateValue => {
  try {
    // A repeated key keeps its last value, as SAM CLI's YAML loader does, rather than refusing the template.
    return parse(text, { customTags: cfnTags(), maxAliasCount: -1, uniqueKeys: false }) as TemplateValue;
  } catch (error) {
    throw new TemplateLoadError(file, (error as Error).message);
  }
};

/** A template map (not a list, scalar or null): what every reader of the template checks before indexing. */
export const isObject = (value: TemplateValue | undefined): value is TemplateObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Replaces every `{"Fn::Transform": {"Name": "AWS::Include", ...}}` with the parsed file it points at; each file read
 * is added to `seen` (watch mode watches them).
 */
const inlineIncludes = (value: TemplateValue, baseDir: string, seen?: Set<string>): TemplateValue => {
  if (Array.isArray(value)) return value.map((item) => inlineIncludes(item, baseDir, seen));
  if (!isObject(value)) return value;
  const transform = value['Fn::Transform'];
  if (isObject(transform) && transform.Name === 'AWS::Include') {
    const parameters = transform.Parameters;
    const location = isObject(parameters) ? parameters.Location : undefined;
    if (typeof location !== 'string') {
      throw new TemplateLoadError(baseDir, 'AWS::Include needs Parameters.Location as a plain string');
    }
    if (/^s3:\/\//.test(location)) {
      throw new TemplateLoadError(baseDir, `AWS::Include of ${location}: only local files can be inlined here`);
    }
    const file = resolve(baseDir, location);
    seen?.add(file);
    const included = loadYamlFile(file);
    return inlineIncludes(included, dirname(file), seen);
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, inlineIncludes(item, baseDir, seen)]));
};

export const loadYamlFile = (file: string): TemplateValue => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TemplateLoadError(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseYaml(text, file);
};

/** Loads a template with every AWS::Include inlined. */
export const loadTemplate = (file: string): TemplateObject => {
  const raw = loadYamlFile(file);
  if (!isObject(raw) || !isObject(raw.Resources)) {
    throw new TemplateLoadError(file, 'is not a CloudFormation template (no Resources map)');
  }
  return inlineIncludes(raw, dirname(resolve(file))) as TemplateObject;
};

/** The files a template includes with AWS::Include (resolved), wherever they sit in it. */
export const includedFiles = (file: string): string[] => {
  const seen = new Set<string>();
  inlineIncludes(loadYamlFile(file), dirname(resolve(file)), seen);
  return [...seen];
};
