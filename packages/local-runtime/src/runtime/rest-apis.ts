import type { LocalUserPool } from '../gateway/auth/cognito-authorizer.ts';
import { type RestApi, restApiOf } from '../rest/model.ts';
import { rawRestApiSources } from '../rest/sources/raw-rest-api.ts';
import { type SamUsagePlan, serverlessApiSources } from '../rest/sources/serverless-api.ts';
import type { ApiKeyModel, UsagePlanModel } from '../rest/usage/usage-plans.ts';
import { isObject, type TemplateObject, type TemplateValue } from '../template/load.ts';
import { apiKeyValue, stableId } from '../template/physical-ids.ts';
import { type LocalStack, StackError } from '../template/stack.ts';

const list = (value: TemplateValue | undefined): TemplateValue[] => (Array.isArray(value) ? value : []);

export interface RestApis {
  apis: RestApi[];
  /** The usage plans and keys SAM's `Auth.UsagePlan` creates. */
  samUsagePlans: { plan: SamUsagePlan; apiIds: { apiId: string; stage: string }[] }[];
  problems: string[];
}

/**
 * Every REST API stage of the template: AWS::Serverless::Api (with or without DefinitionBody, the implicit
 * ServerlessRestApi of `Api` events included) and AWS::ApiGateway::RestApi (its Body, or its Resource and Method
 * resources). A definition the model cannot read fails the start with the API named.
 */
export const restApisOf = (stack: LocalStack): RestApis => {
  const problems: string[] = [];
  const read = (logicalId: string, properties: TemplateObject, body: TemplateObject): RestApi => {
    try {
      return restApiOf(logicalId, stack.ref(logicalId), properties, body);
    } catch (error) {
      throw new StackError(`${logicalId}: ${(error as Error).message}`);
    }
  };
  const sam = serverlessApiSources(stack, problems);
  const apis = [
    ...sam.map((source) => read(source.logicalId, source.properties, source.body)),
    ...rawRestApiSources(stack, problems).map((source) => read(source.logicalId, source.properties, source.body)),
  ];
  const plans = new Map<string, { plan: SamUsagePlan; apiIds: { apiId: string; stage: string }[] }>();
  for (const source of sam) {
    if (!source.usagePlan) continue;
    const entry = plans.get(source.usagePlan.logicalId) ?? { plan: source.usagePlan, apiIds: [] };
    entry.apiIds.push({ apiId: stack.ref(source.logicalId), stage: String(source.properties.StageName) });
    plans.set(source.usagePlan.logicalId, entry);
  }
  return { apis, samUsagePlans: [...plans.values()], problems };
};

const throttleOf = (throttle: TemplateObject | undefined) =>
  throttle
    ? { rate: Number(throttle.RateLimit ?? 0), burst: Number(throttle.BurstLimit ?? throttle.RateLimit ?? 0) }
    : undefined;
const quotaOf = (quota: TemplateObject | undefined) =>
  quota
    ? {
        limit: Number(quota.Limit),
        period: String(quota.Period ?? 'DAY').toUpperCase() as 'DAY' | 'WEEK' | 'MONTH',
        offset: Number(quota.Offset ?? 0),
      }
    : undefined;

/** SAM's generated plan, key and binding (its key is enabled, with a generated value). */
export const samUsageOf = (
  stack: LocalStack,
  samUsagePlans: RestApis['samUsagePlans'],
): { keys: ApiKeyModel[]; plans: UsagePlanModel[] } => {
  const keys = samUsagePlans.map(({ plan }) => ({
    logicalId: plan.keyLogicalId,
    id: stableId(`${stack.pseudo.stackName}/${plan.keyLogicalId}`, 10),
    name: plan.keyLogicalId,
    value: apiKeyValue(stack.pseudo.stackName, plan.keyLogicalId),
    enabled: true,
  }));
  const plans = samUsagePlans.map(({ plan, apiIds }, index) => ({
    logicalId: plan.logicalId,
    id: stableId(`${stack.pseudo.stackName}/${plan.logicalId}`, 10),
    name: plan.name,
    stages: apiIds.map(({ apiId, stage }) => ({ apiId, stage, methodThrottle: {} })),
    throttle: throttleOf(plan.throttle),
    quota: quotaOf(plan.quota),
    keyIds: [keys[index]?.id ?? ''],
  }));
  return { keys, plans };
};

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
      throttle: throttleOf(throttle),
      quota: quotaOf(quota),
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
