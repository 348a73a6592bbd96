import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { authorize } from '#auth/authorize';
import { MissingTokenError } from '#auth/errors';
import { connectPolicy } from '#auth/policy';
import { instrumented } from '#shared/instrument';

/**
 * WebSocket $connect REQUEST authorizer. Browsers cannot set headers on a WebSocket handshake, so the token comes
 * in the `token` query string parameter (the template's identity source), with the same rules as REST.
 */
export const handler = instrumented(
  async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> =>
    authorize(
      () => {
        const token = event.queryStringParameters?.token;
        if (!token) throw new MissingTokenError();
        return token;
      },
      (principal) => connectPolicy(event.methodArn, principal),
    ),
);
