#!/usr/bin/env node
// Plain JavaScript on purpose: it must run on any Node.js to say why an older one cannot run the TypeScript sources.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18) || (major === 23 && minor < 6)) {
  process.stderr.write(
    `sam-local-runtime needs Node.js 24 (it runs its TypeScript sources directly); this is ${process.version}.\n` +
      'Run it through an npm script of a project that depends on the `node@24` package, or `nvm use 24` (.nvmrc).\n',
  );
  process.exit(1);
}
await import('../src/cli/main.ts');
