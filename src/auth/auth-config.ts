import { DEFAULT_PROVIDERS } from '@aws-lambda-powertools/parameters/base';
import { getParameter, SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SSMClient } from '@aws-sdk/client-ssm';
import * as z from 'zod/mini';
import { config } from '#shared/config';
import { tracer } from '#shared/tracer';
import { AuthConfigError } from './errors.ts';

const AuthConfigSchema = z.object({
  issuer: z.string().check(z.minLength(1)),
  audience: z.string().check(z.minLength(1)),
  jwksUri: z.url(),
});

export type AuthConfig = z.infer<typeof AuthConfigSchema>;

// getParameter's provider, on a client the Tracer captures, so the SSM call shows in the trace (clearCaches still
// reaches it: it is the default provider).
DEFAULT_PROVIDERS.ssm ??= new SSMProvider({ awsSdkV3Client: tracer.captureAWSv3Client(new SSMClient({})) });

/**
 * The issuer, audience and JWKS URL, from the SSM parameter the template writes. Powertools caches the value for
 * AUTH_CONFIG_MAX_AGE_SECONDS, so a warm authorizer does not call SSM per request, yet picks up a rotation.
 */
export const loadAuthConfig = async (): Promise<AuthConfig> => {
  const name = config.authConfigParameter();
  let value: unknown;
  try {
    value = await getParameter(name, { transform: 'json', maxAge: config.authConfigMaxAgeSeconds() });
  } catch (error) {
    throw new AuthConfigError(`Cannot read auth configuration ${name}: ${(error as Error).message}`);
  }
  const parsed = AuthConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new AuthConfigError(`Auth configuration ${name} must be JSON {issuer, audience, jwksUri}`);
  }
  return parsed.data;
};
