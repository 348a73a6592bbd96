import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { moduleBeside } from '../shared/module-beside.ts';

// worker.ts beside this file in the sources, worker.js in the built package (dist/).
const SOURCE = moduleBeside(import.meta.url, 'worker');

/**
 * What an execution environment's worker thread loads: worker.ts and its imports bundled once into plain JavaScript.
 * Each worker thread is a fresh Node.js instance, and loading TypeScript there starts Node's type stripper anew
 * (about 30 ms of CPU an environment on the machines this was measured on, a third of a cold start). The bundle is
 * named by its content, so runtimes of the same version share one file; if it cannot be built, the source file
 * beside this one is loaded as it is.
 */
const bundleWorker = async (): Promise<URL> => {
  try {
    const result = await build({
      entryPoints: [fileURLToPath(SOURCE)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      packages: 'external',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]?.text;
    if (!code) return SOURCE;
    const folder = join(tmpdir(), 'sam-local-runtime');
    const file = join(folder, `worker-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
    if (!existsSync(file)) {
      mkdirSync(folder, { recursive: true });
      // Written aside and renamed: another runtime starting at the same time never loads half a file.
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, code);
      renameSync(partial, file);
    }
    return pathToFileURL(file);
  } catch {
    return SOURCE;
  }
};

let entry: Promise<URL> | undefined;

/** The worker file to start (built on first use, then the same for the life of the process). */
export const workerEntry = (): Promise<URL> => {
  entry ??= bundleWorker();
  return entry;
};
