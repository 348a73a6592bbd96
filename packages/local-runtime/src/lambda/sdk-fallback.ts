import { createRequire, registerHooks } from 'node:module';

/** The packages Lambda's Node.js runtimes carry (the AWS SDK for JavaScript v3 and its Smithy core). */
const RUNTIME_PACKAGES = /^@(aws-sdk|smithy)\//;

const notFound = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
};

/**
 * As on Lambda, where `/var/runtime/node_modules` holds the SDK behind the function's own `node_modules`: an
 * `@aws-sdk/*` or `@smithy/*` import (or require) the function's code cannot resolve itself resolves from
 * `fallbackParent` (a file URL in the runtime package), so code that does not bundle the SDK still finds it. The
 * function's own copy, when it has one, wins. Applies to the calling thread only (a function's worker).
 */
export const registerSdkFallback = (fallbackParent: string): void => {
  const fallbackRequire = createRequire(fallbackParent);
  registerHooks({
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
};
