/** The messages between the runtime and a function's worker thread. */
export interface WorkerData {
  bundle: string;
  exportName: string;
}

/** The plain-data part of the Lambda context object; the worker adds getRemainingTimeInMillis. */
export interface InvokeContextData {
  awsRequestId: string;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
  identity?: undefined;
  clientContext?: undefined;
}

export interface InvokeMessage {
  id: number;
  event: unknown;
  context: InvokeContextData;
  /** Epoch milliseconds when the function's configured timeout expires. */
  deadline: number;
}

export interface LambdaErrorPayload {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

export interface WorkerReply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: LambdaErrorPayload;
}
