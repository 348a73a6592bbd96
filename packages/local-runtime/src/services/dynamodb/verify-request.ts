import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestVerifier } from '../shared/request-auth.ts';
import { answerDynamoDbJson } from './ttl-api.ts';

/**
 * DynamoDB's answer to a refused signature, before dynalite sees the request (which checks only that one is there):
 * 400 with `com.amazon.coral.service#<Exception>`, as dynalite's sources record DynamoDB's answers. Runs in the
 * worker thread that serves the DynamoDB port (dynalite-worker.ts), with the same verifier as every other endpoint.
 */
export const verifyServiceRequest = async (
  verify: RequestVerifier,
  request: IncomingMessage,
  body: Buffer,
  response: ServerResponse,
): Promise<boolean> => {
  // A GET is DynamoDB's health check and an OPTIONS a browser's CORS preflight: both answered unsigned.
  if (request.method !== 'POST') return true;
  const signature = await verify(request, body);
  if (signature.ok) return true;
  answerDynamoDbJson(request, response, 400, {
    __type: `com.amazon.coral.service#${signature.errorType}`,
    message: signature.message,
  });
  return false;
};
