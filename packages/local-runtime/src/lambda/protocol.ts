/** The messages between the runtime and a function's worker thread. */

/** What a thread needs before it knows its function: the same for every environment of a runtime. */
export interface ThreadData {
  /** Where `@aws-sdk/*` and `@smithy/*` resolve when the function's own code lacks them (the runtime's install). */
  sdkFallback: string;
  /** `host` or `host:port` of the template's own APIs → the local origin serving them (see local-hosts.ts). */
  localHosts: Record<string, string>;
}

/** What makes a thread one function's execution environment. */
export interface FunctionData {
  /** The file the environment imports: an esbuild bundle, or the function's own handler file. */
  bundle: string;
  /** The template's Handler (`src/app.lambdaHandler`), for the errors Lambda words with it. */
  handler: string;
  /** The export to call, dots naming nested properties (`handler`, `handlers.get`). */
  exportName: string;
  /** The function's Runtime (`nodejs20.x`...): which handler contract applies. */
  runtime: string;
  /** Open the inspector on this port before the init and wait for a debugger (see FunctionConfig.debug). */
  debug?: DebugSettings;
  /** The context fields that are the same for every invocation of the environment (sent once, not per message). */
  context: EnvironmentContextData;
}

/**
 * A worker thread's data. With `function`, the thread is that function's environment from its start; without, it is
 * a spare (see spare-threads.ts): it loads what every environment loads, then waits for an AssignMessage.
 */
export interface WorkerData extends ThreadData {
  function?: FunctionData;
}

/** Makes a spare thread a function's environment: its data and its `process.env`, then its init runs. */
export interface AssignMessage {
  assign: FunctionData;
  env: Record<string, string>;
}

/** `--debug-port`: the function's environment listens for a debugger here and waits for one before its init. */
export interface DebugSettings {
  port: number;
  host: string;
}

/**
 * The context fields of an environment's every invocation; the worker adds awsRequestId, logStreamName (its thread)
 * and getRemainingTimeInMillis.
 */
export interface EnvironmentContextData {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
}

/**
 * One invocation. As few fields as it takes: the message is cloned across threads per request, so what is the same
 * for every invocation of an environment travels once, in WorkerData.context.
 */
export interface InvokeMessage {
  id: number;
  /** The Lambda request id (the context's awsRequestId). */
  requestId: string;
  /**
   * The event as JSON text: Lambda hands functions a JSON-parsed copy of the event (undefined dropped, dates as
   * strings), and a string crosses to the worker thread far cheaper than the structured clone of an object.
   */
  eventJson: string;
  /** Epoch milliseconds when the function's configured timeout expires. */
  deadline: number;
  /** Write END_OF_INVOCATION to stdout once the invocation is over (its logs were asked for). */
  flush?: boolean;
  /** The invocation's X-Ray trace header, which Lambda's Node.js runtime puts in `process.env._X_AMZN_TRACE_ID`. */
  traceHeader?: string;
}

export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  trace: string[];
  /** The invocation's request id, which Lambda's Python runtime puts in its error document. */
  requestId?: string;
}

export interface WorkerReply {
  id: number;
  ok: boolean;
  /** The result as JSON text (Lambda serialises it so: undefined becomes null, functions and symbols vanish). */
  resultJson?: string;
  error?: LambdaErrorPayload;
}

/** An event already serialised by its caller (the REST gateway measures the JSON against Lambda's payload limit). */
export class SerializedEvent {
  readonly json: string;
  constructor(json: string) {
    this.json = json;
  }
}

/** The event as the JSON text an environment receives (undefined, as Lambda sends it, is `null`). */
export const eventJsonOf = (event: unknown): string =>
  event instanceof SerializedEvent ? event.json : (JSON.stringify(event) ?? 'null');

/** Sent once, when the environment has imported the function (its init phase), or failed to. */
export interface WorkerInit {
  init: true;
  error?: LambdaErrorPayload;
}
