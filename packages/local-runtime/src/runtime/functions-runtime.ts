import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { join, relative, resolve } from 'node:path';
import { buildFunctions } from '../build/build.ts';
import { LazyBundles } from '../build/lazy-bundles.ts';
import type { LocalCredentials } from '../gateway/auth/sigv4.ts';
import { dynamoDbStreamSourcesOf } from '../lambda/event-sources/dynamodb-stream-mappings.ts';
import { DynamoDbStreamPoller } from '../lambda/event-sources/dynamodb-stream-poller.ts';
import { kinesisEventSourcesOf } from '../lambda/event-sources/kinesis-mappings.ts';
import { KinesisPoller } from '../lambda/event-sources/kinesis-poller.ts';
import { SqsPoller } from '../lambda/event-sources/sqs-poller.ts';
import type { FunctionConfig } from '../lambda/function-pool.ts';
import { LambdaRuntime } from '../lambda/lambda-runtime.ts';
import { isPythonRuntime } from '../lambda/node-runtime.ts';
import { pythonCommand } from '../lambda/python-pool.ts';
import type { ServiceAuth } from '../services/shared/request-auth.ts';
import type { LocalStack } from '../template/stack.ts';
import { isSamBuildOutput } from '../template/template-file.ts';
import { localCredentials } from './credentials.ts';
import type { EnvVarsOverrides } from './env-vars.ts';
import { sqsEventSourcesOf } from './event-sources.ts';
import { checkInits, chooseFunction, envVarsReport, functionConfigs, functionProblems } from './functions.ts';
import type { Observability } from './observability.ts';
import { type AwsServices, SERVICE_PORT_COUNT, startAwsServices } from './services.ts';

/** SAM CLI's function timeout while a debugger is attached (samcli local_lambda.py, MAX_DEBUG_TIMEOUT): 10 hours. */
const DEBUG_TIMEOUT_SECONDS = 36_000;

/** A start-up failure the CLI names in one line (a port in use, a function that cannot be debugged). */
export class RuntimeStartError extends Error {
  override readonly name = 'RuntimeStartError';
}

export interface DebugOptions {
  port: number;
  /** The function to debug (logical id or name); the template's only function when absent. */
  functionId?: string;
}

export interface FunctionsRuntimeOptions {
  host: string;
  /** First of the five local AWS endpoints' fixed ports; 0 or absent picks free ports. */
  servicePorts?: number;
  /** The Lambda endpoint's own port (start-lambda's --port). */
  lambdaPort?: number;
  timeScale: number;
  /** `--schedules`: whether the template's schedules run on their clock (see ServiceContext.schedules). */
  schedules?: 'off' | 'run';
  persistDir?: string;
  log: (line: string) => void;
  functionOutput: (logicalId: string, line: string) => void;
  maxConcurrency: number;
  /** An execution environment idle this long ends (see LambdaRuntimeOptions.idleTimeoutMs). */
  idleTimeoutMs?: number;
  /** Execution environments alive at once across all functions (see LambdaRuntimeOptions.maxEnvironments). */
  maxEnvironments?: number;
  /** Where bundles go (default `.local/build` beside the template). */
  buildDir?: string;
  /** Rewrites AWS URLs in resolved values to local ones (API and Cognito issuer URLs), before the functions see them. */
  rewrite?: (value: string) => string;
  /** HTTPS hosts of the template's own APIs → the local origins. */
  localHosts?: Record<string, string>;
  debug?: DebugOptions;
  /** Run the SQS event source mappings (default true; `invoke` runs the one function only). */
  eventSources?: boolean;
  /**
   * The local AWS endpoints and the @connections API take any well-formed SigV4 signature, not only the local
   * credentials' (for tools signed with other credentials).
   */
  acceptAnySignature?: boolean;
  /** `--env-vars`: values for the variables the functions declare in `Environment.Variables` (SAM CLI's rule). */
  envVars?: EnvVarsOverrides;
  /** Traces and metrics (`start`'s local X-Ray daemon and pages): the functions report to it. */
  observability?: Observability;
}

/** The template's functions and the local AWS services they reach, running: what every command starts. */
export interface FunctionsRuntime {
  stack: LocalStack;
  aws: AwsServices;
  credentials: LocalCredentials;
  /** Who may call the local endpoints and @connections. */
  auth: ServiceAuth;
  buildDir: string;
  /**
   * The template's esbuild bundles as first started, each built on its function's first invocation (none for
   * `sam build`'s output, whose code is built already).
   */
  bundles: LazyBundles | undefined;
  /** Bundles the functions of a template now (none for `sam build`'s output, whose code is built already). */
  bundle: typeof buildFunctions;
  /** The functions as they run now (a template reload replaces them). */
  readonly lambda: LambdaRuntime;
  /** What the banner names as not run: functions that cannot run, event sources that are wrong. */
  problems: string[];
  /** The template's function configurations for `next`, with these bundles, run from now on (template reload). */
  replace(next: LocalStack, bundles: Record<string, string>): LambdaRuntime;
  /** Runs each in-place function's init once, in the background, and names the ones that fail (see checkInits). */
  checkInits(): void;
  /** Back to the template's initial state (see AwsServices.reset); every function's next invocation a cold start. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The function `--debug-port` applies to, refused at start when it cannot be chosen or cannot be debugged. */
const debugTarget = (stack: LocalStack, debug: DebugOptions): string => {
  const wanted = debug.functionId;
  const { logicalId, all } = chooseFunction(stack, wanted);
  if (logicalId) return logicalId;
  throw new RuntimeStartError(
    wanted
      ? `--debug-function ${wanted}: no such function in the template (${all.join(', ')})`
      : `--debug-port needs --debug-function when the template has ${all.length} functions (${all.join(', ')})`,
  );
};

const applyDebug = (configs: FunctionConfig[], logicalId: string | undefined, port: number, host: string) => {
  const config = configs.find((candidate) => candidate.logicalId === logicalId);
  if (!config) return;
  if (isPythonRuntime(config.runtime) && spawnSync(pythonCommand(), ['-c', 'import debugpy']).status !== 0) {
    throw new RuntimeStartError(
      `--debug-port: ${config.logicalId} is a Python function, and debugpy is not installed for ${pythonCommand()} (pip install debugpy)`,
    );
  }
  config.debug = { port, host };
  config.timeoutSeconds = DEBUG_TIMEOUT_SECONDS;
};

/** A folder as the log shows it: relative to the working directory when inside it. */
const shownDir = (dir: string): string => {
  const inside = relative(process.cwd(), dir);
  return inside === '' ? '.' : inside.startsWith('..') ? dir : inside;
};

/** Resolves true once something accepts connections on host:port (the environment opens it as it starts). */
const listening = async (host: string, port: number): Promise<boolean> => {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const open = await new Promise<boolean>((done) => {
      const socket = connect(port, host);
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (open) return true;
    await new Promise((wait) => setTimeout(wait, 20));
  }
  return false;
};

/**
 * Starts the local AWS services (services/index.ts), bundles the functions and runs them
 * with the services' endpoints in their environment, and polls the template's SQS event sources: all that `start`,
 * `start-lambda` and `invoke` share. The APIs are `start`'s own (see start.ts).
 */
export const startFunctionsRuntime = async (
  stack: LocalStack,
  options: FunctionsRuntimeOptions,
): Promise<FunctionsRuntime> => {
  const { log, host } = options;
  const debugged = options.debug ? debugTarget(stack, options.debug) : undefined;
  let runtime: LambdaRuntime | undefined;
  const pollers: { stop(): Promise<void> }[] = [];
  const rewrite = options.rewrite ?? ((value: string) => value);
  const { observability } = options;
  const credentials = localCredentials(stack);
  const auth: ServiceAuth = {
    credentials: [credentials],
    region: stack.region,
    acceptAnySignature: options.acceptAnySignature ?? false,
  };
  const buildDir = resolve(options.buildDir ?? join(stack.templatePath, '..', '.local', 'build'));
  // `sam build`'s output template points CodeUri at code it has built: it runs in place, not bundled again.
  const prebuilt = isSamBuildOutput(stack.templatePath);
  const bundle: typeof buildFunctions = (templatePath, buildOptions) =>
    prebuilt ? Promise.resolve([]) : buildFunctions(templatePath, buildOptions);
  // Nothing is bundled before the first request: each function's bundle is built (or found in the cache) when it is
  // first invoked, so start-up does not grow with the template.
  const bundles = prebuilt
    ? undefined
    : new LazyBundles(
        stack.templatePath,
        { outDir: buildDir, template: stack.template, ...(debugged ? { forDebugger: [debugged] } : {}) },
        log,
      );
  const aws = await startAwsServices(stack, {
    host,
    rewrite,
    auth,
    ...(options.servicePorts ? { servicePorts: options.servicePorts } : {}),
    ...(options.lambdaPort === undefined ? {} : { lambdaPort: options.lambdaPort }),
    timeScale: options.timeScale,
    ...(options.schedules ? { schedules: options.schedules } : {}),
    log,
    ...(observability ? { traces: observability.traces } : {}),
    invokeLambda: (target, payload) => {
      if (!runtime) return Promise.reject(new Error('The functions are not ready'));
      return runtime.invoke(target, payload);
    },
    functions: () => runtime,
    ...(options.persistDir ? { persistDir: options.persistDir } : {}),
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    const lambdaOwn = options.lambdaPort !== undefined && (error as { port?: number }).port === options.lambdaPort;
    throw new RuntimeStartError(
      lambdaOwn
        ? `port ${options.lambdaPort} on ${host} is in use: stop what holds it or pass --port <free port> (0 picks one)`
        : `the local AWS endpoints need ports ${options.servicePorts}-${(options.servicePorts ?? 0) + SERVICE_PORT_COUNT - 1} on ${host}, and one is in use: pass --service-ports <first free port> (0 picks free ports)`,
    );
  });
  const close = async () => {
    await Promise.all(pollers.map((poller) => poller.stop()));
    await Promise.all([aws.close(), runtime?.close()]);
  };
  try {
    const lazyCount = Object.keys(bundles?.files ?? {}).length;
    if (lazyCount > 0) {
      log(
        `[build] ${lazyCount} esbuild functions, each bundled on its first invocation (a bundle unchanged in ${shownDir(buildDir)} is reused)`,
      );
    }
    const shared = {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ...aws.environment,
      ...options.observability?.environment,
    };
    const lambdaFor = (target: LocalStack, files: Record<string, string>, lazy?: LazyBundles) => {
      const configs = functionConfigs(target, files, {
        shared,
        rewrite,
        buildDir,
        localHosts: { ...aws.hosts, ...options.localHosts },
        envVars: options.envVars,
      });
      for (const config of configs) {
        if (lazy && !config.problem && config.bundle === lazy.files[config.logicalId]) {
          config.prepare = () => lazy.bundle(config.logicalId);
        }
      }
      if (options.debug) applyDebug(configs, debugged, options.debug.port, host);
      return new LambdaRuntime(configs, {
        maxConcurrency: options.maxConcurrency,
        ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
        ...(options.maxEnvironments === undefined ? {} : { maxEnvironments: options.maxEnvironments }),
        log,
        functionOutput: observability ? observability.functionOutput(options.functionOutput) : options.functionOutput,
      });
    };
    for (const note of stack.nestedStacks) log(`[nested] ${note}`);
    for (const problem of stack.templateProblems) {
      log(`[template] ${problem} (CloudFormation refuses this; --strict does too)`);
    }
    for (const note of envVarsReport(stack, options.envVars)) log(`[env-vars] ${note}`);
    const first = lambdaFor(stack, bundles?.files ?? {}, bundles);
    runtime = first;
    const problems = functionProblems(first);
    if (options.eventSources !== false) {
      const functionIdOf = (nameOrArn: string) => first.find(nameOrArn)?.config.logicalId;
      const eventSources = sqsEventSourcesOf(stack, aws.services.sqs.registry, functionIdOf, options.maxConcurrency);
      problems.push(...eventSources.problems);
      for (const mapping of eventSources.mappings) {
        const poller = new SqsPoller(
          mapping,
          (functionId, event) => {
            const invoke = () => (runtime ?? first).invoke(functionId, event);
            return observability ? observability.fromRecords(event, invoke) : invoke();
          },
          stack.region,
          (batch) =>
            log(
              `[sqs] ${batch.mapping.queue.name} → ${batch.mapping.functionId}: ${batch.size} records, ${batch.failed} failed (${batch.outcome}, ${batch.durationMs.toFixed(0)} ms)`,
            ),
        );
        poller.start();
        pollers.push(poller);
      }
      const streamSources = dynamoDbStreamSourcesOf(
        stack,
        (arn) => aws.services.dynamodb.streamByArn(arn),
        functionIdOf,
      );
      problems.push(...streamSources.problems);
      for (const mapping of streamSources.mappings) {
        const poller = new DynamoDbStreamPoller(
          mapping,
          (functionId, event) => (runtime ?? first).invoke(functionId, event),
          (batch) =>
            log(
              `[dynamodb-stream] ${batch.mapping.stream.table} → ${batch.mapping.functionId}: ${batch.size} records (${batch.outcome}, ${batch.next}, ${batch.durationMs.toFixed(0)} ms)`,
            ),
        );
        poller.start();
        pollers.push(poller);
      }
      const kinesis = aws.services.kinesis;
      const kinesisSources = kinesisEventSourcesOf(stack, kinesis.streamNames, functionIdOf);
      problems.push(...kinesisSources.problems);
      for (const mapping of kinesisSources.mappings) {
        const poller = new KinesisPoller(
          mapping,
          kinesis,
          (functionId, event) => (runtime ?? first).invoke(functionId, event),
          stack.region,
          (batch) =>
            log(
              `[kinesis] ${mapping.streamName}/${batch.shardId} → ${mapping.functionId}: ${batch.size} records, ${batch.failed} failed (${batch.outcome === 'skipped' ? `skipped after ${mapping.maximumRetryAttempts} retries` : batch.outcome}, ${batch.durationMs.toFixed(0)} ms)`,
            ),
        );
        kinesis.onRecreated(() => poller.streamsRecreated());
        pollers.push(poller);
        await poller.start();
      }
    }
    if (debugged && options.debug) {
      // The debugged function is built before the debugger is waited for: its build error stops start-up here.
      if (bundles?.files[debugged]) {
        await bundles.bundle(debugged).catch((error: Error) => {
          throw new RuntimeStartError(`--debug-function ${debugged}: ${error.message}`);
        });
      }
      await first.warmDebugged();
      if (!(await listening(host, options.debug.port))) {
        throw new RuntimeStartError(`--debug-port ${options.debug.port}: ${debugged}'s debugger did not open the port`);
      }
      log(
        `[debug] ${debugged} waits for a debugger on ${host}:${options.debug.port} before it runs (attach VS Code, Chrome DevTools or debugpy there)`,
      );
    }
    return {
      stack,
      aws,
      credentials,
      auth,
      buildDir,
      bundles,
      bundle,
      get lambda() {
        return runtime ?? first;
      },
      problems,
      checkInits: () => checkInits(first, log),
      replace: (next, bundles) => {
        const previous = runtime;
        const replacement = lambdaFor(next, bundles);
        runtime = replacement;
        // In-flight invocations finish on the old environments.
        if (previous) setTimeout(() => void previous.close(), 30_000).unref();
        return replacement;
      },
      reset: async () => {
        await aws.reset();
        runtime?.renew();
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
};
