/**
 * Evaluates the IAM policy a Lambda authorizer returns against the method ARN of the request, as IAM does: an
 * explicit Deny wins, otherwise an Allow is needed; `*` and `?` are wildcards in actions and resources
 * (API Gateway developer guide, "Output from an API Gateway Lambda authorizer").
 */
import { type Glob, glob } from '../../shared/glob.ts';

export type PolicyDecision = 'allow' | 'deny' | 'not-allowed';

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
}

export class MalformedPolicyError extends Error {
  override readonly name = 'MalformedPolicyError';
}

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)];

// A cached policy is evaluated on every request; its patterns are compiled once. A wildcard matches any character,
// line breaks included (a `%0d%0a` in a path parameter is still in the method ARN the `*` covers — IAM's wildcards
// have no notion of lines), in time linear in the method ARN per pattern character (see glob).
const compiled = new Map<string, Glob>();
const wildcard = (pattern: string, caseInsensitive = false): Glob => {
  const key = `${caseInsensitive ? 'i' : 's'}${pattern}`;
  let matcher = compiled.get(key);
  if (!matcher) {
    matcher = glob(pattern, { questionMark: true, caseInsensitive });
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(key, matcher);
  }
  return matcher;
};

const matchesAny = (patterns: string[], value: string, caseInsensitive = false) =>
  patterns.some((pattern) => wildcard(pattern, caseInsensitive).test(value));

export const evaluatePolicy = (policy: unknown, methodArn: string): PolicyDecision => {
  if (typeof policy !== 'object' || policy === null) throw new MalformedPolicyError('policyDocument is missing');
  const raw = (policy as { Statement?: unknown }).Statement;
  const statements = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as Statement[];
  if (statements.length === 0) throw new MalformedPolicyError('policyDocument has no Statement');
  let allowed = false;
  for (const statement of statements) {
    const effect = String(statement.Effect ?? '');
    if (effect !== 'Allow' && effect !== 'Deny')
      throw new MalformedPolicyError(`Effect "${effect}" is not Allow or Deny`);
    // Action names are case-insensitive in IAM.
    const actionMatches =
      statement.Action !== undefined
        ? matchesAny(list(statement.Action), 'execute-api:Invoke', true)
        : !matchesAny(list(statement.NotAction), 'execute-api:Invoke', true);
    const resourceMatches =
      statement.Resource !== undefined
        ? matchesAny(list(statement.Resource), methodArn)
        : !matchesAny(list(statement.NotResource), methodArn);
    if (!actionMatches || !resourceMatches) continue;
    if (effect === 'Deny') return 'deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'not-allowed';
};
