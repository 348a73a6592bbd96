import { randomUUID } from 'node:crypto';
import { TaskFailure } from './errors.ts';
import { sdkMetadata, serviceCause } from './sdk-metadata.ts';
import type { InvokeLambda, Json } from './task-services.ts';

// Lambda API errors and their HTTP statuses (Lambda API reference, "Invoke": Errors); others are reported as 500s.
const STATUS_OF: Record<string, number> = {
  ResourceNotFoundException: 404,
  InvalidParameterValueException: 400,
  InvalidRequestContentException: 400,
  RequestTooLargeException: 413,
  TooManyRequestsException: 429,
};

/**
 * Runs one function and answers its result, or fails the task as Step Functions does (developer guide, "Handling
 * errors in Step Functions workflows"; Lambda developer guide, "Lambda function errors"):
 * - a function error: Error is the function's `errorType`, Cause the function's error payload as it sent it;
 * - a function that ran out of time: Error `Sandbox.Timedout`, what Lambda reports as the `errorType` of a timeout;
 * - a Lambda API error (no such function, throttling): `Lambda.<Exception>`, e.g. `Lambda.ResourceNotFoundException`.
 *   An error thrown without an exception name is reported as a missing function: that is how the local runtime
 *   answers for a target it does not know.
 */
export const runFunction = async (
  invokeLambda: InvokeLambda,
  target: string,
  payload: unknown,
): Promise<{ result: Json; requestId: string }> => {
  let outcome: Awaited<ReturnType<InvokeLambda>>;
  try {
    outcome = await invokeLambda(target, payload);
  } catch (error) {
    const name = error instanceof Error && /Exception$/.test(error.name) ? error.name : 'ResourceNotFoundException';
    const message = error instanceof Error ? error.message : String(error);
    throw new TaskFailure(`Lambda.${name}`, serviceCause('AWSLambda', STATUS_OF[name] ?? 500, name, message));
  }
  if (outcome.status === 'ok') return { result: (outcome.result ?? null) as Json, requestId: outcome.requestId };
  if (outcome.status === 'timeout') {
    const seconds = (outcome.durationMs / 1000).toFixed(2);
    throw new TaskFailure(
      'Sandbox.Timedout',
      JSON.stringify({
        errorType: 'Sandbox.Timedout',
        errorMessage: `RequestId: ${outcome.requestId} Error: Task timed out after ${seconds} seconds`,
      }),
    );
  }
  // The runtime's own payload, in its own field order (errorType, errorMessage, trace for Node.js).
  throw new TaskFailure(outcome.error.errorType, JSON.stringify(outcome.error));
};

const asObject = (input: Json): Record<string, Json> =>
  input !== null && typeof input === 'object' && !Array.isArray(input) ? input : {};

/**
 * `arn:aws:states:::lambda:invoke`: Parameters are the Lambda Invoke request (FunctionName, Payload, Qualifier,
 * InvocationType); the result is Invoke's response with the function's answer as `Payload` (developer guide, "Invoke
 * an AWS Lambda function with Step Functions").
 */
export const lambdaInvokeTask =
  (invokeLambda: InvokeLambda) =>
  async (input: Json): Promise<Json> => {
    const parameters = asObject(input);
    const name = String(parameters.FunctionName ?? '');
    const target = typeof parameters.Qualifier === 'string' ? `${name}:${parameters.Qualifier}` : name;
    const payload = parameters.Payload ?? {};
    const metadata = (requestId: string) => sdkMetadata(requestId, { 'X-Amz-Executed-Version': '$LATEST' });
    if (parameters.InvocationType === 'Event') {
      // An asynchronous invocation is accepted (202) and not awaited; its result is lost, as Lambda's would be.
      void invokeLambda(target, payload).catch(() => {});
      return { Payload: '', StatusCode: 202, ...metadata(randomUUID()) };
    }
    if (parameters.InvocationType === 'DryRun') return { Payload: '', StatusCode: 204, ...metadata(randomUUID()) };
    const { result, requestId } = await runFunction(invokeLambda, target, payload);
    return { ExecutedVersion: '$LATEST', Payload: result, StatusCode: 200, ...metadata(requestId) };
  };

/** A Task whose Resource is a function ARN: the state's input is the payload and the function's answer the result. */
export const lambdaArnTask =
  (invokeLambda: InvokeLambda, functionArn: string) =>
  async (input: Json): Promise<Json> =>
    (await runFunction(invokeLambda, functionArn, input)).result;
