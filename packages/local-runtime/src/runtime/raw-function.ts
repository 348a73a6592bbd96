import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isObject, type TemplateObject } from '../template/load.ts';
import type { LocalStack } from '../template/stack.ts';

/** The function resource types the runtime runs: SAM's, and CloudFormation's own (what CDK and plain CFN write). */
export const FUNCTION_TYPES = ['AWS::Serverless::Function', 'AWS::Lambda::Function'] as const;

/**
 * An `AWS::Lambda::Function`'s properties in the shape SAM's function has, so one reading serves both:
 * `Code.ZipFile` is inline code (CloudFormation writes it as `index.js` / `index.py`: user guide,
 * "AWS::Lambda::Function Code", ZipFile); a `Code` that is a string is a local path, as `aws cloudformation package`
 * and `sam local` take it (a folder or a .zip); an S3 `Code` whose resource carries CDK's `aws:asset:path` metadata
 * (with `aws:asset:property: Code`) is the asset folder beside the template in cdk.out, which `sam local -t` runs.
 * Any other S3 `Code` stays an S3 location and is named as not run.
 */
/**
 * A CDK asset folder is the task root Lambda runs alone, where Node.js's defaults make a `.js` file CommonJS; a CDK
 * project's own `"type": "module"` above cdk.out would make its CommonJS bundle an ES module here. A `package.json`
 * that says nothing, written into the asset folder when it has none (cdk.out is CDK's output, rewritten on each
 * synth), stops that lookup, as the build dir's does for esbuild bundles.
 */
export const standAloneAsset = (stack: LocalStack, logicalId: string, codeDir: string): void => {
  const metadata = stack.resources.get(logicalId)?.raw.Metadata;
  if (!isObject(metadata) || typeof metadata['aws:asset:path'] !== 'string') return;
  const manifest = join(codeDir, 'package.json');
  if (existsSync(codeDir) && statSync(codeDir).isDirectory() && !existsSync(manifest)) writeFileSync(manifest, '{}\n');
};

export const rawFunctionProperties = (stack: LocalStack, logicalId: string): TemplateObject => {
  const { Code: code, ...properties } = stack.properties(logicalId);
  const resource = stack.resources.get(logicalId);
  const metadata = isObject(resource?.raw.Metadata) ? resource.raw.Metadata : {};
  const assetPath = metadata['aws:asset:path'];
  const assetProperty = metadata['aws:asset:property'] ?? 'Code';
  if (typeof assetPath === 'string' && assetProperty === 'Code') return { ...properties, CodeUri: assetPath };
  if (typeof code === 'string') return { ...properties, CodeUri: code };
  if (!isObject(code)) return properties;
  if (typeof code.ZipFile === 'string') return { ...properties, InlineCode: code.ZipFile };
  if (typeof code.ImageUri === 'string') return { ...properties, ImageUri: code.ImageUri };
  if (code.S3Bucket !== undefined) {
    return { ...properties, CodeUri: `s3://${String(code.S3Bucket)}/${String(code.S3Key ?? '')}` };
  }
  return properties;
};
