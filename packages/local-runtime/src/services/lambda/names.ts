import { invalidParameter, validationError } from './errors.ts';

/**
 * Invoke's `FunctionName` in each form the API takes (Lambda API reference, "Invoke": FunctionName): a name
 * (`my-function`), a partial ARN (`123456789012:function:my-function`) or a full ARN
 * (`arn:aws:lambda:us-west-2:123456789012:function:my-function`), each with an optional `:qualifier` (a version or an
 * alias) that must agree with the `Qualifier` parameter when both are given. Locally the template's logical id names
 * a function too, as with `sam local start-lambda`.
 */
export interface FunctionReference {
  name: string;
  qualifier?: string;
  /** The region and account a full or partial ARN named (checked against the stack's). */
  region?: string;
  accountId?: string;
}

// The API model's pattern for FunctionName, split into its parts.
const FUNCTION_NAME =
  /^(?:arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov)?-[a-z]+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9_.-]+)(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/;
const QUALIFIER = /^(\$LATEST|[a-zA-Z0-9_-]+)$/;

export const parseFunctionName = (raw: string, qualifierParameter: string | undefined): FunctionReference => {
  const match = FUNCTION_NAME.exec(raw);
  if (!match?.[3] || raw.length > 170) {
    throw validationError(
      raw,
      'functionName',
      'Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?',
    );
  }
  const [, region, accountId, name, derived] = match;
  if (qualifierParameter !== undefined && !QUALIFIER.test(qualifierParameter)) {
    throw validationError(
      qualifierParameter,
      'qualifier',
      'Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)',
    );
  }
  if (derived !== undefined && qualifierParameter !== undefined && derived !== qualifierParameter) {
    throw invalidParameter('The derived qualifier from the function name does not match the specified qualifier.');
  }
  const qualifier = derived ?? qualifierParameter;
  return {
    name,
    ...(qualifier === undefined ? {} : { qualifier }),
    ...(region === undefined ? {} : { region }),
    ...(accountId === undefined ? {} : { accountId }),
  };
};
