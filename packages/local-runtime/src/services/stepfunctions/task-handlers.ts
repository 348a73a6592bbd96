import { apiGatewayInvokeTask } from './apigateway-task.ts';
import { type AslStates, allStates } from './definition.ts';
import { dynamoDbTask, dynamoDbTaskOf } from './dynamodb-task.ts';
import { TaskFailure } from './errors.ts';
import { lambdaArnTask, lambdaInvokeTask } from './lambda-task.ts';
import { sqsSendMessageTask } from './sqs-task.ts';
import type { Json, TaskServices } from './task-services.ts';

export type TaskHandler = (input: Json) => Promise<Json>;

/** How one task attempt ended, as the execution history records it. */
export type TaskEnd = { output: Json } | { error: string; cause: string };

/** Told of every task attempt: its state, Resource and evaluated Parameters; the answer is called when it ends. */
export type TaskObserver = (state: string, resource: string, parameters: Json) => (end: TaskEnd) => void;

// Step Functions' quota on a task's result: 256 KiB of UTF-8 (developer guide, "Step Functions service quotas").
const MAX_RESULT_BYTES = 262_144;

/** The handler for a Task's Resource, or undefined when the local runtime cannot run it. */
const handlerFor = (resource: string, services: TaskServices): TaskHandler | undefined => {
  if (resource.endsWith(':::lambda:invoke') && resource.startsWith('arn:'))
    return lambdaInvokeTask(services.invokeLambda);
  if (resource.endsWith(':::sqs:sendMessage') && resource.startsWith('arn:')) {
    return sqsSendMessageTask(services.sendMessage);
  }
  if (/^arn:[^:]+:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/.test(resource)) {
    return lambdaArnTask(services.invokeLambda, resource);
  }
  if (resource.endsWith(':::apigateway:invoke') && resource.startsWith('arn:') && services.callApi) {
    return apiGatewayInvokeTask(services.callApi);
  }
  const dynamodb = dynamoDbTaskOf(resource);
  if (dynamodb && services.callDynamoDb) return dynamoDbTask(services.callDynamoDb, dynamodb);
  // `.sync` and `.waitForTaskToken` patterns, other services and activities have no local counterpart.
  return undefined;
};

/** The Task states of a definition (nested ones included) whose Resource the local runtime cannot run. */
export const unsupportedTasks = (definition: AslStates, services: TaskServices): string[] =>
  [...allStates(definition)]
    .filter(([, state]) => state.Type === 'Task' && !handlerFor(state.Resource ?? '', services))
    .map(([name, state]) => `${name} (${state.Resource})`);

/**
 * A handler for every Task state, nested ones (Parallel branches, Map processors) included, since
 * aws-local-stepfunctions looks local handlers up by state name. A Resource the runtime cannot run fails the task
 * with `States.Runtime`, which no Retry or Catch handles, as in Step Functions; a result over the payload quota fails
 * it with `States.DataLimitExceeded`, also beyond `States.ALL`.
 */
export const taskHandlers = (
  definition: AslStates,
  services: TaskServices,
  observe: TaskObserver,
  /** Where a task attempt runs (its state's span of a trace); at once by default. */
  within: (state: string, run: () => Promise<Json>) => Promise<Json> = (_state, run) => run(),
): Record<string, TaskHandler> => {
  const handlers: Record<string, TaskHandler> = {};
  for (const [name, state] of allStates(definition)) {
    if (state.Type !== 'Task') continue;
    const resource = state.Resource ?? '';
    const run =
      handlerFor(resource, services) ??
      (() =>
        Promise.reject(
          new TaskFailure('States.Runtime', `The local runtime cannot run the Task resource '${resource}'`, true),
        ));
    handlers[name] = async (input) => {
      const ended = observe(name, resource, input);
      try {
        const output = await within(name, () => run(input));
        if (Buffer.byteLength(JSON.stringify(output) ?? '') > MAX_RESULT_BYTES) {
          throw new TaskFailure(
            'States.DataLimitExceeded',
            `The state/task '${resource}' returned a result with a size exceeding the maximum number of bytes service limit.`,
            true,
          );
        }
        ended({ output });
        return output;
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        ended({ error: failure.name, cause: failure.message });
        throw failure;
      }
    };
  }
  return handlers;
};
