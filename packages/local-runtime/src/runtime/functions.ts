import { existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { writeInlineCode } from '../build/inline-code.ts';
import { installRequirements } from '../build/python-requirements.ts';
import { extractZipCode, ZipCodeError } from '../build/zip-code.ts';
import type { FunctionConfig } from '../lambda/function-pool.ts';
import { handlerFile } from '../lambda/handler-file.ts';
import type { LambdaRuntime } from '../lambda/lambda-runtime.ts';
import { isPythonRuntime, nodeRuntimeOf } from '../lambda/node-runtime.ts';
import type { LambdaErrorPayload } from '../lambda/protocol.ts';
import { pythonCommand } from '../lambda/python-pool.ts';
import { isObject, type TemplateObject } from '../template/load.ts';
import { type LocalStack, StackError } from '../template/stack.ts';
import { type EnvVarsOverrides, envVarsFor, envVarsNotes } from './env-vars.ts';
import { FUNCTION_TYPES, rawFunctionProperties, standAloneAsset } from './raw-function.ts';

const variablesOf = (properties: TemplateObject): Record<string, string> => {
  const environment = isObject(properties.Environment) ? properties.Environment : {};
  const variables = isObject(environment.Variables) ? environment.Variables : {};
  return Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, String(value)]));
};

/**
 * Each function's properties as SAM deploys them (a raw `AWS::Lambda::Function`'s read in SAM's shape: see
 * raw-function.ts): Globals.Function merged under the function's own (maps such as
 * Environment.Variables merged key by key, as SAM does), every intrinsic resolved.
 */
export const functionProperties = (stack: LocalStack, logicalId: string): TemplateObject => {
  // Globals are SAM's: CloudFormation's own function takes only what it declares.
  if (stack.resources.get(logicalId)?.type === 'AWS::Lambda::Function') {
    const raw = rawFunctionProperties(stack, logicalId);
    return { ...raw, Environment: { Variables: variablesOf(raw) } };
  }
  const base = stack.globals('Function', 'AWS::Serverless::Function');
  const own = stack.properties(logicalId);
  return {
    ...base,
    ...own,
    Environment: { Variables: { ...variablesOf(base), ...variablesOf(own) } },
  };
};

/**
 * What the Lambda runtime puts in every function's environment (Lambda developer guide, "Defined runtime
 * environment variables"), plus local credentials and endpoints so the SDK clients reach the local services.
 */
const runtimeVariables = (
  stack: LocalStack,
  name: string,
  properties: TemplateObject,
  taskRoot: string,
): Record<string, string> => ({
  AWS_REGION: stack.region,
  AWS_DEFAULT_REGION: stack.region,
  AWS_LAMBDA_FUNCTION_NAME: name,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(properties.MemorySize ?? 128),
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
  AWS_LAMBDA_LOG_STREAM_NAME: 'local',
  AWS_EXECUTION_ENV: `AWS_Lambda_${String(properties.Runtime ?? 'nodejs24.x')}`,
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  LAMBDA_TASK_ROOT: taskRoot,
  _HANDLER: String(properties.Handler ?? 'index.handler'),
  TZ: ':UTC',
  PATH: process.env.PATH ?? '/usr/bin:/bin',
});

export interface FunctionEnvironmentOptions {
  /** Credentials, endpoints (AWS_ENDPOINT_URL_SSM...), shared by every function. */
  shared: Record<string, string>;
  /** Rewrites a resolved value for the local stack (a Cognito issuer URL → the local issuer). */
  rewrite: (value: string) => string;
  /** Where `InlineCode` is written (`<buildDir>/<LogicalId>/index.js`). */
  buildDir: string;
  /** HTTPS hosts of the template's own APIs → the local origins (requests a function builds in code go there). */
  localHosts?: Record<string, string>;
  /** `--env-vars`: values for the variables the functions declare (see env-vars.ts). */
  envVars?: EnvVarsOverrides;
}

const notRun = (errorMessage: string): LambdaErrorPayload => ({
  errorType: 'Runtime.NotRunLocally',
  errorMessage,
  trace: [],
});

/** `app.lambda_handler` → `app.py` (or the package `app/__init__.py`); `pkg/mod.handler` and `pkg.mod.handler` too. */
const pythonHandlerFile = (codeDir: string, handler: string): string | undefined => {
  const modulePath = handler.slice(0, Math.max(0, handler.lastIndexOf('.')));
  if (!modulePath || modulePath.includes('..')) return undefined;
  const base = join(codeDir, ...modulePath.replaceAll('/', '.').split('.'));
  return [`${base}.py`, join(base, '__init__.py')].find((file) => existsSync(file));
};

type Code =
  | {
      ok: true;
      file: string;
      taskRoot: string;
      inPlace: boolean;
      /** Where `requirements.txt` was installed (a Python function's import path after its own folder). */
      dependencies?: string;
      notes?: string[];
    }
  | { ok: false; error: LambdaErrorPayload };

/**
 * Where a function's code is: its esbuild bundle; its `InlineCode` written to the build dir; or, for any other
 * function, its handler file under `CodeUri` (a folder, default `.`), run in place so its own node_modules resolve.
 */
const codeOf = (
  stack: LocalStack,
  logicalId: string,
  properties: TemplateObject,
  bundle: string | undefined,
  buildDir: string,
): Code => {
  const runtime = nodeRuntimeOf(properties.Runtime);
  const python = isPythonRuntime(properties.Runtime);
  if (properties.PackageType === 'Image' || properties.ImageUri !== undefined) {
    return { ok: false, error: notRun('container image functions (PackageType: Image) are not run locally') };
  }
  if (!runtime.ok && !python) return { ok: false, error: notRun(runtime.reason) };
  if (properties.DurableConfig !== undefined) {
    // Fails closed: a durable function's handler expects Lambda's durable execution service (checkpoints, waits,
    // replay: Lambda developer guide, "Lambda durable functions"), which no local environment gives it.
    return {
      ok: false,
      error: notRun('DurableConfig: durable execution (checkpoints, waits, replay) is not hosted locally'),
    };
  }
  if (bundle) return { ok: true, file: bundle, taskRoot: dirname(bundle), inPlace: false };
  const handler = String(properties.Handler ?? '');
  let codeDir: string;
  let built = false;
  if (typeof properties.InlineCode === 'string') {
    codeDir = writeInlineCode(buildDir, logicalId, properties.InlineCode, python);
    built = true;
  } else {
    const codeUri = properties.CodeUri ?? '.';
    if (typeof codeUri !== 'string' || codeUri.startsWith('s3://')) {
      return {
        ok: false,
        error: notRun(
          `the code is in S3 (${typeof codeUri === 'string' ? codeUri : JSON.stringify(codeUri)}): point it at the function folder to run it`,
        ),
      };
    }
    codeDir = resolve(dirname(stack.templatePath), codeUri);
    const shown = relative(process.cwd(), codeDir) || '.';
    standAloneAsset(stack, logicalId, codeDir);
    if (!existsSync(codeDir)) return { ok: false, error: notRun(`CodeUri ${shown} does not exist`) };
    if (!statSync(codeDir).isDirectory()) {
      if (!codeDir.endsWith('.zip')) {
        return { ok: false, error: notRun(`CodeUri ${shown} is a file: point it at the function folder or a .zip`) };
      }
      try {
        codeDir = extractZipCode(buildDir, codeDir);
        built = true;
      } catch (error) {
        if (!(error instanceof ZipCodeError)) throw error;
        return { ok: false, error: notRun(`CodeUri ${shown}: ${error.message}`) };
      }
    }
  }
  if (python) {
    const file = pythonHandlerFile(codeDir, handler);
    // A function folder's requirements.txt is what `sam build` installs; a .zip or InlineCode is taken as built.
    const requirements = built ? undefined : installRequirements(pythonCommand(), codeDir, buildDir);
    return file
      ? {
          ok: true,
          file,
          taskRoot: codeDir,
          inPlace: true,
          ...(requirements?.ok ? { dependencies: requirements.dir } : {}),
          ...(requirements && !requirements.ok ? { notes: [requirements.problem] } : {}),
        }
      : {
          ok: false,
          error: notRun(`no Python module for Handler ${handler} in ${relative(process.cwd(), codeDir) || '.'}`),
        };
  }
  const found = handlerFile(codeDir, handler);
  return found.ok ? { ok: true, file: found.file, taskRoot: codeDir, inPlace: true } : found;
};

/**
 * The function a command names by logical id or FunctionName, or, when it names none, the template's only function
 * (as sam local invoke chooses); undefined when there is none to choose. `all` lists the logical ids for the error.
 */
export const chooseFunction = (
  stack: LocalStack,
  wanted: string | undefined,
): { logicalId: string | undefined; all: string[] } => {
  const functions = stack.ofType(...FUNCTION_TYPES);
  // SAM CLI names a nested stack's function `Stack/Function`: here it is the logical id `StackFunction`.
  const nestedId = wanted?.replaceAll('/', '');
  const found = wanted
    ? functions.find((fn) => fn.logicalId === wanted || fn.logicalId === nestedId || stack.ref(fn.logicalId) === wanted)
    : functions.length === 1
      ? functions[0]
      : undefined;
  return { logicalId: found?.logicalId, all: functions.map((fn) => fn.logicalId) };
};

/** SAM's EventInvokeConfig: retries (0-2, default 2) and event age (60-21600 s, default 6 h) of async invocations. */
const asyncRetriesOf = (properties: TemplateObject): Pick<FunctionConfig, 'asyncRetries'> => {
  const config = isObject(properties.EventInvokeConfig) ? properties.EventInvokeConfig : {};
  const retries = Number(config.MaximumRetryAttempts ?? 2);
  const age = Number(config.MaximumEventAgeInSeconds ?? 21_600);
  return {
    asyncRetries: {
      maximumRetryAttempts: Number.isInteger(retries) ? Math.min(2, Math.max(0, retries)) : 2,
      maximumEventAgeSeconds: Number.isFinite(age) ? Math.min(21_600, Math.max(60, age)) : 21_600,
    },
  };
};

/**
 * CloudFormation refuses a second function with a FunctionName already taken (Lambda: "Function already exist"): so
 * does the runtime, rather than letting one of them answer for both.
 */
const refuseSharedNames = (configs: FunctionConfig[]): FunctionConfig[] => {
  const byName = new Map<string, string>();
  for (const config of configs) {
    const first = byName.get(config.name);
    if (first !== undefined) {
      throw new StackError(
        `${first} and ${config.logicalId} have the same FunctionName ${config.name}: CloudFormation refuses the stack (Function already exist: ${config.name})`,
      );
    }
    byName.set(config.name, config.logicalId);
  }
  return configs;
};

export const functionConfigs = (
  stack: LocalStack,
  bundles: Record<string, string>,
  options: FunctionEnvironmentOptions,
): FunctionConfig[] => refuseSharedNames(functionConfigsOf(stack, bundles, options));

const functionConfigsOf = (
  stack: LocalStack,
  bundles: Record<string, string>,
  options: FunctionEnvironmentOptions,
): FunctionConfig[] =>
  stack.ofType(...FUNCTION_TYPES).flatMap((resource) => {
    const properties = functionProperties(stack, resource.logicalId);
    const code = codeOf(stack, resource.logicalId, properties, bundles[resource.logicalId], options.buildDir);
    const bundle = code.ok ? code.file : '';
    const name = stack.ref(resource.logicalId);
    const own = Object.fromEntries(
      Object.entries(variablesOf(properties)).map(([key, value]) => [key, options.rewrite(value)]),
    );
    // The user's values are taken as given: not rewritten like the template's.
    Object.assign(own, envVarsFor(options.envVars, { logicalId: resource.logicalId, name }, Object.keys(own)));
    const config: FunctionConfig = {
      logicalId: resource.logicalId,
      name,
      arn: stack.getAtt(resource.logicalId, 'Arn'),
      handler: String(properties.Handler ?? 'index.handler'),
      bundle,
      runtime: String(properties.Runtime ?? ''),
      // Lambda's defaults: 3 seconds, 128 MB.
      timeoutSeconds: Number(properties.Timeout ?? 3),
      memoryMB: Number(properties.MemorySize ?? 128),
      environment: {
        ...runtimeVariables(stack, name, properties, code.ok ? code.taskRoot : dirname(stack.templatePath)),
        ...options.shared,
        ...(code.ok && code.dependencies ? { PYTHONPATH: code.dependencies } : {}),
        ...own,
      },
      ...(code.ok && code.notes ? { notes: code.notes } : {}),
      ...(code.ok ? { inPlace: code.inPlace } : { problem: code.error }),
      ...(options.localHosts ? { localHosts: options.localHosts } : {}),
      ...(typeof properties.AutoPublishAlias === 'string' ? { alias: properties.AutoPublishAlias } : {}),
      ...asyncRetriesOf(properties),
    };
    return [config];
  });

/**
 * The banner's lines for functions that cannot run: unsupported runtime, no code, no handler file (found without
 * running anything). Such functions answer every invocation with that error (API Gateway: 502).
 */
export const functionProblems = (runtime: LambdaRuntime): string[] =>
  runtime.functions.flatMap((config) => [
    ...(config.problem ? [notRunLine(config.logicalId, config.problem)] : []),
    ...(config.notes ?? []).map((note) => `${config.logicalId}: ${note}; it runs without them`),
  ]);

const notRunLine = (logicalId: string, problem: LambdaErrorPayload): string =>
  `${logicalId}: not run: ${problem.errorMessage.split('\n')[0]}`;

/**
 * The functions run in place have their init run once each, in the background after start-up (see
 * LambdaRuntime.checkInBackground): a failed one (a missing module or export, a callback handler on nodejs24.x) is
 * named in a `[lambda]` line, and answers its error from then on, as the banner's functions do.
 */
export const checkInits = (runtime: LambdaRuntime, log: (line: string) => void): void =>
  runtime.checkInBackground(
    runtime.functions.filter((config) => config.inPlace && !config.problem).map((config) => config.logicalId),
    (logicalId, error) => log(`[lambda] ${notRunLine(logicalId, error)} (found by running its init once)`),
  );

/** The `--env-vars` lines to show at start-up: what the file sets that no function declares (see envVarsNotes). */
export const envVarsReport = (stack: LocalStack, overrides: EnvVarsOverrides | undefined): string[] =>
  envVarsNotes(
    overrides,
    stack.ofType(...FUNCTION_TYPES).map((resource) => ({
      logicalId: resource.logicalId,
      name: stack.ref(resource.logicalId),
      declared: Object.keys(variablesOf(functionProperties(stack, resource.logicalId))),
    })),
  );
