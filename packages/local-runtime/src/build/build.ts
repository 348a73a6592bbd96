import { stat, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { loadTemplate, type TemplateObject } from '../template/load.ts';
import { cachedBundle, cacheKey, storeBundle } from './build-cache.ts';
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
  /** Reused from an earlier build: its options and inputs had not changed (see build-cache.ts). */
  cached: boolean;
}

export interface BuildFunctionsOptions {
  /** Default `.local/build` beside the template. */
  outDir?: string;
  /** Only these logical ids. */
  only?: string[];
  /** Reuse a bundle whose options and inputs have not changed (default true). */
  cache?: boolean;
  /**
   * These functions are built for a debugger whatever their BuildProperties say (the debugged function): with a
   * source map, and not minified, so each statement of the source keeps a place of its own to stop at.
   */
  forDebugger?: string[];
  /** The template as loadTemplate reads it, when the caller has it already (parsing a large one twice costs). */
  template?: TemplateObject;
}

/**
 * Where each esbuild function's bundle goes and with which options, without reading or building anything: a template
 * whose esbuild Metadata is wrong (two entry points, a Handler that does not name the entry) is refused here.
 */
const bundlePlans = (templatePath: string, options: BuildFunctionsOptions) => {
  const template = options.template ?? loadTemplate(templatePath);
  const outDir = resolve(options.outDir ?? join(resolve(templatePath, '..'), '.local', 'build'));
  const functions = esbuildFunctions(template, templatePath).filter(
    (fn) => !options.only || options.only.includes(fn.logicalId),
  );
  const plans = functions.map((fn) => {
    const { entryPoints, ...esbuild } = esbuildOptions(fn.properties);
    if (options.forDebugger?.includes(fn.logicalId)) Object.assign(esbuild, { sourcemap: true, minify: false });
    if (entryPoints.length !== 1)
      throw new Error(`${fn.logicalId}: expected one entry point, got ${entryPoints.length}`);
    const entry = resolve(fn.codeDir, entryPoints[0] ?? '');
    const module = fn.handler.split('.')[0] ?? '';
    if (basename(entry, extname(entry)) !== module) {
      throw new Error(`${fn.logicalId}: Handler ${fn.handler} does not name the entry point ${entryPoints[0]}`);
    }
    const outdir = join(outDir, fn.logicalId);
    const outfile = join(outdir, `${module}${esbuild.outExtension?.['.js'] ?? '.js'}`);
    const key = cacheKey({ ...esbuild, entry, outfile, absWorkingDir: fn.codeDir });
    return { fn, esbuild, entry, module, outdir, outfile, key };
  });
  return { functions, plans, outDir };
};

/** Each esbuild function's entry point and where its bundle is once built, found without building it. */
export const bundleFiles = (
  templatePath: string,
  options: BuildFunctionsOptions = {},
): Record<string, { entry: string; outfile: string }> =>
  Object.fromEntries(
    bundlePlans(templatePath, options).plans.map((plan) => [
      plan.fn.logicalId,
      { entry: plan.entry, outfile: plan.outfile },
    ]),
  );

/**
 * Bundles every esbuild function of the template, in parallel, with the options of its own Metadata, into
 * `<outDir>/<LogicalId>/` (the layout `sam build` gives `.aws-sam/build/<LogicalId>/`). The local runtime loads
 * these bundles.
 */
export const buildFunctions = async (
  templatePath: string,
  options: BuildFunctionsOptions = {},
): Promise<BuiltFunction[]> => {
  const { functions, plans, outDir } = bundlePlans(templatePath, options);
  const results = await Promise.all(
    plans.map(async (plan): Promise<BuiltFunction | typeof plan> => {
      const cached = options.cache === false ? undefined : await cachedBundle(plan.outdir, plan.key);
      if (!cached) return plan;
      const { fn, entry } = plan;
      return { logicalId: fn.logicalId, entry, handler: fn.handler, codeDir: fn.codeDir, cached: true, ...cached };
    }),
  );
  const done = results.filter((result): result is BuiltFunction => 'cached' in result);
  const missing = results.filter((result): result is (typeof plans)[number] => !('cached' in result));
  // Functions with the same options and CodeUri are bundled in one esbuild run with an entry point each: the same
  // bundles as one run per function, but every shared module (the AWS SDK) is parsed once.
  const groups = new Map<string, (typeof plans)[number][]>();
  for (const plan of missing) {
    const group = JSON.stringify({ options: plan.esbuild, codeDir: plan.fn.codeDir });
    groups.set(group, [...(groups.get(group) ?? []), plan]);
  }
  const built = await Promise.all(
    [...groups.values()].map(async (group) => {
      const [first] = group;
      if (!first) return [];
      const result = await build({
        ...first.esbuild,
        entryPoints: group.map((plan) => ({ in: plan.entry, out: join(plan.fn.logicalId, plan.module) })),
        outdir: outDir,
        absWorkingDir: first.fn.codeDir,
        metafile: true,
        logLevel: 'silent',
      }).catch((error: Error) => {
        throw new Error(`${group.map((plan) => plan.fn.logicalId).join(', ')}: ${error.message}`, { cause: error });
      });
      return Promise.all(
        group.map(async (plan): Promise<BuiltFunction> => {
          const metafile = metafileOf(result.metafile, plan.fn.codeDir, plan.outfile);
          const function_ = {
            logicalId: plan.fn.logicalId,
            entry: plan.entry,
            outfile: plan.outfile,
            handler: plan.fn.handler,
            codeDir: plan.fn.codeDir,
            bytes: (await stat(plan.outfile)).size,
            metafile,
            cached: false,
          };
          await storeBundle(plan.outdir, plan.key, function_);
          return function_;
        }),
      );
    }),
  );
  // On Lambda a bundle is alone at the task root, where Node.js's defaults tell CommonJS from an ES module. Here a
  // `"type": "module"` in the project's package.json, above the build dir, would make a CommonJS bundle an ES module
  // (`module is not defined`): a package.json that says nothing, beside each bundle, stops that lookup.
  await Promise.all(plans.map((plan) => writeFile(join(plan.outdir, 'package.json'), '{}\n')));
  const order = new Map(functions.map((fn, index) => [fn.logicalId, index]));
  return [...done, ...built.flat()].sort((a, b) => (order.get(a.logicalId) ?? 0) - (order.get(b.logicalId) ?? 0));
};

/** One function's part of a multi-entry build's metafile: its output and the inputs that output includes. */
const metafileOf = (metafile: Metafile | undefined, codeDir: string, outfile: string): Metafile => {
  const outputs = metafile?.outputs ?? {};
  const key = Object.keys(outputs).find((path) => resolve(codeDir, path) === outfile);
  const output = key ? outputs[key] : undefined;
  if (!metafile || !key || !output) throw new Error(`${outfile}: esbuild's metafile does not name it`);
  const inputs = Object.fromEntries(
    Object.keys(output.inputs).flatMap((input) => (metafile.inputs[input] ? [[input, metafile.inputs[input]]] : [])),
  );
  return { inputs, outputs: { [key]: output } };
};
