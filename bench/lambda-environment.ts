import { randomBytes } from 'node:crypto';

/**
 * What the ceilings of `npm run bench:gateway` and `bench:ws` give the handlers they call, so that these do the
 * work they do in the runtime (and on Lambda): the variables Lambda defines and the template sets
 * (runtime/functions.ts), which turn the Powertools Tracer on (it traces where AWS_EXECUTION_ENV says Lambda), and a
 * fresh unsampled `_X_AMZN_TRACE_ID` per invocation, as the runtime (traces/lambda-trace.ts) and Lambda give a
 * PassThrough function an untraced caller's request. Without them the ceilings would time cheaper handlers than the
 * runtime runs.
 */
export const lambdaEnvironment: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'local-stack-CatalogFunction',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  _HANDLER: 'handler.handler',
  // The X-Ray SDK's Lambda mode (a facade segment from _X_AMZN_TRACE_ID) turns on with it.
  LAMBDA_TASK_ROOT: process.cwd(),
  TZ: ':UTC',
  POWERTOOLS_SERVICE_NAME: 'orders-api',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  STAGE: 'bench',
};

/** `Root=1-{time}-{24 hex};Parent={16 hex};Sampled=0` */
export const unsampledTraceHeader = (): string => {
  const random = randomBytes(20).toString('hex');
  const time = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${time}-${random.slice(0, 24)};Parent=${random.slice(24)};Sampled=0`;
};
