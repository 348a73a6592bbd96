import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { logger } from '#shared/logger';
import { AuthError, TokenRejectedError } from './errors.ts';
import type { Principal } from './principal.ts';
import { verifyToken } from './verify-token.ts';

/**
 * The one flow of both authorizers: get the token, verify it, build the policy. A refused token throws exactly
 * `Error('Unauthorized')`, the message API Gateway turns into a 401; the reason is logged, the token never is.
 * Any other failure (SSM unreachable, bad configuration) propagates and API Gateway answers 500.
 */
export const authorize = async (
  getToken: () => string,
  policyFor: (principal: Principal) => APIGatewayAuthorizerResult,
): Promise<APIGatewayAuthorizerResult> => {
  try {
    const principal = await verifyToken(getToken());
    return policyFor(principal);
  } catch (error) {
    if (error instanceof AuthError) {
      logger.warn('Token refused', {
        reason: error instanceof TokenRejectedError ? error.reason : error.name,
        detail: error.message,
      });
      throw new Error('Unauthorized');
    }
    logger.error('Authorizer failure', error as Error);
    throw error;
  }
};
