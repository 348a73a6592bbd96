import { type FSWatcher, watch } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { BuiltFunction } from '../build/build.ts';

export interface Watcher {
  directories: string[];
  close: () => void;
}

/**
 * The top-level source folders the bundles were built from (`src/` here), read from esbuild's metafiles: watching
 * only those keeps node_modules out of the watch list.
 */
export const sourceDirectories = (built: BuiltFunction[], root: string): string[] => {
  const tops = new Set<string>();
  for (const fn of built) {
    for (const input of Object.keys(fn.metafile.inputs)) {
      const absolute = isAbsolute(input) ? input : resolve(fn.codeDir, input);
      const inside = relative(root, absolute);
      if (inside.startsWith('..') || inside.split(sep).includes('node_modules')) continue;
      const top = inside.split(sep)[0];
      if (top && top !== inside) tops.add(join(root, top));
    }
  }
  return [...tops].sort();
};

/**
 * Rebuilds the functions when a source file changes (debounced, one build at a time; a failed build keeps the
 * previous bundles serving) and says that a template change needs a restart.
 */
export const watchSources = (
  built: BuiltFunction[],
  templatePath: string,
  options: { rebuild: () => Promise<number>; log: (line: string) => void },
): Watcher => {
  const root = dirname(templatePath);
  const directories = sourceDirectories(built, root);
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    const started = performance.now();
    try {
      const count = await options.rebuild();
      options.log(`[watch] rebuilt ${count} functions in ${Math.round(performance.now() - started)} ms`);
    } catch (error) {
      options.log(`[watch] build failed, still serving the previous bundles: ${(error as Error).message}`);
    } finally {
      running = false;
      if (again) {
        again = false;
        void run();
      }
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), 150);
  };
  const watchers: FSWatcher[] = directories.map((directory) => watch(directory, { recursive: true }, schedule));
  watchers.push(watch(templatePath, () => options.log('[watch] template changed: restart `npm start` to apply it')));
  for (const watcher of watchers) watcher.unref();
  return {
    directories,
    close: () => {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
};
