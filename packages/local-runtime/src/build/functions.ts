import { dirname, resolve } from 'node:path';
import { isObject, type TemplateObject } from '../template/load.ts';
import type { BuildProperties } from './esbuild-options.ts';

/** A function of the template that `npm run build` bundles. */
export interface EsbuildFunction {
  logicalId: string;
  /** Absolute CodeUri directory: entry points are relative to it. */
  codeDir: string;
  /** `handler.handler` → module `handler`, export `handler`. */
  handler: string;
  properties: BuildProperties;
}

/** Every `AWS::Serverless::Function` with `Metadata.BuildMethod: esbuild`, with Globals.Function merged in. */
export const esbuildFunctions = (template: TemplateObject, templatePath: string): EsbuildFunction[] => {
  const globals = isObject(template.Globals) && isObject(template.Globals.Function) ? template.Globals.Function : {};
  const resources = isObject(template.Resources) ? template.Resources : {};
  return Object.entries(resources).flatMap(([logicalId, resource]) => {
    if (!isObject(resource) || resource.Type !== 'AWS::Serverless::Function') return [];
    const metadata = isObject(resource.Metadata) ? resource.Metadata : {};
    if (metadata.BuildMethod !== 'esbuild') return [];
    const properties = { ...globals, ...(isObject(resource.Properties) ? resource.Properties : {}) };
    const codeUri = typeof properties.CodeUri === 'string' ? properties.CodeUri : '.';
    const handler = typeof properties.Handler === 'string' ? properties.Handler : '';
    if (!/^[^.]+\.[^.]+$/.test(handler)) throw new Error(`${logicalId}: Handler "${handler}" is not <module>.<export>`);
    return [
      {
        logicalId,
        codeDir: resolve(dirname(templatePath), codeUri),
        handler,
        properties: (isObject(metadata.BuildProperties) ? metadata.BuildProperties : {}) as BuildProperties,
      },
    ];
  });
};
