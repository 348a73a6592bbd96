import type { ServiceAuth } from '../../src/services/shared/request-auth.ts';

/** The key the tests' SDK clients sign with, which the endpoints accept (as the runtime's local credentials). */
export const testKey = { accessKeyId: 'AKIALOCALSERVICETEST', secretAccessKey: 'local-service-test-secret' };

/** What the endpoints under test accept: signatures by `testKey` for `region`. */
export const authFor = (region: string): ServiceAuth => ({
  credentials: [{ ...testKey, accountId: '123456789012', userName: 'tester' }],
  region,
  acceptAnySignature: false,
});
