/**
 * An error Secrets Manager answers with (Secrets Manager API reference, each action's "Errors" and "Common Errors"):
 * HTTP 400 with its name as `__type`.
 */
export class SecretsManagerError extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

export const invalidParameter = (message: string) => new SecretsManagerError('InvalidParameterException', message);

export const secretNotFound = () =>
  new SecretsManagerError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");

export const markedForDeletion = () =>
  new SecretsManagerError(
    'InvalidRequestException',
    "You can't perform this operation on the secret because it was marked for deletion.",
  );
