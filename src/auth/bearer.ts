import { MalformedAuthorizationError, MissingTokenError } from './errors.ts';

/** The JWT of an `Authorization: Bearer <jwt>` value (scheme case-insensitive, as RFC 6750 allows). */
export const bearerToken = (authorization: string | undefined): string => {
  if (authorization === undefined || authorization.trim() === '') throw new MissingTokenError();
  const match = /^Bearer +([^\s]+)\s*$/i.exec(authorization);
  if (!match?.[1]) throw new MalformedAuthorizationError();
  return match[1];
};
