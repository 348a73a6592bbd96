import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorResponse, json } from '#shared/http';
import { instrumented } from '#shared/instrument';

type Claims = Record<string, string | undefined>;

/**
 * GET /v1/me behind the Cognito user pool authorizer: API Gateway has verified the token and put its claims in the
 * request context; no verification code here. What the caller may do with that identity is this back end's call.
 */
export const handler = instrumented(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  try {
    const claims = event.requestContext.authorizer?.claims as Claims | undefined;
    if (!claims?.sub) return json(401, { message: 'Unauthorized' });
    const groups = claims['cognito:groups'];
    return json(200, {
      sub: claims.sub,
      username: claims['cognito:username'] ?? claims.username ?? null,
      email: claims.email ?? null,
      groups: groups
        ? groups
            .replace(/^\[|\]$/g, '')
            .split(/[\s,]+/)
            .filter(Boolean)
        : [],
      claims,
    });
  } catch (error) {
    return errorResponse(error);
  }
});
