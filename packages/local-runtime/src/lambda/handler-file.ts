import { existsSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { LambdaErrorPayload } from './protocol.ts';

/**
 * `Handler` split the way Lambda's Node.js runtime splits it (aws-lambda-nodejs-runtime-interface-client,
 * utils/handler-path): the folder part, the module (up to the first dot of the last segment) and the export path
 * (the rest, dots naming nested properties). `src/handlers/app.lambdaHandler` → `src/handlers`, `app`,
 * `lambdaHandler`.
 */
export interface ParsedHandler {
  moduleRoot: string;
  moduleName: string;
  exportPath: string;
}

export const parseHandler = (handler: string): ParsedHandler | undefined => {
  if (handler.includes('..')) return undefined;
  const last = basename(handler);
  const match = /^([^.]*)\.(.+)$/.exec(last);
  if (!match?.[1] || !match[2]) return undefined;
  return {
    moduleRoot: handler.slice(0, handler.length - last.length).replace(/\/$/, ''),
    moduleName: match[1],
    exportPath: match[2],
  };
};

/** The extensions Lambda's Node.js runtime tries, in its order (function/module-loader). */
export const HANDLER_EXTENSIONS = ['', '.js', '.mjs', '.cjs'] as const;

const TYPESCRIPT_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx'];

export type HandlerFile = { ok: true; file: string } | { ok: false; error: LambdaErrorPayload };

const isFile = (path: string): boolean => existsSync(path) && statSync(path).isFile();

/**
 * The file Lambda would import for `handler` in `codeDir`, or why there is none: a malformed handler, a
 * TypeScript source (Lambda's Node.js runtime runs JavaScript only: build it with `Metadata: BuildMethod: esbuild`),
 * or no such file.
 */
export const handlerFile = (codeDir: string, handler: string): HandlerFile => {
  const parsed = parseHandler(handler);
  if (!parsed) {
    return {
      ok: false,
      error: {
        errorType: 'Runtime.MalformedHandlerName',
        errorMessage: `Handler "${handler}" is not <path/>module.export`,
        trace: [],
      },
    };
  }
  const base = resolve(codeDir, parsed.moduleRoot, parsed.moduleName);
  for (const extension of HANDLER_EXTENSIONS) {
    if (isFile(`${base}${extension}`)) return { ok: true, file: `${base}${extension}` };
  }
  const shown = relative(process.cwd(), join(codeDir, parsed.moduleRoot)) || '.';
  const typescript = TYPESCRIPT_EXTENSIONS.map((extension) => `${base}${extension}`).find(isFile);
  if (typescript) {
    return {
      ok: false,
      error: {
        errorType: 'Runtime.ImportModuleError',
        errorMessage: `handler file ${basename(typescript)} in ${shown} is TypeScript, which Lambda's Node.js runtime does not run: add Metadata: BuildMethod: esbuild to the function (as sam build needs) or point Handler at compiled JavaScript`,
        trace: [],
      },
    };
  }
  return {
    ok: false,
    error: {
      errorType: 'Runtime.ImportModuleError',
      errorMessage: `handler file not found: no ${parsed.moduleName}.js, .mjs or .cjs in ${shown} (Handler ${handler})`,
      trace: [],
    },
  };
};
