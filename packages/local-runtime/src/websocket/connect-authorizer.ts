import { stringifyContext } from '../gateway/auth/lambda-authorizer.ts';
import { evaluatePolicy, MalformedPolicyError } from '../gateway/auth/policy.ts';
import type { InvokeOutcome } from '../lambda/function-pool.ts';
import { ownValue } from '../shared/client-keyed.ts';
import type { Connection } from './connections.ts';
import { type handshakeParts, type WsEventContext, wsMethodArn, wsRequestContext } from './events.ts';
import type { WsAuthorizer } from './model.ts';

export type ConnectDecision =
  | { allowed: true; authorizer: Record<string, string> }
  | { allowed: false; status: 401 | 403 | 500 };

type Invoke = (target: string, event: unknown) => Promise<InvokeOutcome>;

type HandshakeParts = ReturnType<typeof handshakeParts>;

const identityValue = (source: string, parts: HandshakeParts): string | undefined => {
  const query = /^route\.request\.querystring\.(.+)$/.exec(source);
  if (query?.[1]) return ownValue(parts.queryStringParameters, query[1]);
  const header = /^route\.request\.header\.(.+)$/.exec(source);
  if (header?.[1]) {
    const wanted = header[1].toLowerCase();
    return Object.entries(parts.headers).find(([name]) => name.toLowerCase() === wanted)?.[1];
  }
  return undefined;
};

/**
 * The $connect REQUEST authorizer (developer guide, "Control access to WebSocket APIs with AWS Lambda REQUEST
 * authorizers"): a missing identity source refuses the handshake with 401 without invoking the function; the
 * function's `Unauthorized` error is 401, an explicit Deny or no Allow for the $connect ARN is 403, anything else
 * (a crash, a malformed answer) is 500.
 */
export const authorizeConnect = async (
  authorizer: WsAuthorizer,
  parts: HandshakeParts,
  connection: Pick<Connection, 'id' | 'connectedAt' | 'sourceIp' | 'userAgent'>,
  context: WsEventContext,
  invoke: Invoke,
): Promise<ConnectDecision> => {
  if (authorizer.identitySources.some((source) => !identityValue(source, parts)))
    return { allowed: false, status: 401 };
  const methodArn = wsMethodArn(context, '$connect');
  const started = performance.now();
  const outcome = await invoke(authorizer.functionArn, {
    type: 'REQUEST',
    methodArn,
    ...parts,
    stageVariables: {},
    requestContext: wsRequestContext(context, connection, '$connect', 'CONNECT'),
  });
  if (outcome.status !== 'ok') {
    const unauthorized = outcome.status === 'error' && outcome.error.errorMessage === 'Unauthorized';
    return { allowed: false, status: unauthorized ? 401 : 500 };
  }
  const response = outcome.result as { principalId?: unknown; policyDocument?: unknown; context?: unknown } | null;
  try {
    if (!response || typeof response.principalId !== 'string') throw new MalformedPolicyError('no principalId');
    const decision = evaluatePolicy(response.policyDocument, methodArn);
    if (decision !== 'allow') return { allowed: false, status: 403 };
    return {
      allowed: true,
      authorizer: {
        ...stringifyContext(response.context),
        principalId: response.principalId,
        integrationLatency: String(Math.round(performance.now() - started)),
      },
    };
  } catch (error) {
    if (error instanceof MalformedPolicyError) return { allowed: false, status: 500 };
    throw error;
  }
};
