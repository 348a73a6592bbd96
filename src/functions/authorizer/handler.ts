import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { authorize } from '#auth/authorize';
import { bearerToken } from '#auth/bearer';
import { restPolicy } from '#auth/policy';
import { instrumented } from '#shared/instrument';

/** REST TOKEN authorizer: `Authorization: Bearer <jwt>` → a policy for every method the token's scopes allow. */
export const handler = instrumented(
  async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> =>
    authorize(
      () => bearerToken(event.authorizationToken),
      (principal) => restPolicy(event.methodArn, principal),
    ),
);
