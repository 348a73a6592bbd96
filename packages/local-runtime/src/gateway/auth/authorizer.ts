/** An authorizer as the shared Lambda and Cognito authorizers read it; a REST API's model parses its authorizers into it. */
export type AuthorizerType = 'token' | 'request' | 'cognito_user_pools' | 'aws_iam';

export interface Authorizer {
  name: string;
  type: AuthorizerType;
  /** Lambda ARN from `authorizerUri` (token and request authorizers). */
  functionArn?: string;
  /** `method.request.header.Authorization`, ... */
  identitySources: string[];
  identityValidationExpression?: RegExp;
  ttlSeconds: number;
  providerArns: string[];
}
