import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { type Metafile, version } from 'esbuild';

/**
 * What a bundle was built from, kept beside it (`<outdir>/.build-cache.json`): the esbuild options and version, and
 * the size and modification time of every input its metafile names. A start with none of them changed reuses the
 * bundle instead of building it again.
 */
interface CacheEntry {
  key: string;
  outfile: string;
  bytes: number;
  inputs: Record<string, [number, number]>;
  metafile: Metafile;
}

const FILE = '.build-cache.json';

export const cacheKey = (options: unknown): string =>
  createHash('sha256')
    .update(JSON.stringify({ options, esbuild: version }))
    .digest('hex');

const fingerprint = async (file: string): Promise<[number, number] | undefined> => {
  try {
    const info = await stat(file);
    return [info.size, info.mtimeMs];
  } catch {
    return undefined;
  }
};

const inputPaths = (metafile: Metafile, codeDir: string): string[] =>
  Object.keys(metafile.inputs).map((input) => (isAbsolute(input) ? input : resolve(codeDir, input)));

/** The cached bundle, when the options and every input are as they were when it was built. */
export const cachedBundle = async (
  outdir: string,
  key: string,
): Promise<{ outfile: string; bytes: number; metafile: Metafile } | undefined> => {
  let entry: CacheEntry;
  try {
    entry = JSON.parse(await readFile(join(outdir, FILE), 'utf8')) as CacheEntry;
  } catch {
    return undefined;
  }
  if (entry.key !== key || !(await fingerprint(entry.outfile))) return undefined;
  for (const [input, expected] of Object.entries(entry.inputs)) {
    const actual = await fingerprint(input);
    if (!actual || actual[0] !== expected[0] || actual[1] !== expected[1]) return undefined;
  }
  return { outfile: entry.outfile, bytes: entry.bytes, metafile: entry.metafile };
};

export const storeBundle = async (
  outdir: string,
  key: string,
  built: { outfile: string; bytes: number; metafile: Metafile; codeDir: string },
): Promise<void> => {
  const inputs: Record<string, [number, number]> = {};
  for (const input of inputPaths(built.metafile, built.codeDir)) {
    const print = await fingerprint(input);
    if (print) inputs[input] = print;
  }
  const entry: CacheEntry = { key, outfile: built.outfile, bytes: built.bytes, inputs, metafile: built.metafile };
  await writeFile(join(outdir, FILE), JSON.stringify(entry));
};
