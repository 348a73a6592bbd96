import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import type { BuiltFunction } from '../build/build.ts';

export interface Watcher {
  directories: string[];
  /** Watches the sources of bundles built after the watch began too (a function's first invocation builds it). */
  watchSourcesOf: (built: BuiltFunction[]) => void;
  close: () => Promise<void>;
}

/**
 * The top-level source folders the bundles were built from (`src/` here), read from esbuild's metafiles: watching
 * only those keeps node_modules out of the watch list.
 */
export const sourceDirectories = (built: BuiltFunction[], root: string): string[] =>
  topDirectories(built.flatMap(inputsOf), root);

/** The top-level folders under `root` that hold `files` (none for a file at the root or in node_modules). */
const topDirectories = (files: string[], root: string): string[] => {
  const tops = new Set<string>();
  for (const file of files) {
    const inside = relative(root, file);
    if (inside.startsWith('..') || inside.split(sep).includes('node_modules')) continue;
    const top = inside.split(sep)[0];
    if (top && top !== inside) tops.add(join(root, top));
  }
  return [...tops].sort();
};

/** The absolute paths of the files a bundle was built from. */
export const inputsOf = (fn: BuiltFunction): string[] =>
  Object.keys(fn.metafile.inputs).map((input) => (isAbsolute(input) ? input : resolve(fn.codeDir, input)));

/** The functions whose bundle includes one of `files`. */
export const affectedBy = (built: BuiltFunction[], files: string[]): string[] => {
  const changed = new Set(files.map((file) => resolve(file)));
  return built.filter((fn) => inputsOf(fn).some((input) => changed.has(input))).map((fn) => fn.logicalId);
};

export interface WatchOptions {
  /** The bundles as last built (their metafiles say which sources each includes). */
  built: () => BuiltFunction[];
  /** Entry points of functions not bundled yet: their folders are watched until their metafiles say more. */
  entries?: string[];
  /** Rebuilds these functions; the runtime serves the new bundles from the next invocation. */
  rebuild: (logicalIds: string[]) => Promise<void>;
  /** The template or a file it includes changed: reload the model; answers what was done. */
  reloadTemplate: () => Promise<string>;
  /** Files the template includes (AWS::Include Locations, the OpenAPI document). */
  templateFiles: string[];
  /** Folders of functions run in place (no bundle): a change there restarts their environments. */
  inPlaceDirectories: { logicalId: string; directory: string }[];
  restartInPlace: (logicalIds: string[]) => void;
  log: (line: string) => void;
}

/**
 * Watches the functions' sources, the template and what it includes, with chokidar: unlike Node's recursive
 * `fs.watch` on Linux, it keeps watching a file saved by replacing it (`sed -i`, `git checkout`, an editor's safe
 * write). Changes are debounced and applied one batch at a time; a failed build keeps the previous bundles serving.
 */
export const watchSources = (templatePath: string, options: WatchOptions): Watcher => {
  const root = dirname(templatePath);
  const template = resolve(templatePath);
  const templateFiles = new Set([template, ...options.templateFiles.map((file) => resolve(file))]);
  const directories = [
    ...new Set([
      ...sourceDirectories(options.built(), root),
      ...topDirectories(options.entries ?? [], root),
      ...options.inPlaceDirectories.map((entry) => entry.directory),
    ]),
  ].sort();
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const name = (file: string) => relative(root, file) || file;

  const apply = async (files: string[]) => {
    const started = performance.now();
    const took = () => `${Math.round(performance.now() - started)} ms`;
    if (files.some((file) => templateFiles.has(file))) {
      try {
        const what = await options.reloadTemplate();
        options.log(
          `[watch] ${files
            .filter((file) => templateFiles.has(file))
            .map(name)
            .join(', ')} changed: ${what} (${took()})`,
        );
      } catch (error) {
        options.log(`[watch] template reload failed, still serving the previous one: ${(error as Error).message}`);
      }
      return;
    }
    const inPlace = options.inPlaceDirectories
      .filter((entry) => files.some((file) => file.startsWith(`${entry.directory}${sep}`)))
      .map((entry) => entry.logicalId);
    if (inPlace.length > 0) options.restartInPlace(inPlace);
    const affected = affectedBy(options.built(), files);
    if (affected.length === 0) {
      if (inPlace.length > 0)
        options.log(`[watch] ${files.map(name).join(', ')} changed: restarted ${inPlace.join(', ')}`);
      else options.log(`[watch] ${files.map(name).join(', ')} changed: no function includes it`);
      return;
    }
    try {
      await options.rebuild(affected);
      options.log(`[watch] ${files.map(name).join(', ')} changed: rebuilt ${affected.join(', ')} in ${took()}`);
    } catch (error) {
      options.log(`[watch] build failed, still serving the previous bundles: ${(error as Error).message}`);
    }
  };

  const flush = () => {
    if (running) {
      // One batch at a time: what changed meanwhile goes in the next one.
      void running.then(flush);
      return;
    }
    const files = [...pending];
    pending.clear();
    if (files.length === 0) return;
    running = apply(files).finally(() => {
      running = undefined;
    });
  };
  const changed = (file: string) => {
    pending.add(resolve(file));
    clearTimeout(timer);
    timer = setTimeout(flush, 150);
  };
  const watcher: FSWatcher = watch([...directories, ...templateFiles], {
    ignoreInitial: true,
    ignored: (path) => path.split(sep).includes('node_modules') || path.split(sep).includes('.local'),
  });
  watcher.on('add', changed).on('change', changed).on('unlink', changed);
  return {
    directories,
    watchSourcesOf: (built) => {
      const more = sourceDirectories(built, root).filter((directory) => !directories.includes(directory));
      if (more.length === 0) return;
      directories.push(...more);
      directories.sort();
      watcher.add(more);
    },
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
    },
  };
};
