import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import * as z from 'zod/mini';
import { config } from '#shared/config';
import { AuthConfigError } from './errors.ts';

const AuthConfigSchema = z.object({
  issuer: z.string().check(z.minLength(1)),
  audience: z.string().check(z.minLength(1)),
  jwksUri: z.url(),
});

export type AuthConfig = z.infer<typeof AuthConfigSchema>;

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
