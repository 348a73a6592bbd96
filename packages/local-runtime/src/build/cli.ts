import { relative } from 'node:path';
import { buildFunctions } from './build.ts';

/** `npm run build [-- --out-dir DIR]`: one bundle per function of template.yaml, and a table of what was made. */
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out-dir');
const outDir = outIndex >= 0 ? args[outIndex + 1] : undefined;

const started = performance.now();
const built = await buildFunctions('template.yaml', outDir ? { outDir } : {}).catch((error: Error) => {
  console.error(`npm run build: ${error.message}`);
  process.exit(1);
});
const rows = built
  .sort((a, b) => a.logicalId.localeCompare(b.logicalId))
  .map((fn) => [fn.logicalId, relative(process.cwd(), fn.outfile), `${(fn.bytes / 1024).toFixed(1)} KB`]);
const widths = [0, 1, 2].map((i) =>
  Math.max(...[['function', 'bundle', 'size'], ...rows].map((row) => row[i]?.length ?? 0)),
);
for (const row of [['function', 'bundle', 'size'], ...rows]) {
  console.log(row.map((cell, i) => (i === 2 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  '));
}
console.log(`\n${built.length} functions bundled in ${Math.round(performance.now() - started)} ms`);
