/**
 * `npm run sdk`: regenerates sdk/generated/ (committed) from api/openapi.yaml and api/asyncapi.yaml.
 * `npm run sdk -- --check` writes nothing and exits 1 when a committed file differs (what the staleness test runs).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { generateSdk } from './sdk/generate.ts';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
const stale: string[] = [];
for (const [path, content] of await generateSdk()) {
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === content) {
    console.log(`${path}: up to date`);
    continue;
  }
  if (values.check) {
    stale.push(path);
    console.log(`${path}: STALE (run npm run sdk)`);
    continue;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  console.log(`${path}: written`);
}
process.exitCode = stale.length > 0 ? 1 : 0;
