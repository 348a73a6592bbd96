#!/usr/bin/env node
// Plain JavaScript, so that an older Node.js is told in one line what it lacks rather than failing on the code.
import { existsSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `sam-local-runtime needs Node.js 22.12 or later (22 or 24); this is ${process.version}. Older releases lack ` +
      'what it relies on: module.flushCompileCache (22.10), which its function workers call, and require() of ES ' +
      "modules without a flag (22.12), which Lambda's nodejs22.x gives functions.\n" +
      'Install Node.js 22 or 24 (`nvm install 24`), or add it to the project (`npm install --save-dev node@24`: npm ' +
      'scripts then run on it).\n',
  );
  process.exit(1);
}

// V8's code cache on disk (Node's compile cache, in the OS temp folder, checked against each file's content): a start
// after the first skips compiling the runtime's modules and their dependencies, and in this checkout stripping the
// types of its TypeScript sources (about 400 ms of CPU of a warm restart on the machines this was measured on).
enableCompileCache();

// In this repository (a workspace checkout, where src/ is present and not under node_modules) the TypeScript
// sources run as they are; an installed package has only the built dist/.
const here = fileURLToPath(import.meta.url);
const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source) && !here.includes(`${sep}node_modules${sep}`)) {
  if (!process.features.typescript) {
    process.stderr.write(
      `sam-local-runtime runs its TypeScript sources in this checkout, which needs type stripping (Node.js 22.18+ or 24); this is ${process.version}.\n` +
        'Run it through an npm script of this repository (its `node` devDependency is Node.js 24), or `nvm use` (.nvmrc).\n',
    );
    process.exit(1);
  }
  await import(source.href);
} else {
  await import('../dist/cli/main.js');
}
