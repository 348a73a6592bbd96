import type { Operation } from '../model.ts';
import { type IntegrationResult, jsonResult } from './types.ts';

/** `arn:aws:apigateway:region:sqs:path/...` → `sqs:path/...`. */
export const serviceActionOf = (uri: string): string => /^arn:[^:]+:apigateway:[^:]*:(.+)$/.exec(uri)?.[1] ?? uri;

/**
 * AWS service integrations (SQS SendMessage, Step Functions StartExecution, ...) need the local services of part 2
 * of the runtime; until they exist the route answers 501 and says so, rather than pretending to succeed.
 */
export const awsServiceNotEmulated = (operation: Operation): IntegrationResult =>
  jsonResult(501, {
    message: `The AWS service integration ${serviceActionOf(operation.integration.uri)} of ${operation.method} ${operation.resourcePath} is not emulated by the local runtime yet (it comes with the local AWS services).`,
  });
