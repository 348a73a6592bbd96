import type { InvokeOutcome } from '../../lambda/function-pool.ts';
import { taskError } from './errors.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type TaskHandler = (input: Json) => Promise<Json>;

export type InvokeLambda = (target: string, payload: unknown) => Promise<InvokeOutcome>;
export type SendMessage = (input: {
  QueueUrl: string;
  MessageBody: string;
  DelaySeconds?: number;
  MessageAttributes?: Record<string, unknown>;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
}) => Promise<{ MessageId: string; MD5OfMessageBody: string; SequenceNumber?: string }>;

export interface TaskServices {
  invokeLambda: InvokeLambda;
  sendMessage: SendMessage;
}

const metadata = (requestId: string) => ({
  SdkHttpMetadata: { HttpStatusCode: 200 },
  SdkResponseMetadata: { RequestId: requestId },
});

/**
 * The function's answer as a task result, or its failure as the task's error: the function's errorType is the Error
 * and the Lambda error payload is the Cause (Step Functions developer guide, "Handling errors in Step Functions
 * workflows": Lambda task errors). A timed-out function fails with `Sandbox.Timedout`.
 */
const invoke = async (
  services: TaskServices,
  target: string,
  payload: unknown,
): Promise<{ result: Json; requestId: string }> => {
  let outcome: InvokeOutcome;
  try {
    outcome = await services.invokeLambda(target, payload ?? {});
  } catch (error) {
    throw taskError('Lambda.ResourceNotFoundException', error instanceof Error ? error.message : String(error));
  }
  if (outcome.status === 'ok') return { result: (outcome.result ?? null) as Json, requestId: outcome.requestId };
  if (outcome.status === 'timeout') {
    throw taskError(
      'Sandbox.Timedout',
      JSON.stringify({
        errorType: 'Sandbox.Timedout',
        errorMessage: `RequestId: ${outcome.requestId} Error: Task timed out`,
      }),
    );
  }
  throw taskError(outcome.error.errorType, JSON.stringify(outcome.error));
};

const asObject = (input: Json): Record<string, Json> =>
  input !== null && typeof input === 'object' && !Array.isArray(input) ? input : {};

/** The handler for one Task state's Resource, or undefined when the local runtime cannot run it. */
const handlerFor = (resource: string, services: TaskServices): TaskHandler | undefined => {
  const optimised = /^arn:[^:]+:states:::([a-z0-9-]+):([A-Za-z]+)(\.sync|\.waitForTaskToken)?$/.exec(resource);
  if (optimised) {
    const [, service, action, pattern] = optimised;
    if (pattern) return undefined;
    if (service === 'lambda' && action === 'invoke') {
      return async (input) => {
        const parameters = asObject(input);
        const { result, requestId } = await invoke(services, String(parameters.FunctionName ?? ''), parameters.Payload);
        return { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200, ...metadata(requestId) };
      };
    }
    if (service === 'sqs' && action === 'sendMessage') {
      return async (input) => {
        const parameters = asObject(input);
        const body = parameters.MessageBody;
        try {
          const sent = await services.sendMessage({
            ...(parameters as Record<string, never>),
            QueueUrl: String(parameters.QueueUrl ?? ''),
            // A JSON MessageBody is sent as its JSON text (developer guide, "Send messages to an Amazon SQS queue").
            MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
          });
          return { ...sent, ...metadata(sent.MessageId) } as Json;
        } catch (error) {
          // Service integration errors are named `<Service>.<Exception>` (developer guide, "Handling errors": "Errors
          // in service integrations"); SQS's are `SQS.<Code>Exception`.
          const code = error instanceof Error ? error.name.replace(/Exception$/, '') : 'InternalError';
          throw taskError(`SQS.${code}Exception`, error instanceof Error ? error.message : String(error));
        }
      };
    }
    return undefined;
  }
  if (/^arn:[^:]+:lambda:[^:]+:\d{12}:function:/.test(resource)) {
    return async (input) => (await invoke(services, resource, input)).result;
  }
  return undefined;
};

interface StateDefinition {
  Type?: string;
  Resource?: string;
  Branches?: { States?: Record<string, StateDefinition> }[];
  Iterator?: { States?: Record<string, StateDefinition> };
  ItemProcessor?: { States?: Record<string, StateDefinition> };
}

/**
 * A local handler for every Task state, nested ones (Parallel branches, Map iterators) included: aws-local-stepfunctions
 * looks handlers up by state name. A Task the runtime cannot run fails with `States.Runtime`, naming its Resource.
 */
export const taskHandlers = (
  states: Record<string, StateDefinition>,
  services: TaskServices,
  unsupported: string[] = [],
): Record<string, TaskHandler> => {
  const handlers: Record<string, TaskHandler> = {};
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task' && state.Resource) {
      const resource = state.Resource;
      const handler = handlerFor(resource, services);
      if (!handler) unsupported.push(`${name}: ${resource}`);
      handlers[name] =
        handler ??
        (() =>
          Promise.reject(taskError('States.Runtime', `The local runtime cannot run the task resource ${resource}`)));
    }
    for (const nested of [...(state.Branches ?? []), state.Iterator, state.ItemProcessor]) {
      if (nested?.States) Object.assign(handlers, taskHandlers(nested.States, services, unsupported));
    }
  }
  return handlers;
};
