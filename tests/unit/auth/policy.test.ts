import { connectPolicy, restPolicy, stagePrefix } from '../../../src/auth/policy.ts';

const arn = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/v2/orders/ord_1';

describe('policies', () => {
  it('cuts a method ARN down to its stage', () => {
    expect(stagePrefix(arn)).toBe('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod');
    expect(() => stagePrefix('abc123/prod/GET/')).toThrow(/Not an execute-api method ARN/);
    expect(() => stagePrefix('arn:aws:execute-api:eu-west-1:1:abc123')).toThrow(/Not an execute-api method ARN/);
  });

  it('opens only the legacy back end to a token without scopes, and ignores unknown scopes', () => {
    const policy = restPolicy(arn, { sub: 's', scopes: ['admin:everything'], tenant: 't' });
    expect(policy.policyDocument.Statement).toEqual([
      {
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: ['arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*/v1/legacy/*'],
      },
    ]);
  });

  it('lists a route once even when two scopes open it', () => {
    const policy = restPolicy(arn, { sub: 's', scopes: ['orders:read', 'orders:read'], tenant: 't' });
    const [statement] = policy.policyDocument.Statement as { Resource: string[] }[];
    expect(statement?.Resource).toHaveLength(3);
  });

  it('allows exactly the $connect route for a WebSocket connection', () => {
    const connect = 'arn:aws:execute-api:eu-west-1:123456789012:ws1/dev/$connect';
    expect(connectPolicy(connect, { sub: 's', scopes: [], tenant: 'default' })).toMatchObject({
      principalId: 's',
      policyDocument: { Statement: [{ Effect: 'Allow', Resource: connect }] },
      context: { sub: 's', scopes: '', tenant: 'default' },
    });
  });
});
