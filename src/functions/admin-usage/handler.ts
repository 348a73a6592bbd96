import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod/mini';
import { ConfigError, config } from '#shared/config';
import { errorResponse, json } from '#shared/http';
import { instrumented } from '#shared/instrument';

const UsagePlans = z.array(
  z.object({
    name: z.string(),
    rateLimit: z.number(),
    burstLimit: z.number(),
    quota: z.object({ limit: z.number(), period: z.enum(['DAY', 'WEEK', 'MONTH']) }),
  }),
);

const usagePlans = (): z.infer<typeof UsagePlans> => {
  let value: unknown;
  try {
    value = JSON.parse(config.usagePlans());
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError('USAGE_PLANS', 'is not JSON');
  }
  const parsed = UsagePlans.safeParse(value);
  if (!parsed.success) throw new ConfigError('USAGE_PLANS', 'is not a list of usage plans');
  return parsed.data;
};

/**
 * GET /v1/admin/usage, IAM-authorised (SigV4): the stage's usage-plan tiers and their limits, and who asked.
 * API Gateway has already checked the caller's IAM permission to invoke this route.
 */
export const handler = instrumented(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  try {
    const identity = event.requestContext.identity;
    return json(200, {
      stage: config.stage(),
      caller: { userArn: identity.userArn, accountId: identity.accountId, user: identity.user },
      plans: usagePlans(),
    });
  } catch (error) {
    return errorResponse(error);
  }
});
