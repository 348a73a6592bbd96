/**
 * What a function's `Runtime` means here. Every `nodejsN.x` runs on this Node.js, with the handler contract of
 * its version: up to nodejs22.x a handler may take a callback (`handler(event, context, callback)`) and use
 * `context.succeed/fail/done` and `context.callbackWaitsForEmptyEventLoop`; nodejs24.x removed them (AWS's
 * Node.js 24 launch notes), so there a handler declaring a third parameter fails to initialise with
 * Runtime.CallbackHandlerDeprecated. Other runtimes (python, java, provided...) are not run.
 */
export type NodeRuntime = { ok: true; name: string; callbacks: boolean } | { ok: false; reason: string };

export const nodeRuntimeOf = (runtime: unknown): NodeRuntime => {
  if (runtime === undefined || runtime === null || runtime === '') {
    return { ok: false, reason: 'no Runtime (set Runtime on the function or in Globals.Function)' };
  }
  const name = String(runtime);
  const match = /^nodejs(\d+)\.x$/.exec(name);
  if (!match) {
    return { ok: false, reason: `Runtime ${name} is not run locally (nodejs and python3 runtimes are)` };
  }
  return { ok: true, name, callbacks: Number(match[1]) < 24 };
};

/** Lambda's own words when a nodejs24.x handler takes a callback (runtime interface client, context/constants). */
export const CALLBACK_REMOVED_MESSAGE =
  'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';

/** `python3.x` functions run on the host's Python (SAM_LOCAL_PYTHON, default `python3`) through the Runtime API. */
export const isPythonRuntime = (runtime: unknown): boolean => /^python3\.\d+$/.test(String(runtime ?? ''));

/** What Node.js 24 added that Node.js 22 lacks, as a function written for nodejs24.x may use it (release notes). */
const NODE_24_ADDITIONS =
  'RegExp.escape, Error.isError, Promise.try, Float16Array, `using` declarations, the URLPattern global';

/**
 * Where this Node.js cannot give a function's `nodejsN.x` what Lambda gives it: the handler contract is the
 * runtime's whatever the host (worker.ts), but the language and the Node.js APIs are the host's own. One line per
 * runtime whose major version differs from the host's, naming its functions; none when they match.
 */
export const hostRuntimeDifferences = (
  functions: { logicalId: string; runtime: string }[],
  hostVersion: string = process.version,
): string[] => {
  const host = Number(/^v?(\d+)\./.exec(hostVersion)?.[1]);
  const byRuntime = new Map<number, string[]>();
  for (const { logicalId, runtime } of functions) {
    const major = Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1]);
    if (!major || major === host) continue;
    byRuntime.set(major, [...(byRuntime.get(major) ?? []), logicalId]);
  }
  return [...byRuntime].map(([major, ids]) => {
    const who = `nodejs${major}.x (${ids.join(', ')})`;
    if (major < host) {
      return `${who}: nodejs${major}.x's handler contract, on Node.js ${hostVersion}: APIs added after Node.js ${major} work here, not on Lambda`;
    }
    const missing = host < 24 && major >= 24 ? ` (${NODE_24_ADDITIONS})` : '';
    return `${who}: nodejs${major}.x's handler contract, on Node.js ${hostVersion}: what Node.js ${major} added is missing here${missing}; run on Node.js ${major} for Lambda's`;
  });
};
