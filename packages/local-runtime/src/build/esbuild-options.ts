import type { BuildOptions } from 'esbuild';

/**
 * `Metadata.BuildProperties` of an `esbuild` function → esbuild options, mapped the way SAM CLI's builder maps them
 * (aws/aws-lambda-builders, workflows/nodejs_npm_esbuild/esbuild.py): always `--bundle --platform=node`, and
 * `target=es2020`, `format=cjs`, `--minify` when the template does not say otherwise. So `npm run build` and
 * `sam build` make the same bundle from the one place the options are written: the template.
 */
export type BuildProperties = Record<string, unknown>;

export class UnsupportedBuildPropertyError extends Error {
  override readonly name = 'UnsupportedBuildPropertyError';
}

const list = (properties: BuildProperties, key: string): string[] => {
  const value = properties[key];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new UnsupportedBuildPropertyError(`BuildProperties.${key} must be a list of strings`);
  }
  return value;
};

/** `['.js=.mjs']` → `{ '.js': '.mjs' }`, as the CLI reads `--out-extension:.js=.mjs`. */
const pairs = (properties: BuildProperties, key: string): Record<string, string> | undefined => {
  const items = list(properties, key);
  if (items.length === 0) return undefined;
  return Object.fromEntries(
    items.map((item) => {
      const at = item.indexOf('=');
      if (at <= 0) throw new UnsupportedBuildPropertyError(`BuildProperties.${key} item "${item}" is not key=value`);
      return [item.slice(0, at), item.slice(at + 1)];
    }),
  );
};

const text = (properties: BuildProperties, key: string): string | undefined => {
  const value = properties[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw new UnsupportedBuildPropertyError(`BuildProperties.${key} must be a single value`);
  }
  return String(value);
};

const flag = (properties: BuildProperties, key: string, fallback: boolean): boolean => {
  const value = properties[key];
  if (value === undefined) return fallback;
  // SAM CLI adds the flag only for a literal true (`Minify: true`); anything else leaves it off.
  return value === true || value === 'true';
};

const SUPPORTED = new Set([
  'Minify',
  'Sourcemap',
  'Target',
  'Format',
  'MainFields',
  'SourcesContent',
  'Platform',
  'External',
  'Loader',
  'OutExtension',
  'Banner',
  'Footer',
  'EntryPoints',
]);

export const esbuildOptions = (properties: BuildProperties): BuildOptions & { entryPoints: string[] } => {
  const unsupported = Object.keys(properties).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0) {
    throw new UnsupportedBuildPropertyError(`Unsupported BuildProperties: ${unsupported.join(', ')}`);
  }
  const entryPoints = list(properties, 'EntryPoints');
  if (entryPoints.length === 0)
    throw new UnsupportedBuildPropertyError('BuildProperties.EntryPoints must not be empty');
  const format = text(properties, 'Format') ?? 'cjs';
  if (format !== 'cjs' && format !== 'esm' && format !== 'iife') {
    throw new UnsupportedBuildPropertyError(`BuildProperties.Format "${format}" is not cjs, esm or iife`);
  }
  const platform = text(properties, 'Platform') ?? 'node';
  if (platform !== 'node' && platform !== 'neutral' && platform !== 'browser') {
    throw new UnsupportedBuildPropertyError(`BuildProperties.Platform "${platform}" is not node, neutral or browser`);
  }
  const mainFields = text(properties, 'MainFields');
  const sourcesContent = text(properties, 'SourcesContent');
  const options: BuildOptions & { entryPoints: string[] } = {
    entryPoints,
    bundle: true,
    platform,
    format,
    target: (text(properties, 'Target') ?? 'es2020').split(','),
    minify: flag(properties, 'Minify', true),
    sourcemap: flag(properties, 'Sourcemap', false),
    external: list(properties, 'External'),
  };
  if (mainFields !== undefined) options.mainFields = mainFields.split(',');
  if (sourcesContent !== undefined) options.sourcesContent = sourcesContent !== 'false';
  const loader = pairs(properties, 'Loader');
  if (loader) options.loader = loader as BuildOptions['loader'];
  const outExtension = pairs(properties, 'OutExtension');
  if (outExtension) options.outExtension = outExtension;
  const banner = pairs(properties, 'Banner');
  if (banner) options.banner = banner;
  const footer = pairs(properties, 'Footer');
  if (footer) options.footer = footer;
  return options;
};
