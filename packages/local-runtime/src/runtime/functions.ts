import { dirname } from 'node:path';
import type { FunctionConfig } from '../lambda/function-pool.ts';
import { isObject, type TemplateObject } from '../template/load.ts';
import type { LocalStack } from '../template/stack.ts';

const variablesOf = (properties: TemplateObject): Record<string, string> => {
  const environment = isObject(properties.Environment) ? properties.Environment : {};
  const variables = isObject(environment.Variables) ? environment.Variables : {};
  return Object.fromEntries(Object.entries(variables).map(([key, value]) => [key, String(value)]));
};

/**
 * Each function's properties as SAM deploys them: Globals.Function merged under the function's own (maps such as
 * Environment.Variables merged key by key, as SAM does), every intrinsic resolved.
 */
export const functionProperties = (stack: LocalStack, logicalId: string): TemplateObject => {
  const globals =
    isObject(stack.template.Globals) && isObject(stack.template.Globals.Function)
      ? stack.template.Globals.Function
      : {};
  const resolvedGlobals = stack.resolve(globals);
  const own = stack.properties(logicalId);
  const base = isObject(resolvedGlobals) ? resolvedGlobals : {};
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
  bundle: string,
): Record<string, string> => ({
  AWS_REGION: stack.region,
  AWS_DEFAULT_REGION: stack.region,
  AWS_LAMBDA_FUNCTION_NAME: name,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(properties.MemorySize ?? 128),
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
  AWS_LAMBDA_LOG_STREAM_NAME: 'local',
  AWS_EXECUTION_ENV: `AWS_Lambda_${String(properties.Runtime ?? 'nodejs24.x')}`,
  LAMBDA_TASK_ROOT: dirname(bundle),
  _HANDLER: String(properties.Handler ?? 'index.handler'),
  TZ: ':UTC',
  PATH: process.env.PATH ?? '/usr/bin:/bin',
});

export interface FunctionEnvironmentOptions {
  /** Credentials, endpoints (AWS_ENDPOINT_URL_SSM...), shared by every function. */
  shared: Record<string, string>;
  /** Rewrites a resolved value for the local stack (a Cognito issuer URL → the local issuer). */
  rewrite: (value: string) => string;
}

export const functionConfigs = (
  stack: LocalStack,
  bundles: Record<string, string>,
  options: FunctionEnvironmentOptions,
): FunctionConfig[] =>
  stack.ofType('AWS::Serverless::Function').flatMap((resource) => {
    const bundle = bundles[resource.logicalId];
    if (!bundle) return [];
    const properties = functionProperties(stack, resource.logicalId);
    const name = stack.ref(resource.logicalId);
    const own = Object.fromEntries(
      Object.entries(variablesOf(properties)).map(([key, value]) => [key, options.rewrite(value)]),
    );
    return [
      {
        logicalId: resource.logicalId,
        name,
        arn: stack.getAtt(resource.logicalId, 'Arn'),
        handler: String(properties.Handler ?? 'index.handler'),
        bundle,
        // Lambda's defaults: 3 seconds, 128 MB.
        timeoutSeconds: Number(properties.Timeout ?? 3),
        memoryMB: Number(properties.MemorySize ?? 128),
        environment: { ...runtimeVariables(stack, name, properties, bundle), ...options.shared, ...own },
      },
    ];
  });
