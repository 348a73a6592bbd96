import * as nodeModule from 'node:module';

/** The packages Lambda's Node.js runtimes carry (the AWS SDK for JavaScript v3 and its Smithy core). */
const RUNTIME_PACKAGES = /^@(aws-sdk|smithy)\//;

const notFound = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
};

/**
 * The same fallback for `import` on a Node.js without `module.registerHooks` (before 22.15): an asynchronous resolve
 * hook, which `module.register` runs on a hooks thread, loaded from a data: URL so that it needs no file beside the
 * worker's bundle.
 */
const ASYNC_HOOKS = `
const RUNTIME_PACKAGES = ${RUNTIME_PACKAGES};
let parentURL;
export const initialize = (data) => { parentURL = data.parentURL; };
export const resolve = async (specifier, context, nextResolve) => {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!RUNTIME_PACKAGES.test(specifier) || error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    return nextResolve(specifier, { ...context, parentURL });
  }
};`;

type ResolveFilename = (this: unknown, request: string, ...rest: unknown[]) => string;

/**
 * As on Lambda, where `/var/runtime/node_modules` holds the SDK behind the function's own `node_modules`: an
 * `@aws-sdk/*` or `@smithy/*` import (or require) the function's code cannot resolve itself resolves from
 * `fallbackParent` (a file URL in the runtime package), so code that does not bundle the SDK still finds it. The
 * function's own copy, when it has one, wins. Applies to the calling thread only (a function's worker).
 */
export const registerSdkFallback = (fallbackParent: string): void => {
  const fallbackRequire = nodeModule.createRequire(fallbackParent);
  // A namespace import: on Node.js 22.12-22.14 the export does not exist, and a named import would not link.
  if (typeof nodeModule.registerHooks === 'function') {
    nodeModule.registerHooks({
      resolve(specifier, context, nextResolve) {
        try {
          return nextResolve(specifier, context);
        } catch (error) {
          if (!RUNTIME_PACKAGES.test(specifier) || !notFound(error)) throw error;
          // require() resolves from the requiring module's own paths whatever parentURL says: hand it the file.
          if (context.conditions?.includes('require')) return nextResolve(fallbackRequire.resolve(specifier), context);
          return nextResolve(specifier, { ...context, parentURL: fallbackParent });
        }
      },
    });
    return;
  }
  nodeModule.register(`data:text/javascript,${encodeURIComponent(ASYNC_HOOKS)}`, {
    data: { parentURL: fallbackParent },
  });
  // Asynchronous hooks do not see require(): CommonJS resolution is Module._resolveFilename, the one place every
  // require() passes through (what module aliasing tools have long wrapped).
  const cjs = nodeModule.Module as unknown as { _resolveFilename: ResolveFilename };
  const resolveFilename = cjs._resolveFilename;
  cjs._resolveFilename = function (request, ...rest) {
    try {
      return resolveFilename.call(this, request, ...rest);
    } catch (error) {
      if (!RUNTIME_PACKAGES.test(request) || !notFound(error)) throw error;
      return fallbackRequire.resolve(request);
    }
  };
};
