import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm pack` (prepack) builds dist/, the form the package is published and installed in: JavaScript that any
 * Node.js 22.12+ runs (Node strips no types inside node_modules), `.d.ts` declarations, and the files that are not
 * TypeScript (the Python bootstrap) where the code expects them beside itself. This repository's own scripts keep
 * running the sources (the `sam-local-runtime-source` export condition; see the package README).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

const files = (folder: string): string[] =>
  readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));

// tsc rewrites `./x.ts` to `./x.js` in the JavaScript it emits, not in declarations: a consumer's TypeScript reads
// them without allowImportingTsExtensions only with `.js` specifiers.
const TS_SPECIFIER = /((?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]*?)\.ts(['"])/g;
for (const file of files(dist).filter((path) => path.endsWith('.d.ts'))) {
  const text = readFileSync(file, 'utf8');
  const rewritten = text.replace(TS_SPECIFIER, '$1.js$2');
  if (rewritten !== text) writeFileSync(file, rewritten);
}

for (const file of files(src).filter((path) => extname(path) !== '.ts')) {
  cpSync(file, join(dist, file.slice(src.length)));
}
