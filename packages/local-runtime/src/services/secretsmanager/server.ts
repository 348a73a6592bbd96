import { awsJsonHandler } from '../shared/aws-json.ts';
import { type LocalService, listenService, seededStore } from '../shared/local-service.ts';
import { requestVerifier, type ServiceAuth } from '../shared/request-auth.ts';
import { SecretsManagerError } from './errors.ts';
import { operations } from './operations.ts';
import { type SecretSeed, SecretStore } from './store.ts';

export interface SecretsManagerService extends LocalService {
  store: SecretStore;
  /** Back to the template's secrets, with the values they had at start (so dynamic references still agree). */
  reset(): void;
}

/**
 * A local Secrets Manager endpoint, speaking the AWS JSON 1.1 protocol the SDK uses (`X-Amz-Target:
 * secretsmanager.<Operation>`), seeded with the template's secrets. Errors are AWS's: HTTP 400 with
 * `{"__type": ..., "message": ...}` (Secrets Manager API reference, "Common Errors").
 */
export const startSecretsManagerService = async (options: {
  secrets: SecretSeed[];
  region: string;
  accountId: string;
  auth: ServiceAuth;
  port?: number;
  host?: string;
}): Promise<SecretsManagerService> => {
  const { store, reset } = seededStore(new SecretStore(options.region, options.accountId), (empty) => {
    for (const secret of options.secrets) empty.seed(secret);
  });
  const service = await listenService(
    'secretsmanager',
    awsJsonHandler({
      targetPrefix: 'secretsmanager',
      contentType: 'application/x-amz-json-1.1',
      operations: Object.fromEntries(
        Object.entries(operations).map(([name, run]) => [name, (input: Record<string, unknown>) => run(store, input)]),
      ),
      errorOf: (error) =>
        error instanceof SecretsManagerError ? { status: 400, type: error.type, message: error.message } : undefined,
      // Secrets Manager models its own 500 (API reference, "GetSecretValue", Errors: InternalServiceError).
      internalErrorType: 'InternalServiceError',
      verify: requestVerifier(options.auth, 'secretsmanager'),
    }),
    options,
  );
  return { ...service, store, reset };
};
