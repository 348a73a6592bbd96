/**
 * The one typed reader of the environment the template gives each function. Values are read when first asked
 * for (not at import), so a function only needs the variables it uses, and a missing one names itself.
 */
export class ConfigError extends Error {
  constructor(name: string, problem: string) {
    super(`Environment variable ${name} ${problem}`);
    this.name = 'ConfigError';
  }
}

const required = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new ConfigError(name, 'is not set');
  return value;
};

const positiveInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(name, `must be a positive integer, got "${raw}"`);
  return value;
};

export const config = {
  stage: (): string => process.env.STAGE ?? 'dev',
  stateMachineArn: (): string => required('STATE_MACHINE_ARN'),
  eventsQueueUrl: (): string => required('EVENTS_QUEUE_URL'),
  connectionsTable: (): string => required('CONNECTIONS_TABLE'),
  connectionTtlSeconds: (): number => positiveInt('CONNECTION_TTL_SECONDS', 7200),
  /** https://{api-id}.execute-api.{region}.amazonaws.com/{stage}: where the @connections API lives. */
  websocketCallbackUrl: (): string => required('WS_CALLBACK_URL'),
  authConfigParameter: (): string => required('AUTH_CONFIG_PARAMETER'),
  /** Seconds the authorizers keep the SSM auth configuration before reading it again. */
  authConfigMaxAgeSeconds: (): number => positiveInt('AUTH_CONFIG_MAX_AGE_SECONDS', 300),
  usagePlans: (): string => required('USAGE_PLANS'),
};
