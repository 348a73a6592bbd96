import type { LocalCredentials } from '../gateway/auth/sigv4.ts';
import { stableId } from '../template/physical-ids.ts';
import type { LocalStack } from '../template/stack.ts';

/**
 * The one IAM identity of the local stack: the functions' SDK clients sign with it, and AWS_IAM routes accept
 * requests signed with it. Stable per stack, so a developer's signing setup survives restarts.
 */
export const localCredentials = (stack: LocalStack): LocalCredentials => ({
  accessKeyId: `AKIA${stableId(`${stack.pseudo.stackName}/access-key`, 16).toUpperCase()}`,
  secretAccessKey: stableId(
    `${stack.pseudo.stackName}/secret-key`,
    40,
    'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+',
  ),
  accountId: stack.accountId,
  userName: 'local-developer',
});
