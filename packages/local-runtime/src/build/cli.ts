import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { findTemplate } from '../template/template-file.ts';
import { buildFunctions } from './build.ts';

/** `sam-local-runtime build [--out-dir DIR]`: one bundle per esbuild function of the template, and a table of them. */
const USAGE = `Usage: sam-local-runtime build [options]

Bundles each function with Metadata BuildMethod: esbuild, with its BuildProperties, as sam build bundles it.

  -t, --template FILE  SAM template (default template.yaml, template.yml or template.json)
  --out-dir DIR        where bundles go (default .local/build beside the template)
  -h, --help           this text`;

const fail = (message: string, code: number): never => {
  process.stderr.write(`sam-local-runtime build: ${message}\n`);
  process.exit(code);
};

let values: { template?: string; 'out-dir'?: string; help?: boolean } = {};
try {
  ({ values } = parseArgs({
    options: {
      template: { type: 'string', short: 't' },
      'out-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  fail(`${(error as Error).message}\n\n${USAGE}`, 2);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const templatePath =
  values.template ??
  findTemplate(process.cwd(), { includeBuild: false })?.path ??
  fail(`no template.yaml, template.yml or template.json in ${process.cwd()}: pass --template FILE`, 1);
const outDir = values['out-dir'];

const started = performance.now();
const built = await buildFunctions(templatePath, outDir ? { outDir } : {}).catch((error: Error) =>
  fail(error.message, 1),
);
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
