import { stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { loadTemplate } from '../template/load.ts';
import { esbuildOptions } from './esbuild-options.ts';
import { esbuildFunctions } from './functions.ts';

export interface BuiltFunction {
  logicalId: string;
  entry: string;
  /** The bundle Lambda loads: `<outDir>/<LogicalId>/<module><out extension>`. */
  outfile: string;
  handler: string;
  /** The function's CodeUri directory: esbuild's metafile paths are relative to it. */
  codeDir: string;
  bytes: number;
  metafile: Metafile;
}

export interface BuildFunctionsOptions {
  /** Default `.local/build` beside the template. */
  outDir?: string;
  /** Only these logical ids. */
  only?: string[];
}

/**
 * Bundles every esbuild function of the template, in parallel, with the options of its own Metadata, into
 * `<outDir>/<LogicalId>/` (the layout `sam build` gives `.aws-sam/build/<LogicalId>/`). The local runtime loads
 * these bundles.
 */
export const buildFunctions = async (
  templatePath: string,
  options: BuildFunctionsOptions = {},
): Promise<BuiltFunction[]> => {
  const template = loadTemplate(templatePath);
  const outDir = resolve(options.outDir ?? join(resolve(templatePath, '..'), '.local', 'build'));
  const functions = esbuildFunctions(template, templatePath).filter(
    (fn) => !options.only || options.only.includes(fn.logicalId),
  );
  return Promise.all(
    functions.map(async (fn) => {
      const { entryPoints, ...esbuild } = esbuildOptions(fn.properties);
      if (entryPoints.length !== 1)
        throw new Error(`${fn.logicalId}: expected one entry point, got ${entryPoints.length}`);
      const entry = resolve(fn.codeDir, entryPoints[0] ?? '');
      const outdir = join(outDir, fn.logicalId);
      const result = await build({
        ...esbuild,
        entryPoints: [entry],
        outdir,
        absWorkingDir: fn.codeDir,
        metafile: true,
        logLevel: 'silent',
      }).catch((error: Error) => {
        throw new Error(`${fn.logicalId}: ${error.message}`, { cause: error });
      });
      const module = fn.handler.split('.')[0] ?? '';
      if (basename(entry, extname(entry)) !== module) {
        throw new Error(`${fn.logicalId}: Handler ${fn.handler} does not name the entry point ${entryPoints[0]}`);
      }
      const jsExtension = esbuild.outExtension?.['.js'] ?? '.js';
      const outfile = join(outdir, `${module}${jsExtension}`);
      return {
        logicalId: fn.logicalId,
        entry,
        outfile,
        handler: fn.handler,
        codeDir: fn.codeDir,
        bytes: (await stat(outfile)).size,
        metafile: result.metafile,
      };
    }),
  );
};
