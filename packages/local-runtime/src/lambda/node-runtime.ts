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
