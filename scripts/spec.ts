/**
 * `npm run spec`: writes the published specifications to build/spec/ (not committed; regenerated from the sources)
 * and validates each with its ecosystem's own validator:
 * - openapi.json: the clean OpenAPI 3 of the REST API (scripts/spec/openapi.ts), linted by Redocly CLI;
 * - asyncapi.json: the AsyncAPI 3 document of the WebSocket API (api/asyncapi.yaml), by @asyncapi/parser.
 * Exits 1 when either has an error. `--out DIR` writes elsewhere, `--config-env ENV` picks samconfig's parameters.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { asyncApiDocument, validateAsyncApi } from './spec/asyncapi.ts';
import { lintOpenApi } from './spec/lint.ts';
import { cleanOpenApi } from './spec/openapi.ts';

const { values } = parseArgs({
  options: { out: { type: 'string', default: 'build/spec' }, 'config-env': { type: 'string' } },
});
const out = values.out;
const configEnv = values['config-env'];
mkdirSync(out, { recursive: true });

const write = (name: string, document: unknown): string => {
  const file = join(out, name);
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  return file;
};

const openapiFile = write('openapi.json', cleanOpenApi(configEnv ? { configEnv } : {}));
const lint = lintOpenApi(openapiFile);
for (const problem of lint.problems)
  console.log(`  ${problem.severity} ${problem.ruleId}: ${problem.message} (${problem.location.join(', ')})`);
console.log(`${relative('.', openapiFile)}: redocly lint, ${lint.errors} errors, ${lint.warnings} warnings`);

const asyncapi = asyncApiDocument();
const asyncapiFile = write('asyncapi.json', asyncapi);
const diagnostics = await validateAsyncApi(asyncapi);
for (const diagnostic of diagnostics) console.log(`  ${diagnostic.severity} ${diagnostic.path}: ${diagnostic.message}`);
const asyncErrors = diagnostics.filter((diagnostic) => diagnostic.severity === 'error').length;
console.log(
  `${relative('.', asyncapiFile)}: @asyncapi/parser, ${asyncErrors} errors, ${diagnostics.length - asyncErrors} other diagnostics`,
);

process.exitCode = lint.errors > 0 || asyncErrors > 0 ? 1 : 0;
