import type { LocalUserPool } from '../rest/auth/cognito-authorizer.ts';
import { type RestApi, restApiOf } from '../rest/model.ts';
import type { ApiKeyModel, UsagePlanModel } from '../rest/usage/usage-plans.ts';
import { isObject, type TemplateValue } from '../template/load.ts';
import { apiKeyValue } from '../template/physical-ids.ts';
import { type LocalStack, StackError } from '../template/stack.ts';

const list = (value: TemplateValue | undefined): TemplateValue[] => (Array.isArray(value) ? value : []);

/** Every AWS::Serverless::Api with an inline or included OpenAPI body. */
export const restApisOf = (stack: LocalStack): RestApi[] =>
  stack.ofType('AWS::Serverless::Api').map((resource) => {
    const properties = stack.properties(resource.logicalId);
    if (!isObject(properties.DefinitionBody)) {
      throw new StackError(`${resource.logicalId}: the local runtime needs DefinitionBody (inline or AWS::Include)`);
    }
    return restApiOf(resource.logicalId, stack.ref(resource.logicalId), properties, properties.DefinitionBody);
  });

export const apiKeysOf = (stack: LocalStack): ApiKeyModel[] =>
  stack.ofType('AWS::ApiGateway::ApiKey').map((resource) => {
    const properties = stack.properties(resource.logicalId);
    return {
      logicalId: resource.logicalId,
      id: stack.ref(resource.logicalId),
      name: String(properties.Name ?? resource.logicalId),
      value:
        typeof properties.Value === 'string'
          ? properties.Value
          : apiKeyValue(stack.pseudo.stackName, resource.logicalId),
      // CloudFormation's default for Enabled is false.
      enabled: properties.Enabled === true || properties.Enabled === 'true',
    };
  });

export const usagePlansOf = (stack: LocalStack): UsagePlanModel[] => {
  const planKeys = stack
    .ofType('AWS::ApiGateway::UsagePlanKey')
    .map((resource) => stack.properties(resource.logicalId));
  return stack.ofType('AWS::ApiGateway::UsagePlan').map((resource) => {
    const properties = stack.properties(resource.logicalId);
    const id = stack.ref(resource.logicalId);
    const throttle = isObject(properties.Throttle) ? properties.Throttle : undefined;
    const quota = isObject(properties.Quota) ? properties.Quota : undefined;
    return {
      logicalId: resource.logicalId,
      id,
      name: String(properties.UsagePlanName ?? resource.logicalId),
      stages: list(properties.ApiStages)
        .filter(isObject)
        .map((stage) => ({
          apiId: String(stage.ApiId),
          stage: String(stage.Stage),
          methodThrottle: Object.fromEntries(
            Object.entries(isObject(stage.Throttle) ? stage.Throttle : {}).flatMap(([methodKey, limit]) =>
              isObject(limit)
                ? [[methodKey, { rate: Number(limit.RateLimit ?? 0), burst: Number(limit.BurstLimit ?? 0) }]]
                : [],
            ),
          ),
        })),
      throttle: throttle
        ? { rate: Number(throttle.RateLimit ?? 0), burst: Number(throttle.BurstLimit ?? throttle.RateLimit ?? 0) }
        : undefined,
      quota: quota
        ? {
            limit: Number(quota.Limit),
            period: String(quota.Period ?? 'DAY').toUpperCase() as 'DAY' | 'WEEK' | 'MONTH',
            offset: Number(quota.Offset ?? 0),
          }
        : undefined,
      keyIds: planKeys.filter((key) => String(key.UsagePlanId) === id).map((key) => String(key.KeyId)),
    };
  });
};

/** The template's Cognito user pools, each standing behind the local token issuer. */
export const userPoolsOf = (stack: LocalStack, issuer: { issuer: string; jwksUri: string }): LocalUserPool[] => {
  const clients = stack.ofType('AWS::Cognito::UserPoolClient').map((resource) => ({
    id: stack.ref(resource.logicalId),
    poolId: String(stack.properties(resource.logicalId).UserPoolId),
  }));
  return stack.ofType('AWS::Cognito::UserPool').map((resource) => {
    const poolId = stack.ref(resource.logicalId);
    return {
      arn: stack.getAtt(resource.logicalId, 'Arn'),
      issuer: issuer.issuer,
      jwksUri: issuer.jwksUri,
      clientIds: clients.filter((client) => client.poolId === poolId).map((client) => client.id),
    };
  });
};

/** `https://cognito-idp.<region>.amazonaws.com/<pool id>` of every pool → the local issuer's URL. */
export const cognitoIssuerRewrite = (stack: LocalStack, localIssuer: string) => {
  const issuers = stack
    .ofType('AWS::Cognito::UserPool')
    .map((resource) => stack.getAtt(resource.logicalId, 'ProviderURL'));
  return (value: string): string => issuers.reduce((text, issuer) => text.replaceAll(issuer, localIssuer), value);
};
